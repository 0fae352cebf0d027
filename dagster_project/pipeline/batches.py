"""Parse many files in batches, one staging part per batch, in a process pool.

A batch is a list of files → one part per staging table. The batch function is the unit of
parallel work: the same `stage_batch` runs in the pool here or on a distributed engine (one
task per batch, parts on shared storage). Parsing always runs in worker processes, even for
one small batch: only there is memory capped (an address-space limit would hurt the
orchestrating process), and a stuck worker can be ended with its refresh.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..parsing.readers.legacy_word import conversions
from ..parsing.records import frames
from ..parsing.report import ParsedReport
from .guards import died_report, doc_timeout_s, init_worker, parse_guarded, resource_failed, worker_memory_mb
from .libreoffice import convert_to_docx
from .store import Store
from .testhooks import crash_on, kill_once

Progress = Callable[[int, int, float], None]  # (done documents, total, elapsed seconds)


@dataclass
class BatchJob:
    """One batch to parse: its id (the name of its parts) and its files."""

    batch_id: str
    files: list[str]
    hashes: list[str] = field(default_factory=list)  # the inventory's content hash of each file
    attempts: dict[str, int] = field(default_factory=dict)  # content hash → this attempt (after limit failures)


@dataclass
class BatchResult:
    """What one batch staged."""

    batch_id: str
    n_reports: int
    n_cells: int
    n_issues: int
    statuses: dict[str, int]  # parse_status → reports
    resource_failed: list[str] = field(default_factory=list)  # content hashes that failed on a limit
    n_statistics: int = 0  # rows of pre-2019 统计表


def stage_batch(
    files: list[Path],
    store: Store,
    batch_id: str,
    timeout_s: float | None = None,
    hashes: list[str] | None = None,
    attempts: dict[str, int] | None = None,
) -> BatchResult:
    """Parse `files` (each under its time budget) and write the batch's parts to `store`.
    `hashes` (the inventory's content hashes) key the files that cannot be read; `attempts`
    numbers the parses of contents that failed on a limit before (first attempt: 1)."""
    keys: list[str | None] = list(hashes) if hashes else [None] * len(files)
    # the batch's legacy Word files go to LibreOffice in one call: it takes seconds to start
    with conversions(lambda paths: convert_to_docx(paths, timeout_s), [Path(f) for f in files]):
        reports = []
        for f, h in zip(files, keys, strict=True):
            crash_on(Path(f))  # (a test hook: no effect unless OGI_TEST_CRASH_ON is set)
            reports.append(parse_guarded(Path(f), timeout_s, h, (attempts or {}).get(h, 1) if h else None))
    return _write_batch(reports, store, batch_id)


def _write_batch(reports: list[ParsedReport], store: Store, batch_id: str) -> BatchResult:
    tables = frames(reports)
    store.write_part(tables, batch_id)
    statuses = tables["reports"].group_by("parse_status").len()
    return BatchResult(
        batch_id,
        tables["reports"].height,
        tables["cells"].height,
        tables["issues"].height,
        dict(zip(statuses["parse_status"], statuses["len"], strict=True)),
        [r.content_hash for r in reports if resource_failed(r)],
        tables["pre2019_statistics"].height,
    )


def _run_batch(job: BatchJob, store: Store, timeout_s: float | None) -> BatchResult:
    result = stage_batch(
        [Path(f) for f in job.files], store, job.batch_id, timeout_s=timeout_s, hashes=job.hashes, attempts=job.attempts
    )
    kill_once("batch", store)  # (a test hook) the parts are written, the result not yet returned
    return result


def batches(
    files: list[str], size: int, prefix: str, hashes: list[str] | None = None, attempts: dict[str, int] | None = None
) -> Iterator[BatchJob]:
    """`files` in batches of `size`, with ids `<prefix>-00000`, `<prefix>-00001`, … (with their
    content hashes and attempt numbers, when given)."""
    numbered = attempts or {}
    for i in range(0, len(files), size):
        keys = hashes[i : i + size] if hashes else []
        yield BatchJob(
            f"{prefix}-{i // size:05d}", files[i : i + size], keys, {h: numbered[h] for h in keys if h in numbered}
        )


def run_batches(
    jobs: list[BatchJob],
    store: Store,
    workers: int | None = None,
    timeout_s: float | None = None,
    memory_mb: int | None = None,
    progress: Progress | None = None,
    log: Callable[[str], object] = print,
) -> list[BatchResult]:
    """Run every batch in a pool of spawned workers (one for a single batch) with time and
    memory guards (OGI_DOC_TIMEOUT_S, OGI_WORKER_MEMORY_MB by default), or as Ray tasks when
    OGI_ENGINE=ray (`engines`). Returns the BatchResults. A pool worker that dies (killed, or a
    crash in a native library) costs its batches a second run, and a file that kills its worker
    each time is found and staged as a failed report (`isolate`); `log` says so."""
    from . import engines  # noqa: PLC0415 - engines imports this module (the batch function)

    engine, workers = engines.selected_engine(), workers or engines.configured_workers()
    if engine is engines.Engine.RAY:
        return engines.run_batches_on_ray(jobs, store, workers, timeout_s, memory_mb, progress, log)
    total = sum(len(j.files) for j in jobs)
    if not jobs:
        return []
    timeout_s = doc_timeout_s() if timeout_s is None else timeout_s
    memory_mb = worker_memory_mb() if memory_mb is None else memory_mb
    staged = Staged(total, progress)
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    died = _run_pool(jobs, store, workers, timeout_s, memory_mb, staged)
    if died:  # once more side by side: a worker the system killed (for memory, say) then simply succeeds
        log(f"a parse worker died: its pool's unfinished {n_batches(len(died))} run again")
        died = _run_pool(died, store, min(workers, len(died)), timeout_s, memory_mb, staged)
    if died:
        log(f"a parse worker died again: {n_batches(len(died))} run one at a time to find the file that kills it")
        isolate(died, store, timeout_s, memory_mb, staged, log)
    return staged.results


class Staged:
    """The results of the batches staged so far, each reported to `progress` as it comes."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.progress, self.started = total, progress, time.monotonic()
        self.results: list[BatchResult] = []
        self.done = 0  # documents

    def __call__(self, result: BatchResult) -> None:
        self.results.append(result)
        self.done += result.n_reports
        if self.progress:
            self.progress(self.done, self.total, time.monotonic() - self.started)


def n_batches(n: int) -> str:
    return f"{n} batch" if n == 1 else f"{n} batches"


def _run_pool(
    jobs: list[BatchJob],
    store: Store,
    workers: int,
    timeout_s: float,
    memory_mb: int,
    staged: Callable[[BatchResult], None],
) -> list[BatchJob]:
    """Run `jobs` in a pool of `workers` spawned processes, handing each result to `staged`;
    returns the jobs left undone because a worker process died (the pool is then broken)."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded orchestrator process
    died = []
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=init_worker, initargs=(memory_mb, os.getpid())
    ) as pool:
        futures = {pool.submit(_run_batch, job, store, timeout_s): job for job in jobs}
        try:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except BrokenProcessPool:  # a worker died: every job not done yet fails so
                    died.append(futures[future])
                    continue
                staged(result)
        except BaseException:  # interrupted (SIGINT, SIGTERM) or failed: end the workers now, not after their batch
            _end_workers(pool)
            raise
    return died


def isolate(
    jobs: list[BatchJob],
    store: Store,
    timeout_s: float,
    memory_mb: int,
    staged: Callable[[BatchResult], None],
    log: Callable[[str], object],
) -> None:
    """The batches left undone by workers that died twice, each run alone in a fresh worker. A
    batch whose worker dies again is halved, and each half run alone, until the file that kills
    it is found: that file is staged as a failed report (`parse_process_died`), every other file
    as it parses. (One batch at a time: slower, and only after a worker died twice.)"""
    queue = sorted(jobs, key=lambda job: job.batch_id)
    while queue:
        job = queue.pop(0)
        if not _run_pool([job], store, 1, timeout_s, memory_mb, staged):
            continue
        store.drop_batch(store.part_name(job.batch_id))  # what the dying worker may have written of it
        if len(job.files) > 1:
            queue[:0] = _halves(job)
            continue
        key = job.hashes[0] if job.hashes else None
        report = died_report(Path(job.files[0]), key, job.attempts.get(key, 1) if key else None)
        staged(_write_batch([report], store, job.batch_id))
        log(f"{job.files[0]}: its parse worker died each time it read it; staged as failed (parse_process_died)")


def _halves(job: BatchJob) -> list[BatchJob]:
    """`job` as two batches of half its files each (ids `<id>-0` and `<id>-1`)."""
    middle = len(job.files) // 2
    out = []
    for i, part in enumerate((slice(0, middle), slice(middle, None))):
        hashes = job.hashes[part]
        out.append(
            BatchJob(
                f"{job.batch_id}-{i}",
                job.files[part],
                hashes,
                {h: job.attempts[h] for h in hashes if h in job.attempts},
            )
        )
    return out


def _end_workers(pool: ProcessPoolExecutor) -> None:
    workers = list(getattr(pool, "_processes", {}).values())  # the executor has no public way to stop a task
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(5)
        if worker.is_alive():
            worker.kill()


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
