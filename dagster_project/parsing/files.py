"""Parse files as `ogi parse` and a refresh do: a crash becomes a failed report, and glued 表二
rows are decided by the same agency's neighbouring years among the files at hand."""

from __future__ import annotations

import hashlib
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from .catalogue import IssueCode
from .issues import Issue
from .readers import is_report_name
from .report import ParsedReport, file_mtime, parse_file
from .series import CONSTRAINTS, link_reports

NEIGHBOUR_LIMIT = 2000  # beyond this many files in a folder, its files are not read as neighbours


class DocumentTimeout(BaseException):
    """Raised by the runtime's alarm when one document exceeds its parsing budget."""


def failed_report(path: Path, code: IssueCode, message: str, place: str = "") -> ParsedReport:
    """A report that could not be parsed, with the one issue saying why."""
    data = path.read_bytes() if path.exists() else b""
    report = ParsedReport(
        path.name,
        str(path.resolve()),
        hashlib.sha256(data).hexdigest(),
        path.suffix.lstrip(".").lower() or "unknown",
        len(data),
        file_mtime(path) if path.exists() else None,
    )
    report.issues.append(Issue(code, message, place))
    return report


def parse_safely(path: Path) -> ParsedReport:
    """Parse one file; a parser bug or exhausted memory becomes a failed report, never an
    exception. (`DocumentTimeout` passes through: the caller that armed it handles it.)"""
    try:
        return parse_file(path)
    except MemoryError:
        return failed_report(path, IssueCode.PARSE_OUT_OF_MEMORY, "parsing exceeded the worker's memory limit")
    except Exception as exc:  # noqa: BLE001 - a parser bug must not sink the batch: it is recorded
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return failed_report(
            path, IssueCode.PARSER_CRASH, f"{type(exc).__name__}: {exc}", f"{Path(where.filename).name}:{where.lineno}"
        )


Parse = Callable[[Path], ParsedReport]


def parse_files(paths: Sequence[Path], neighbours: bool = True, parse: Parse = parse_safely) -> list[ParsedReport]:
    """Parse `paths` (one report each, in order) and decide their open 表二 rows as a refresh
    does. With `neighbours`, the other report files in the given files' folders are read too
    (not returned) when they may hold a neighbouring year of an agency with an open row."""
    reports = [parse(Path(p)) for p in paths]
    others = _folder_neighbours(paths, reports, parse) if neighbours else []
    link_reports(reports + others)  # neighbouring years decide glued 表二 rows; then plausibility
    return reports


def _has_open_row(report: ParsedReport) -> bool:
    """A glued 表二 row that a neighbouring year's identity (X-2/X-3) could decide."""
    variant = report.table2.variant if report.table2 else None
    return bool(report.agency_name) and any(
        i.code == IssueCode.CELLS_AMBIGUOUS and i.table_id == "table2" and (variant, i.row_key) in CONSTRAINTS
        for i in report.issues
    )


def _folder_neighbours(paths: Sequence[Path], reports: list[ParsedReport], parse: Parse) -> list[ParsedReport]:
    agencies = {r.agency_name for r in reports if _has_open_row(r)}
    if not agencies:
        return []
    given = {Path(p).resolve() for p in paths}
    hashes = {r.content_hash for r in reports}
    folders = sorted(
        {Path(p).resolve().parent for p, r in zip(paths, reports, strict=True) if r.agency_name in agencies}
    )
    files = [
        f
        for folder in folders
        for f in sorted(folder.iterdir())
        if is_report_name(f.name) and f.is_file() and f not in given
    ]
    if len(files) > NEIGHBOUR_LIMIT:
        print(
            f"ogi parse: {len(files)} other files beside the given ones; not reading them for neighbouring "
            "years (pass those years' files explicitly, or use `ogi refresh`)",
            file=sys.stderr,
        )
        return []
    if len(files) > 50:
        print(
            f"ogi parse: reading {len(files)} other files beside the given ones for neighbouring years "
            "(--alone skips this)",
            file=sys.stderr,
        )
    others = (parse(f) for f in files)
    return [r for r in others if r.agency_name in agencies and r.content_hash not in hashes]
