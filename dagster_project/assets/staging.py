"""Parsed reports as staging Parquet: the tables dbt reads as sources."""

import shutil
from pathlib import Path

import dagster as dg
import polars as pl

from .. import settings
from ..parsing.schema import TABLES
from ..parsing.staging import stage_batch
from .raw import inventory_path, raw_reports

STAGING_KEYS = {name: dg.AssetKey(["staging", name]) for name in TABLES}


@dg.multi_asset(
    specs=[dg.AssetSpec(key, deps=[raw_reports], group_name="ingest", kinds={"polars", "parquet"},
                        description=f"Staging table `{name}` (Parquet parts under warehouse/staging/{name}/)")
           for name, key in STAGING_KEYS.items()],
)
def staged_reports(context: dg.AssetExecutionContext):
    """Parse every inventoried report and write the staging tables."""
    files = [Path(p) for p in pl.read_parquet(inventory_path())["path"]]
    staging = settings.staging_dir()
    for name in TABLES:  # a full refresh replaces every part
        shutil.rmtree(staging / name, ignore_errors=True)
    result = stage_batch(files, staging, "all")
    context.log.info(f"parsed {result.n_reports} reports: {result.statuses}")
    counts = {"reports": result.n_reports, "cells": result.n_cells, "issues": result.n_issues}
    for name, key in STAGING_KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={
            "rows": counts[name], **({f"status_{k}": v for k, v in result.statuses.items()} if name == "reports" else {}),
        })
