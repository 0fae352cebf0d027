"""Publish the freshly built warehouse by atomic rename (readers never see a half build)."""

import os
from datetime import datetime, timezone

import dagster as dg
import duckdb

from .. import settings
from .dbt import current_fingerprint, ogi_dbt_models


def publish(build, live, fingerprint: str) -> dict:
    """Stamp the build, flush it to one file, then rename it over the live warehouse.

    Readers holding the old file keep their snapshot; new connections see the new build.
    """
    with duckdb.connect(str(build)) as con:
        con.execute("create schema if not exists meta")
        con.execute("create or replace table meta.build_info as select ?::timestamptz as built_at, "
                    "?::varchar as fingerprint, (select count(*) from main.dim_report) as n_reports",
                    [datetime.now(timezone.utc), fingerprint])
        con.execute("checkpoint")
        n_reports = con.execute("select n_reports from meta.build_info").fetchall()[0][0]
    live.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build, live)
    return {"reports": n_reports}


@dg.asset(deps=[ogi_dbt_models], group_name="publish", kinds={"duckdb"})
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """warehouse/ogi.duckdb: the last good build, for dashboards and notebooks (open read-only)."""
    live = settings.published_db_path()
    stats = publish(settings.build_db_path(), live, current_fingerprint())
    context.log.info(f"published {live}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(live)), **stats})
