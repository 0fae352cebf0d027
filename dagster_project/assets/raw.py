"""The raw report files, identified by content hash."""

import hashlib
from pathlib import Path

import dagster as dg
import polars as pl

from .. import settings

REPORT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps"}


def list_raw_files(raw_dir: Path) -> list[Path]:
    return sorted(p for p in raw_dir.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


def inventory(raw_dir: Path) -> pl.DataFrame:
    rows = [{"path": str(p.resolve()), "file_name": p.name, "byte_size": p.stat().st_size,
             "content_hash": hashlib.sha256(p.read_bytes()).hexdigest()} for p in list_raw_files(raw_dir)]
    return pl.DataFrame(rows, schema={"path": pl.Utf8, "file_name": pl.Utf8, "byte_size": pl.Int64,
                                      "content_hash": pl.Utf8}, orient="row")


def inventory_path() -> Path:
    return settings.staging_dir() / "inventory.parquet"


@dg.asset(group_name="ingest", kinds={"polars", "parquet"})
def raw_reports(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Every report file under raw/ with its SHA-256: the identity of a report version."""
    inv = inventory(settings.raw_dir())
    path = inventory_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    inv.write_parquet(path)
    context.log.info(f"{inv.height} report files under {settings.raw_dir()}")
    return dg.MaterializeResult(metadata={
        "files": inv.height, "bytes": int(inv["byte_size"].sum() or 0),
        "inventory": dg.MetadataValue.path(str(path)),
    })
