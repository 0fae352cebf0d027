"""Time and memory guards around parsing one document.

A document gets a wall-clock budget (SIGALRM, so only in a process's main thread); a pool
worker also caps its address space and exits when its parent dies. One pathological file
then becomes a failed report with an issue instead of stalling or sinking the run.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..parsing.catalogue import IssueCode
from ..parsing.files import DocumentTimeout, failed_report, parse_safely
from ..parsing.report import ParsedReport

DOC_TIMEOUT_S = float(os.environ.get("OGI_DOC_TIMEOUT_S", "60"))
WORKER_MEMORY_MB = int(os.environ.get("OGI_WORKER_MEMORY_MB", "3072"))


def _on_alarm(signum: int, frame: object) -> None:
    raise DocumentTimeout()


@contextmanager
def alarm_handler() -> Iterator[bool]:
    """Install the timeout handler for the duration; yields False where signals cannot be used
    (not the main thread), and then no document is timed."""
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_guarded(path: Path, timeout_s: float | None = None) -> ParsedReport:
    """Parse one file under a wall-clock budget (when `timeout_s` and an alarm handler are
    set, see `alarm_handler`); a crash, a time-out or exhausted memory is a failed report."""
    try:
        if timeout_s:  # armed inside the try: even an immediate alarm is caught below
            signal.setitimer(signal.ITIMER_REAL, timeout_s)
        return parse_safely(path)
    except DocumentTimeout:
        return failed_report(path, IssueCode.PARSE_TIMEOUT, f"parsing took longer than {timeout_s:g} s")
    finally:
        if timeout_s:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _exit_with_parent(parent: int, interval_s: float = 0.5) -> None:
    """A worker whose parent died (killed, out of memory) stops at once instead of parsing on
    as an orphan and writing parts under the feet of the next refresh."""
    while True:
        time.sleep(interval_s)
        if os.getppid() != parent:
            os._exit(1)


def init_worker(memory_mb: int, parent: int | None = None) -> None:
    """A pool worker: capped address space, the timeout handler, SIGINT left to the parent."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()
