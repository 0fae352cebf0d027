"""Publish the freshly built warehouse by atomic rename (readers never see a half build)."""

import os
import shutil
from datetime import UTC, datetime

import dagster as dg
import duckdb

from .. import settings
from ..incremental import pause_point, refresh_lock
from .dbt import build_fingerprint_path, current_fingerprint, ogi_dbt_models
from .raw import inventory_path, published_inventory_path


def publish(build, live, fingerprint: str) -> dict:
    """Stamp the build, flush it to one file, then rename it over the live warehouse.

    Readers holding the old file keep their snapshot; new connections see the new build. A
    process killed before the rename leaves the live file as it was; the next refresh builds
    again from scratch.
    """
    with duckdb.connect(str(build)) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.build_info as select ?::timestamptz as built_at, "
            "?::varchar as fingerprint, (select count(*) from main.dim_report) as n_reports",
            [datetime.now(UTC), fingerprint],
        )
        con.execute("checkpoint")
        n_reports = con.execute("select n_reports from meta.build_info").fetchall()[0][0]
    live.parent.mkdir(parents=True, exist_ok=True)
    pause_point("publish")
    os.replace(build, live)
    _fsync_dir(live.parent)
    return {"reports": n_reports}


def _fsync_dir(folder) -> None:
    """Make the rename itself durable (a power cut after it must not bring the old file back)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dg.asset(deps=[ogi_dbt_models], group_name="publish", kinds={"duckdb"})
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """warehouse/ogi.duckdb: the last good build, for dashboards and notebooks (open read-only)."""
    with refresh_lock(settings.warehouse_dir(), context.log.info):
        live = settings.published_db_path()
        stamp = build_fingerprint_path()
        # the fingerprint of what dbt built from, not of raw/ as it may be now
        fingerprint = stamp.read_text(encoding="ascii") if stamp.exists() else current_fingerprint()
        stats = publish(settings.build_db_path(), live, fingerprint)
        stamp.unlink(missing_ok=True)
        if inventory_path().exists():  # what the published warehouse was built from
            tmp = published_inventory_path().with_suffix(".tmp")
            shutil.copyfile(inventory_path(), tmp)
            tmp.replace(published_inventory_path())
    context.log.info(f"published {live}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(live)), **stats})
