"""Time and memory guards around parsing one document.

A document gets a wall-clock budget (SIGALRM, so only in a process's main thread); a parse
worker (and `ogi parse`) caps its address space, and a worker exits when its parent dies. A
scan read by OCR gets more of both: `OGI_OCR_PAGE_S` more seconds per page OCR'd (up to
`OGI_OCR_MAX_S` in all) and an address space of at least `OGI_OCR_MEMORY_MB` (the OCR models
take ~1 GB). A file above the size limits is refused before it is read (`parse_safely`). One
pathological file then becomes a failed report with an issue instead of stalling or sinking
the run; a failure on a limit (time, memory, size, a worker process that died) is parsed again
by the next refreshes, `MAX_ATTEMPTS` times in all.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from ..parsing.catalogue import IssueCode
from ..parsing.files import DocumentTimeout, failed_report, parse_safely
from ..parsing.readers.ocr import ocr_page_count
from ..parsing.report import ParsedReport

DOC_TIMEOUT_S = float(os.environ.get("OGI_DOC_TIMEOUT_S", "60"))
WORKER_MEMORY_MB = int(os.environ.get("OGI_WORKER_MEMORY_MB", "3072"))
OCR_PAGE_S, OCR_MAX_S, OCR_MEMORY_MB = 20.0, 900.0, 3072  # per page OCR'd, a document in all, its memory
MAX_ATTEMPTS = int(os.environ.get("OGI_PARSE_ATTEMPTS", "3"))  # parses of one content failing on a limit
# the issues of a parse that failed on a limit rather than on the file: worth another attempt
# (a worker that died may have been killed by the system for another process's memory)
RESOURCE_CODES = frozenset(
    c.value
    for c in (
        IssueCode.PARSE_TIMEOUT,
        IssueCode.PARSE_OUT_OF_MEMORY,
        IssueCode.RESOURCE_LIMIT,
        IssueCode.PARSE_PROCESS_DIED,
    )
)


def doc_timeout_s() -> float:
    """The time budget of one document (OGI_DOC_TIMEOUT_S, read now)."""
    return float(os.environ.get("OGI_DOC_TIMEOUT_S") or DOC_TIMEOUT_S)


def worker_memory_mb() -> int:
    """The address-space cap of a parsing process (OGI_WORKER_MEMORY_MB, read now)."""
    return int(os.environ.get("OGI_WORKER_MEMORY_MB") or WORKER_MEMORY_MB)


def document_budget(path: Path, timeout_s: float | None) -> tuple[float | None, int | None]:
    """The time budget and the least memory cap (MB, None: the worker's) of one document: a
    scanned one gets OGI_OCR_PAGE_S more seconds per page OCR'd, up to OGI_OCR_MAX_S in all
    (never less than `timeout_s`), and at least OGI_OCR_MEMORY_MB."""
    pages = ocr_page_count(path)
    if not pages:
        return timeout_s, None
    page_s = float(os.environ.get("OGI_OCR_PAGE_S") or OCR_PAGE_S)
    most = float(os.environ.get("OGI_OCR_MAX_S") or OCR_MAX_S)
    budget = max(timeout_s, min(timeout_s + pages * page_s, most)) if timeout_s else timeout_s
    return budget, int(os.environ.get("OGI_OCR_MEMORY_MB") or OCR_MEMORY_MB)


def _address_space() -> int | None:
    """This process's mapped address space in bytes (Linux), None where it cannot be read."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def memory_at_least(memory_mb: int | None) -> Iterator[None]:
    """Raise this process's address-space cap to `memory_mb` for the duration (never above the
    hard limit, never lowered). The cap is put back only if the process is back under it: the
    OCR models stay loaded for the worker's next scan, and a cap below what is mapped would fail
    every allocation after it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = None if memory_mb is None else memory_mb * 1024 * 1024
    if wanted is None or soft == resource.RLIM_INFINITY or soft >= wanted:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))
    try:
        yield
    finally:
        mapped = _address_space()
        if mapped is not None and mapped < soft * 0.9:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def memory_headroom(memory_mb: int) -> Iterator[None]:
    """Cap this process's address space at what it maps now plus `memory_mb`, for the duration
    (a Ray worker maps ~8 GB at start: a cap below that would fail its every allocation). A
    tighter cap already set is kept; the one it had is put back after (raising it is safe)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    mapped = _address_space()
    limit = None if mapped is None else mapped + memory_mb * 1024 * 1024
    if limit is not None and hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if limit is None or (soft != resource.RLIM_INFINITY and soft <= limit):
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space: past it an allocation fails (MemoryError), which the
    parser turns into a failed report (`parse_out_of_memory`)."""
    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


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


def parse_guarded(
    path: Path, timeout_s: float | None = None, content_hash: str | None = None, attempt: int | None = None
) -> ParsedReport:
    """Parse one file under a wall-clock budget (when `timeout_s` and an alarm handler are
    set, see `alarm_handler`; a scan read by OCR gets more, see `document_budget`); a crash,
    a time-out or exhausted memory is a failed report. `content_hash` keys a file that cannot
    be read (the inventory's hash); `attempt` numbers this parse among the attempts of a
    content that failed on a limit before."""
    timeout_s, memory_mb = document_budget(path, timeout_s)
    try:
        with memory_at_least(memory_mb):
            if timeout_s:  # armed inside the try: even an immediate alarm is caught below
                signal.setitimer(signal.ITIMER_REAL, timeout_s)
            report = parse_safely(path, content_hash)
    except DocumentTimeout:
        report = failed_report(
            path, IssueCode.PARSE_TIMEOUT, f"parsing took longer than {timeout_s:g} s", content_hash=content_hash
        )
    finally:
        if timeout_s:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return _numbered(report, attempt)


def died_report(path: Path, content_hash: str | None, attempt: int | None) -> ParsedReport:
    """The failed report of a file whose parse killed its worker process, each time it was tried."""
    report = failed_report(
        path,
        IssueCode.PARSE_PROCESS_DIED,
        "its parse worker died each time it read this file, the last time with no other file; "
        "the other files of its batch were staged",
        content_hash=content_hash,
    )
    return _numbered(report, attempt)


def _numbered(report: ParsedReport, attempt: int | None) -> ParsedReport:
    """The report's issues of a failure on a limit, with this attempt's number (see MAX_ATTEMPTS)."""
    if attempt is not None:
        later = "parsed again on the next refresh" if attempt < MAX_ATTEMPTS else "not parsed again until it changes"
        report.issues[:] = [
            replace(i, message=f"{i.message} (attempt {attempt} of {MAX_ATTEMPTS}: {later})")
            if i.code.value in RESOURCE_CODES
            else i
            for i in report.issues
        ]
    return report


def resource_failed(report: ParsedReport) -> bool:
    """Did this parse fail on a limit (time, memory, size) rather than on the file?"""
    return report.parse_status == "failed" and any(i.code.value in RESOURCE_CODES for i in report.issues)


def _exit_with_parent(parent: int, interval_s: float = 0.5) -> None:
    """A worker whose parent died (killed, out of memory) stops at once instead of parsing on
    as an orphan and writing parts under the feet of the next refresh."""
    while True:
        time.sleep(interval_s)
        if os.getppid() != parent:
            os._exit(1)


def init_worker(memory_mb: int, parent: int | None = None) -> None:
    """A pool worker: capped address space, the timeout handler, SIGINT left to the parent."""
    limit_memory(memory_mb)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()
