"""One refresh at a time per warehouse, and no process of a dead refresh left running.

`refresh_lock` holds an exclusive flock on the store's lock file (the kernel releases it when
the process dies, however it dies). Whoever takes the lock first ends what a killed refresh
left running (its dbt process, recorded by `record_child`), so the next refresh needs no
manual cleanup.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil

from .store import Store

Log = Callable[[str], object]

_held: dict[str, int] = {}  # lock path -> file descriptor: re-entry from the same process


def _end_all(tree: list[psutil.Process], grace_s: float) -> list[int]:
    """SIGTERM every process of `tree`, then SIGKILL those still running after `grace_s`."""
    for proc in tree:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _gone, alive = psutil.wait_procs(tree, timeout=grace_s)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    return [p.pid for p in tree]


def end_process(process: subprocess.Popen, grace_s: float = 10) -> None:
    """End a subprocess of this refresh and its own children (SIGTERM, then SIGKILL)."""
    if process.poll() is not None:
        return
    try:
        root = psutil.Process(process.pid)
        _end_all([root, *root.children(recursive=True)], grace_s)
    except psutil.Error:
        pass
    process.poll()


def end_children(grace_s: float = 5) -> list[int]:
    """End every subprocess of this process (dbt, parse workers), SIGTERM then SIGKILL; returns their pids.
    (multiprocessing's resource tracker is left to end with this process: it cleans up after the pool.)"""
    try:
        tree = [p for p in psutil.Process().children(recursive=True) if not _is_resource_tracker(p)]
    except psutil.Error:
        return []
    return _end_all(tree, grace_s)


def _is_resource_tracker(proc: psutil.Process) -> bool:
    try:
        return any("multiprocessing.resource_tracker" in arg for arg in proc.cmdline())
    except psutil.Error:
        return False


def record_child(store: Store, pid: int) -> None:
    """Remember a subprocess of this refresh, to be ended if this process dies before it."""
    try:
        entry = {"pid": pid, "started": psutil.Process(pid).create_time(), "parent": os.getpid()}
    except psutil.Error:
        return
    with store.children_file.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def reap_orphans(store: Store) -> list[int]:
    """End the recorded subprocesses of a dead refresh that still run; returns their pids."""
    path = store.children_file
    if not path.exists():
        return []
    ended = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            proc = psutil.Process(entry["pid"])
            if abs(proc.create_time() - entry["started"]) > 0.01 or entry["parent"] == os.getpid():
                continue  # the pid was reused, or the process is ours
            proc.kill()
            proc.wait(10)
            ended.append(entry["pid"])
        except (ValueError, KeyError, psutil.Error):
            continue
    path.unlink(missing_ok=True)
    return ended


def holds_lock(store: Store) -> bool:
    """Does this process hold the store's refresh lock?"""
    return str(store.lock_file) in _held


@contextmanager
def refresh_lock(store: Store, log: Log = print) -> Iterator[None]:
    """Hold the warehouse's refresh lock; waits while another refresh holds it. Re-entrant."""
    store.warehouse_dir.mkdir(parents=True, exist_ok=True)
    key = str(store.lock_file)
    if key in _held:
        yield
        return
    fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by subprocesses
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"another refresh of {store.warehouse_dir} is running: waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held[key] = fd
        ended = reap_orphans(store)
        if ended:
            log(f"ended processes left running by a killed refresh: {ended}")
        yield
    finally:
        _held.pop(key, None)
        os.close(fd)
