"""The raw report files, identified by content hash."""

from pathlib import Path

import dagster as dg
import polars as pl

from .. import settings
from ..incremental import compare, refresh_lock, take_inventory


def inventory_path() -> Path:
    return settings.staging_dir() / "inventory" / "inventory.parquet"


def published_inventory_path() -> Path:
    """The inventory the published warehouse was built from (written by the publish step)."""
    return inventory_path().with_name("published.parquet")


def read_inventory(path: Path | None = None) -> pl.DataFrame | None:
    path = path or inventory_path()
    return pl.read_parquet(path) if path.exists() else None


@dg.asset(group_name="ingest", kinds={"polars", "parquet"})
def raw_reports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Every report file under raw/ with its SHA-256: the identity of a report version.

    Hashes of files whose path, size and modification time are unchanged are reused. Changes
    are counted against what the published warehouse was built from, so a refresh that failed
    or was killed does not hide them from the next one.
    """
    with refresh_lock(settings.warehouse_dir(), context.log.info):
        previous = read_inventory()
        inventory = take_inventory(settings.raw_dir(), previous)
        if not settings.published_db_path().exists():
            baseline = None
        else:
            baseline = read_inventory(published_inventory_path())
            baseline = previous if baseline is None else baseline
        changes = compare(baseline, inventory)
        path = inventory_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        inventory.write_parquet(tmp)
        tmp.replace(path)
    context.log.info(f"{inventory.height} report files under {settings.raw_dir()}: {changes.as_dict()}")
    return dg.MaterializeResult(
        metadata={
            "files": inventory.height,
            "bytes": int(inventory["byte_size"].sum() or 0),
            **{f"files_{k}": v for k, v in changes.as_dict().items()},
            "inventory": dg.MetadataValue.path(str(path)),
        }
    )
