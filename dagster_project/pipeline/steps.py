"""The steps of a refresh as plain functions over a `Store`; each returns what it did.

The Dagster assets call these (one each) and turn the results into materialization metadata;
`ogi refresh` reads the results back through `RefreshSummary`. Every step expects the
caller to hold the refresh lock for the whole run (`locking.refresh_lock`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from .batches import BatchResult, batches, print_progress, run_batches
from .decisions import write_decisions
from .incremental import BuildPlan, plan_build
from .inventory import Changes, compare, report_files, take_inventory
from .plan import fingerprint, plan, published_fingerprint
from .publish import checksum_problem, publish
from .store import DBT_PROJECT_DIR, Store, read_parquet
from .testhooks import pause_point

Log = Callable[[str], object]
BATCH_SIZE = int(os.environ.get("OGI_BATCH_SIZE", "500"))


@dataclass
class InventoryResult:
    """What the inventory step found."""

    files: int
    bytes: int
    changes: Changes  # against what the published warehouse was built from
    rejected: int = 0  # files under raw/ that are not read as reports (dim_source_file says why)


def inventory_raw(store: Store, log: Log) -> InventoryResult:
    """Inventory raw/ by content hash (reusing unchanged files' hashes) and save it. Changes
    are counted against the published warehouse's inventory, so a refresh that failed or was
    killed does not hide them from the next one."""
    previous = store.read_inventory()
    inventory = take_inventory(store.raw_dir, previous)
    baseline = None
    if store.published_db.exists():
        published = store.read_inventory(published=True)
        baseline = previous if published is None else published
    changes = compare(baseline, inventory)
    store.write_inventory(inventory)
    reports = report_files(inventory)
    rejected = inventory.height - reports.height
    log(f"{reports.height} report files under {store.raw_dir}: {changes.as_dict()}; {rejected} other files not read")
    return InventoryResult(reports.height, int(reports["byte_size"].sum() or 0), changes, rejected)


@dataclass
class StagingResult:
    """What the staging step parsed, reused and decided."""

    parsed: int = 0  # reports parsed in this run
    reused: int = 0
    dropped_parts: int = 0
    pruned_parts: int = 0
    cells: int = 0
    issues: int = 0
    decisions: int = 0  # 表二 cells decided across years / by plausibility (all staged reports)
    statistics: int = 0  # rows of pre-2019 统计表 staged in this run
    quarantined: list[str] = field(default_factory=list)  # corrupt staged files set aside: "<file>: <why>"
    retried: int = 0  # reports parsed again after failing on a time, memory or size limit
    statuses: dict[str, int] = field(default_factory=dict)  # parsed | flagged | failed → reports
    quality: dict[str, int] = field(default_factory=dict)  # consistent | … → reports


def stage_reports(store: Store, log: Log, show_progress: bool = False) -> StagingResult:
    """Parse the reports whose content is not staged yet (in parallel batches), keep the rest,
    and decide the open 表二 rows across every staged report."""
    inventory = store.read_inventory()
    if inventory is None:
        raise RuntimeError(f"no inventory at {store.inventory_file}: run the inventory step first")
    todo = plan(inventory, store, log)
    log(
        f"{len(todo.to_parse)} reports to parse ({len(todo.attempts)} again after failing on a limit), "
        f"{todo.reused} reused, {todo.dropped_parts} stale parts dropped, {todo.pruned_parts} pruned of removed reports"
        + (f", {len(todo.quarantined)} corrupt files quarantined" if todo.quarantined else "")
    )
    last_logged = [0.0]

    def progress(done: int, total: int, elapsed: float) -> None:
        if show_progress:
            print_progress(done, total, elapsed)
        if done == total or done / total >= last_logged[0] + 0.1:
            last_logged[0] = done / total
            log(f"parsed {done}/{total} reports in {elapsed:.1f} s")
        pause_point("parse", store)  # the first batch is staged, the others may be running

    jobs = list(batches(todo.to_parse, BATCH_SIZE, f"b{time.time_ns()}", todo.hashes, todo.attempts))
    results = run_batches(jobs, store, progress=progress, log=log)
    _count_attempts(store, todo.hashes, todo.attempts, results)
    result = StagingResult(
        parsed=sum(r.n_reports for r in results),
        reused=todo.reused,
        dropped_parts=todo.dropped_parts,
        pruned_parts=todo.pruned_parts,
        cells=sum(r.n_cells for r in results),
        issues=sum(r.n_issues for r in results),
        statistics=sum(r.n_statistics for r in results),
        statuses=_add_statuses(results),
        quality=_quality_counts(store, [r.batch_id for r in results]),
        quarantined=todo.quarantined,
        retried=len(todo.attempts),
    )
    # decisions span batches (an agency's years): redo them whenever the parts change
    changed = results or todo.dropped_parts or todo.pruned_parts or todo.quarantined
    if changed or not store.decisions_file.exists():
        result.decisions = write_decisions(store)
        log(f"{result.decisions} 表二 cells decided by the agencies' neighbouring years")
    return result


def _count_attempts(store: Store, parsed: list[str], attempts: dict[str, int], results: list[BatchResult]) -> None:
    """Record how many parses of each content failed on a limit (the plan retries it until
    MAX_ATTEMPTS); a content parsed without such a failure is forgotten."""
    failed = {h for r in results for h in r.resource_failed}
    counts = store.read_attempts()
    before = dict(counts)
    for h in parsed:
        if h in failed:
            counts[h] = attempts.get(h, 1)
        else:
            counts.pop(h, None)
    if counts != before:
        store.write_attempts(counts)


def _add_statuses(results: list[BatchResult]) -> dict[str, int]:
    statuses: dict[str, int] = {}
    for r in results:
        for k, v in r.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
    return statuses


def _quality_counts(store: Store, batch_ids: list[str]) -> dict[str, int]:
    """consistent / inconsistent / not_assessable among the reports parsed in this run."""
    parts = [store.part("reports", store.part_name(b)) for b in batch_ids]
    parts = [p for p in parts if p.exists()]
    if not parts:
        return {}
    counts = pl.concat([read_parquet(p, ["quality_status"]) for p in parts]).group_by("quality_status").len()
    return {str(k): int(v) for k, v in zip(counts["quality_status"], counts["len"], strict=True)}


def current_fingerprint(store: Store) -> str:
    """The fingerprint of the current inventory, staged parts, parser version and dbt project."""
    inventory = store.read_inventory()
    if inventory is None:
        raise RuntimeError(f"no inventory at {store.inventory_file}")
    return fingerprint(inventory, DBT_PROJECT_DIR, [p.name for p in store.parts("reports")])


def is_up_to_date(store: Store, log: Log, current: str | None = None) -> bool:
    """Does the published warehouse match its checksum and come from the same contents, staged
    parts, parser and dbt project (`current`: the fingerprint, when already computed) as a
    build now would? Then there is nothing to build."""
    if not store.published_db.exists():
        return False
    problem = checksum_problem(store)
    published = None if problem else published_fingerprint(store.published_db)
    if problem is None and published is None:
        problem = "the published warehouse cannot be read"
    if problem:
        log(f"{problem}: rebuilding it")
        return False
    return (current or current_fingerprint(store)) == published


def remove_build_leftovers(store: Store, log: Log) -> None:
    """Delete what a killed or failed build left (a half-written build file, its WAL)."""
    removed = [p for p in store.build_leftovers() if p.exists()]
    for stale in removed:
        stale.unlink(missing_ok=True)
    if removed:
        log(f"removed what an unfinished build left: {', '.join(str(p) for p in removed)}")


def prepare_build(store: Store, log: Log, full: bool = False) -> BuildPlan | None:
    """Make room for a new build, stamp what it is built from and lay it out (a copy of the
    published warehouse for an incremental build, see incremental.py); None (nothing to do)
    when the published warehouse is up to date and no `full` build is asked for. What a killed
    or failed build left is removed either way."""
    remove_build_leftovers(store, log)
    current = current_fingerprint(store)
    if not full and is_up_to_date(store, log, current):
        log("the published warehouse is up to date: nothing to build")
        return None
    store.build_db.parent.mkdir(parents=True, exist_ok=True)
    store.build_fingerprint.write_text(current, encoding="ascii")
    build = plan_build(store, full)
    log(f"{'full' if build.full else 'incremental'} build: {build.reason}")
    return build


@dataclass
class PublishResult:
    """What the publish step published."""

    reports: int
    path: str
    build: str = ""  # "full: <why>" or "incremental: <n> reports added, changed or removed"


def publish_build(store: Store, log: Log) -> PublishResult:
    """Publish the build dbt just made (stamped with the fingerprint it was built from)."""
    stamp = store.build_fingerprint
    # the fingerprint of what dbt built from, not of raw/ as it may be now
    built_from = stamp.read_text(encoding="ascii") if stamp.exists() else current_fingerprint(store)
    plan = store.read_build_plan()
    how = f"{'full' if plan.get('full', True) else 'incremental'}: {plan.get('reason', 'built outside a refresh')}"
    n = publish(store, built_from)
    log(f"published {store.published_db} ({how})")
    return PublishResult(n, str(store.published_db), how)


@dataclass
class RefreshSummary:
    """What one refresh run did, step by step (None: the step did not run or did not finish)."""

    inventory: InventoryResult | None = None
    staging: StagingResult | None = None
    published: PublishResult | None = None

    @classmethod
    def from_steps(cls, steps: dict[str, dict]) -> RefreshSummary:
        """Rebuild from each step's result as a dict (`asdict`), keyed inventory/staging/published."""
        inv, staging, published = steps.get("inventory"), steps.get("staging"), steps.get("published")
        return cls(
            InventoryResult(**{**inv, "changes": Changes(**inv["changes"])}) if inv else None,
            StagingResult(**staging) if staging else None,
            PublishResult(**published) if published else None,
        )
