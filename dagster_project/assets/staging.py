"""Parsed reports as staging Parquet: the tables dbt reads as sources."""

import os
from dataclasses import asdict

import dagster as dg
from pydantic import Field

from ..parsing.schema import TABLES
from ..pipeline.steps import is_up_to_date, remove_build_leftovers, stage_reports
from ..resources import WarehouseResource
from .raw import raw_reports

# The parsed tables, plus the 表二 cells decided across years (see parsing/series.py).
STAGING_KEYS = {name: dg.AssetKey(["staging", name]) for name in (*TABLES, "decisions")}


class RefreshConfig(dg.Config):
    """How a refresh builds (the same for the staging and the dbt step)."""

    full: bool = Field(
        default=False,
        description="Rebuild every dbt model from the staged parts, even when nothing changed "
        "(by default dbt redoes only the reports added, changed or removed since the published build).",
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=[raw_reports],
            group_name="staging",
            skippable=True,  # not materialized when the published warehouse is up to date
            kinds={"polars", "parquet"},
            description=f"Staging table `{name}` (Parquet parts under warehouse/staging/{name}/)",
        )
        for name, key in STAGING_KEYS.items()
    ],
)
def staged_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: RefreshConfig):
    """Parse the reports whose content is not staged yet (in parallel batches) and keep the rest.

    When the published warehouse already holds exactly this staging (same contents, parser and
    dbt project) the tables are only observed, not materialized, so the dbt build and the
    publish step are skipped: a no-change refresh leaves the warehouse untouched."""
    store = warehouse.store
    result = stage_reports(store, context.log.info, show_progress=bool(os.environ.get("OGI_PROGRESS")))
    rows = {
        "reports": result.parsed,
        "cells": result.cells,
        "issues": result.issues,
        "pre2019_statistics": result.statistics,
        "decisions": result.decisions,
    }
    up_to_date = not config.full and is_up_to_date(store, context.log.info)
    if up_to_date:  # the dbt step will not run: clear what an unfinished build left here
        remove_build_leftovers(store, context.log.info)
        context.log.info("the published warehouse is up to date: nothing to build")
    event = dg.AssetObservation if up_to_date else dg.MaterializeResult
    for name, key in STAGING_KEYS.items():
        extra = {"result": dg.MetadataValue.json(asdict(result))} if name == "reports" else {}
        yield event(asset_key=key, metadata={"rows_written": rows[name], **extra})
