"""Parsed reports as staging Parquet: the tables dbt reads as sources."""

import os
import time

import dagster as dg

from .. import settings
from ..incremental import pause_point, plan, refresh_lock
from ..parsing.batch import batches, print_progress, run_batches
from ..parsing.schema import TABLES
from ..parsing.series import write_decisions
from .raw import raw_reports, read_inventory

# The parsed tables, plus the 表二 cells decided across years (see parsing/series.py).
STAGING_KEYS = {name: dg.AssetKey(["staging", name]) for name in (*TABLES, "decisions")}
BATCH_SIZE = int(os.environ.get("OGI_BATCH_SIZE", "500"))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=[raw_reports],
            group_name="ingest",
            kinds={"polars", "parquet"},
            description=f"Staging table `{name}` (Parquet parts under warehouse/staging/{name}/)",
        )
        for name, key in STAGING_KEYS.items()
    ],
)
def staged_reports(context: dg.AssetExecutionContext):
    """Parse the reports whose content is not staged yet (in parallel batches) and keep the rest."""
    with refresh_lock(settings.warehouse_dir(), context.log.info):
        yield from _stage(context)


def _stage(context: dg.AssetExecutionContext):
    inventory = read_inventory()
    staging = settings.staging_dir()
    todo = plan(inventory, staging)
    context.log.info(
        f"{len(todo.to_parse)} reports to parse, {todo.reused} reused, "
        f"{todo.dropped_parts} stale parts dropped, {todo.pruned_parts} pruned of removed reports"
    )
    last_logged = [0.0]

    def progress(done: int, total: int, elapsed: float) -> None:
        if os.environ.get("OGI_PROGRESS"):
            print_progress(done, total, elapsed)
        if done == total or done / total >= last_logged[0] + 0.1:
            last_logged[0] = done / total
            context.log.info(f"parsed {done}/{total} reports in {elapsed:.1f} s")
        pause_point("parse")  # test hook: the first batch is staged, the others may be running

    jobs = list(batches(todo.to_parse, BATCH_SIZE, f"b{time.time_ns()}"))
    results = run_batches(jobs, staging, progress=progress)
    statuses: dict[str, int] = {}
    for r in results:
        for k, v in r.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
    quality = _quality_counts(staging, [r.batch_id for r in results])
    decisions = staging / "decisions" / "decisions.parquet"
    decided = 0
    if (
        results or todo.dropped_parts or todo.pruned_parts or not decisions.exists()
    ):  # they span batches: redo when parts change
        decided = write_decisions(staging)
        context.log.info(f"{decided} 表二 cells decided by the agencies' neighbouring years")
    counts = {
        "reports": sum(r.n_reports for r in results),
        "cells": sum(r.n_cells for r in results),
        "issues": sum(r.n_issues for r in results),
        "decisions": decided,
    }
    for name, key in STAGING_KEYS.items():
        extra = (
            {
                "reused": todo.reused,
                "dropped_parts": todo.dropped_parts,
                "pruned_parts": todo.pruned_parts,
                **{f"parsed_{k}": v for k, v in statuses.items()},
                **{f"quality_{k}": v for k, v in quality.items()},
            }
            if name == "reports"
            else {}
        )
        yield dg.MaterializeResult(asset_key=key, metadata={"rows_written": counts[name], **extra})


def _quality_counts(staging, batch_ids: list[str]) -> dict[str, int]:
    """consistent / inconsistent / not_assessable among the reports parsed in this run."""
    import polars as pl

    parts = [staging / "reports" / f"part-{b}.parquet" for b in batch_ids]
    parts = [p for p in parts if p.exists()]
    if not parts:
        return {}
    counts = pl.concat([pl.read_parquet(p, columns=["quality_status"]) for p in parts]).group_by("quality_status").len()
    return {str(k): int(v) for k, v in zip(counts["quality_status"], counts["len"])}
