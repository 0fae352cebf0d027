"""Parse many files in batches, one staging part per batch, in a process pool.

A batch is a list of files → one part per staging table. The batch function is the unit of
parallel work: the same `stage_batch` runs in this process, in the pool here, or on a
distributed engine (one task per batch, parts on shared storage).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from ..parsing.records import frames
from .guards import DOC_TIMEOUT_S, WORKER_MEMORY_MB, alarm_handler, init_worker, parse_guarded
from .store import Store

SMALL_RUN = 50  # documents below which a single batch is parsed in this process

Progress = Callable[[int, int, float], None]  # (done documents, total, elapsed seconds)


@dataclass
class BatchJob:
    """One batch to parse: its id (the name of its parts) and its files."""

    batch_id: str
    files: list[str]


@dataclass
class BatchResult:
    """What one batch staged."""

    batch_id: str
    n_reports: int
    n_cells: int
    n_issues: int
    statuses: dict[str, int]  # parse_status → reports


def stage_batch(files: list[Path], store: Store, batch_id: str, timeout_s: float | None = None) -> BatchResult:
    """Parse `files` (each under its time budget) and write the batch's parts to `store`."""
    reports = [parse_guarded(Path(f), timeout_s) for f in files]
    tables = frames(reports)
    store.write_part(tables, batch_id)
    statuses = tables["reports"].group_by("parse_status").len()
    return BatchResult(
        batch_id,
        tables["reports"].height,
        tables["cells"].height,
        tables["issues"].height,
        dict(zip(statuses["parse_status"], statuses["len"], strict=True)),
    )


def _run_batch(job: BatchJob, store: Store, timeout_s: float | None) -> BatchResult:
    return stage_batch([Path(f) for f in job.files], store, job.batch_id, timeout_s=timeout_s)


def batches(files: list[str], size: int, prefix: str) -> Iterator[BatchJob]:
    """`files` in batches of `size`, with ids `<prefix>-00000`, `<prefix>-00001`, …"""
    for i in range(0, len(files), size):
        yield BatchJob(f"{prefix}-{i // size:05d}", files[i : i + size])


def run_batches(
    jobs: list[BatchJob],
    store: Store,
    workers: int | None = None,
    timeout_s: float = DOC_TIMEOUT_S,
    memory_mb: int = WORKER_MEMORY_MB,
    progress: Progress | None = None,
) -> list[BatchResult]:
    """Run every batch: a small run in this process (time guard only), else in a pool of
    spawned workers with time and memory guards. Returns the BatchResults."""
    total = sum(len(j.files) for j in jobs)
    if not jobs:
        return []
    started = time.monotonic()
    if len(jobs) == 1 and total <= SMALL_RUN:  # not worth starting a pool
        with alarm_handler() as can_time:
            result = _run_batch(jobs[0], store, timeout_s if can_time else None)
        if progress:
            progress(result.n_reports, total, time.monotonic() - started)
        return [result]
    done, results = 0, []
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded orchestrator process
    with ProcessPoolExecutor(
        max_workers=min(workers or os.cpu_count() or 1, len(jobs)),
        mp_context=ctx,
        initializer=init_worker,
        initargs=(memory_mb, os.getpid()),
    ) as pool:
        futures = {pool.submit(_run_batch, job, store, timeout_s): job for job in jobs}
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            done += result.n_reports
            if progress:
                progress(done, total, time.monotonic() - started)
    return results


def print_progress(done: int, total: int, elapsed: float) -> None:
    """A one-line progress bar on stderr (for `ogi refresh`)."""
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = (total - done) / rate if rate else 0.0
    sys.stderr.write(
        f"\rparsing [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:,.0f} reports/s, {eta:,.0f} s left "
    )
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
