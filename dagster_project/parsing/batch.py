"""Parse many files in parallel batches, each document under a time and memory guard.

A batch is a list of files → one staging part per table (see ``staging.stage_batch``). Batches
run in a process pool; a worker caps its address space and every document gets a wall-clock
budget, so one pathological file becomes a failed report with an issue instead of stalling or
sinking the run. The same batch function can run unchanged on a distributed engine (one task
per batch, parts written to shared storage).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .staging import DocumentTimeout

SMALL_RUN = 50  # documents below which a single batch is parsed in this process
DOC_TIMEOUT_S = float(os.environ.get("OGI_DOC_TIMEOUT_S", "60"))
WORKER_MEMORY_MB = int(os.environ.get("OGI_WORKER_MEMORY_MB", "3072"))


def _on_alarm(signum, frame):
    raise DocumentTimeout()


def _exit_with_parent(parent: int, interval_s: float = 0.5) -> None:
    """A worker whose parent died (killed, out of memory) stops at once instead of parsing on
    as an orphan and writing parts under the feet of the next refresh."""
    while True:
        time.sleep(interval_s)
        if os.getppid() != parent:
            os._exit(1)


def _init_worker(memory_mb: int, parent: int | None = None) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()


@dataclass
class BatchJob:
    batch_id: str
    files: list[str]


def _run_batch(job: BatchJob, staging_dir: str, timeout_s: float):
    from .staging import stage_batch

    return stage_batch([Path(f) for f in job.files], Path(staging_dir), job.batch_id, timeout_s=timeout_s)


def batches(files: list[str], size: int, prefix: str) -> Iterator[BatchJob]:
    for i in range(0, len(files), size):
        yield BatchJob(f"{prefix}-{i // size:05d}", files[i : i + size])


def run_batches(
    jobs: list[BatchJob],
    staging_dir: Path,
    workers: int | None = None,
    timeout_s: float = DOC_TIMEOUT_S,
    memory_mb: int = WORKER_MEMORY_MB,
    progress: Callable[[int, int, float], None] | None = None,
) -> list:
    """Run every batch; returns the BatchResults. `progress(done_docs, total_docs, elapsed_s)`."""
    total = sum(len(j.files) for j in jobs)
    if not jobs:
        return []
    workers = workers or os.cpu_count() or 1
    started, done, results = time.monotonic(), 0, []
    if len(jobs) == 1 and total <= SMALL_RUN:  # not worth starting a pool; time guard only
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:
            previous = signal.signal(signal.SIGALRM, _on_alarm)
        try:
            result = _run_batch(jobs[0], str(staging_dir), timeout_s if in_main else None)
        finally:
            if in_main:
                signal.signal(signal.SIGALRM, previous)
        if progress:
            progress(result.n_reports, total, time.monotonic() - started)
        return [result]
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded orchestrator process
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), mp_context=ctx, initializer=_init_worker, initargs=(memory_mb, os.getpid())
    ) as pool:
        futures = {pool.submit(_run_batch, job, str(staging_dir), timeout_s): job for job in jobs}
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
