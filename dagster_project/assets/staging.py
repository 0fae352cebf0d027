"""Parsed reports as staging Parquet: the tables dbt reads as sources."""

import os
from dataclasses import asdict

import dagster as dg

from ..parsing.schema import TABLES
from ..pipeline.steps import stage_reports
from ..resources import WarehouseResource
from .raw import raw_reports

# The parsed tables, plus the 表二 cells decided across years (see parsing/series.py).
STAGING_KEYS = {name: dg.AssetKey(["staging", name]) for name in (*TABLES, "decisions")}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=[raw_reports],
            group_name="staging",
            kinds={"polars", "parquet"},
            description=f"Staging table `{name}` (Parquet parts under warehouse/staging/{name}/)",
        )
        for name, key in STAGING_KEYS.items()
    ],
)
def staged_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Parse the reports whose content is not staged yet (in parallel batches) and keep the rest."""
    result = stage_reports(warehouse.store, context.log.info, show_progress=bool(os.environ.get("OGI_PROGRESS")))
    rows = {"reports": result.parsed, "cells": result.cells, "issues": result.issues, "decisions": result.decisions}
    for name, key in STAGING_KEYS.items():
        extra = {"result": dg.MetadataValue.json(asdict(result))} if name == "reports" else {}
        yield dg.MaterializeResult(asset_key=key, metadata={"rows_written": rows[name], **extra})
