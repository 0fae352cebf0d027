"""Parse a batch of report files and write one staging part per table (Parquet).

The batch function is the unit of parallel work: it takes a list of files and writes one
part per staging table, so the same function can run in a process pool here or on a
distributed engine later. A file that crashes the parser becomes a failed report with an
issue; it never sinks the batch.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from .issues import Issue
from .records import cell_rows, issue_rows, report_row
from .report import ParsedReport, parse_file
from .schema import TABLES


class DocumentTimeout(Exception):
    """Raised (by a SIGALRM handler) when one document exceeds its parsing budget."""


@dataclass
class BatchResult:
    batch_id: str
    n_reports: int
    n_cells: int
    n_issues: int
    statuses: dict[str, int]


def _failed(path: Path, code: str, message: str, place: str = "") -> ParsedReport:
    data = path.read_bytes() if path.exists() else b""
    report = ParsedReport(
        path.name,
        str(path.resolve()),
        hashlib.sha256(data).hexdigest(),
        path.suffix.lstrip(".").lower() or "unknown",
        len(data),
    )
    report.issues.append(Issue(code, "error", message, place))
    return report


def parse_safely(path: Path, timeout_s: float | None = None) -> ParsedReport:
    """Parse one file; a crash, a time-out or exhausted memory becomes a failed report."""
    import signal

    try:
        if timeout_s:  # armed inside the try: even an immediate alarm is caught below
            signal.setitimer(signal.ITIMER_REAL, timeout_s)
        return parse_file(path)
    except MemoryError:
        return _failed(path, "parse_out_of_memory", "parsing exceeded the worker's memory limit")
    except DocumentTimeout:
        return _failed(path, "parse_timeout", f"parsing took longer than {timeout_s:g} s")
    except Exception as exc:  # a parser bug must not sink the batch: record it instead
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _failed(
            path, "parser_crash", f"{type(exc).__name__}: {exc}", f"{Path(where.filename).name}:{where.lineno}"
        )
    finally:
        if timeout_s:
            signal.setitimer(signal.ITIMER_REAL, 0)


def source_mtime(path: str) -> datetime | None:
    """The file's modification time (UTC, naive): which of two versions of a report is newer."""
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime, tz=UTC).replace(tzinfo=None)
    except OSError:
        return None


def frames(reports: list[ParsedReport]) -> dict[str, pl.DataFrame]:
    rows = {
        "reports": [{**report_row(r), "source_mtime": source_mtime(r.source_path)} for r in reports],
        "cells": [c for r in reports for c in cell_rows(r)],
        "issues": [i for r in reports for i in issue_rows(r)],
    }
    return {name: pl.DataFrame(rows[name], schema=schema, orient="row") for name, schema in TABLES.items()}


def write_part(tables: dict[str, pl.DataFrame], staging_dir: Path, batch_id: str) -> None:
    """Write each table's part atomically (temp file + rename) so readers never see half a file.

    `reports` goes last: its part is the batch's commit record. A batch killed before it leaves
    only orphan cells/issues parts, which the next refresh removes and re-parses.
    """
    for name in ("cells", "issues", "reports"):
        df = tables[name]
        folder = staging_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".part-{batch_id}.parquet.tmp"
        df.write_parquet(tmp)
        tmp.replace(folder / f"part-{batch_id}.parquet")


def stage_batch(files: list[Path], staging_dir: Path, batch_id: str, timeout_s: float | None = None) -> BatchResult:
    reports = [parse_safely(Path(f), timeout_s) for f in files]
    tables = frames(reports)
    write_part(tables, staging_dir, batch_id)
    statuses = tables["reports"].group_by("parse_status").len()
    return BatchResult(
        batch_id,
        tables["reports"].height,
        tables["cells"].height,
        tables["issues"].height,
        dict(zip(statuses["parse_status"], statuses["len"])),
    )
