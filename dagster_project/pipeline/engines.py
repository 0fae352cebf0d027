"""Where the staging batches run: the process pool of this machine, or Ray tasks on a cluster.

`OGI_ENGINE=local` (the default) runs `stage_batch` in `batches.run_batches`'s pool of spawned
workers. `OGI_ENGINE=ray` runs the same `stage_batch` as one Ray task per batch: on a local
cluster started for the step (`OGI_WORKERS` CPUs, every core by default) or, with
`OGI_RAY_ADDRESS` (`auto`, `ray://head:10001`, `head:6379`), on that cluster, whose nodes then
need the project installed and raw/ and the staging folder at the same paths (shared storage).

A task killed mid-batch (its worker process died: killed, out of node memory) is run again, up to
`OGI_RAY_RETRIES` times: the batch writes its parts atomically under its batch id, so a retry
overwrites what the killed attempt wrote and never adds a second copy. A batch whose worker died
on every attempt is searched for the file that kills it on the refresh machine, as the pool does
(`batches.isolate`): that file becomes a failed report, its batch-mates are staged. Guards in a task: the
per-document time budget (SIGALRM: a task runs in its worker's main thread) and an address-space
cap of `OGI_WORKER_MEMORY_MB` above what the worker maps when the batch starts (a Ray worker maps
~8 GB of virtual memory at start, so the pool's absolute cap would fail its every allocation);
each task also reserves that much of its node's memory, so Ray places no more batches on a node
than its memory holds. Ray is imported only when chosen.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

import psutil

from .batches import BatchJob, BatchResult, Progress, Staged, isolate, n_batches, stage_batch
from .guards import alarm_handler, doc_timeout_s, memory_headroom, worker_memory_mb
from .locking import record_child
from .store import Store
from .testhooks import kill_once

MB = 1024 * 1024
RAY_RETRIES = 3  # attempts after the first when a task's worker dies (OGI_RAY_RETRIES)
WAIT_S = 1.0  # how long the driver blocks in ray.wait: a signal is handled within that


class Engine(Enum):
    """Where `run_batches` parses."""

    LOCAL = "local"
    RAY = "ray"


def selected_engine() -> Engine:
    """The engine OGI_ENGINE names (read now; unset: local)."""
    value = (os.environ.get("OGI_ENGINE") or Engine.LOCAL.value).strip().lower()
    try:
        return Engine(value)
    except ValueError:
        choices = ", ".join(e.value for e in Engine)
        raise ValueError(f"OGI_ENGINE={value!r} is not an engine: choose one of {choices}") from None


def configured_workers() -> int | None:
    """OGI_WORKERS: parse processes of the local pool, CPUs of a local Ray cluster (None: every core)."""
    value = os.environ.get("OGI_WORKERS")
    return int(value) if value else None


def _ray_batch(job: BatchJob, store: Store, timeout_s: float | None, memory_mb: int) -> BatchResult:
    """One batch in a Ray worker, under the guards that work there."""
    with alarm_handler() as can_time, memory_headroom(memory_mb):
        result = stage_batch(
            [Path(f) for f in job.files],
            store,
            job.batch_id,
            timeout_s=timeout_s if can_time else None,
            hashes=job.hashes,
            attempts=job.attempts,
        )
    kill_once("batch", store)  # the parts are written, the result not yet returned
    return result


@contextmanager
def ray_session(workers: int | None, store: Store) -> Iterator[ModuleType]:
    """Ray, connected for the duration: to OGI_RAY_ADDRESS, or to a local cluster of `workers`
    CPUs started now and shut down after (its processes with it; recorded as the refresh's
    children of `store`, in case this process is killed). A session opened before (by the
    caller) is used as it is and left open. The OGI_* environment goes to the tasks."""
    import ray  # noqa: PLC0415 - a big import, paid only when this engine is chosen

    if ray.is_initialized():
        yield ray
        return
    address = os.environ.get("OGI_RAY_ADDRESS") or None
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,  # the tasks' output stays in the cluster's logs, not in the progress bar
        "logging_level": logging.WARNING,
        "runtime_env": {"env_vars": {k: v for k, v in os.environ.items() if k.startswith("OGI_")}},
    }
    if address:
        ray.init(address=address, **options)
    else:  # "local": a cluster of our own, never one another process started on this machine
        before = _descendants()
        ray.init(address="local", num_cpus=workers or os.cpu_count() or 1, **options)
        # its workers die with it, but not all of its agents: recorded, the next refresh ends them
        store.warehouse_dir.mkdir(parents=True, exist_ok=True)
        for pid in _descendants() - before:
            record_child(store, pid)
    try:
        yield ray
    finally:
        ray.shutdown()


def _descendants() -> set[int]:
    try:
        return {p.pid for p in psutil.Process().children(recursive=True)}
    except psutil.Error:
        return set()


def _check_fits(ray: ModuleType, memory_mb: int) -> None:
    """A task no node can hold would wait forever: say so instead."""
    largest = max((n["Resources"].get("memory", 0) for n in ray.nodes() if n.get("Alive")), default=0)
    if largest < memory_mb * MB:
        raise RuntimeError(
            f"no Ray node has {memory_mb} MB of memory for a batch (largest: {largest / MB:.0f} MB): "
            "lower OGI_WORKER_MEMORY_MB or add a larger node"
        )


def run_batches_on_ray(
    jobs: list[BatchJob],
    store: Store,
    workers: int | None = None,
    timeout_s: float | None = None,
    memory_mb: int | None = None,
    progress: Progress | None = None,
    log: Callable[[str], object] = print,
) -> list[BatchResult]:
    """`batches.run_batches` on Ray: one task per batch, the same parts and BatchResults, the
    progress callback after each batch. A batch whose worker died on every attempt goes to the
    pool's search for the file that kills it (`batches.isolate`, here on the refresh machine).
    An interrupt (SIGINT, SIGTERM) or a failed batch cancels the tasks still running (their
    workers are killed) before it propagates."""
    if not jobs:
        return []
    total = sum(len(j.files) for j in jobs)
    timeout_s = doc_timeout_s() if timeout_s is None else timeout_s
    memory_mb = worker_memory_mb() if memory_mb is None else memory_mb
    retries = int(os.environ.get("OGI_RAY_RETRIES") or RAY_RETRIES)
    staged, died = Staged(total, progress), []
    with ray_session(workers, store) as ray:
        _check_fits(ray, memory_mb)
        task = ray.remote(_ray_batch).options(num_cpus=1, memory=memory_mb * MB, max_retries=retries)
        by_ref = {task.remote(job, store, timeout_s, memory_mb): job for job in jobs}
        pending = list(by_ref)
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=WAIT_S)
                for ref in ready:
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.WorkerCrashedError:  # its worker died on every attempt
                        died.append(by_ref[ref])
                        continue
                    staged(result)
        except BaseException:  # interrupted or a batch failed for good: stop the others now
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
    if died:
        log(f"the Ray workers of {n_batches(len(died))} died on every attempt: run one at a time to find the file")
        isolate(died, store, timeout_s, memory_mb, staged, log)
    return staged.results
