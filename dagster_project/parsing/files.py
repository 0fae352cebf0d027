"""Parse files as `ogi parse` and a refresh do: a crash becomes a failed report, and glued 表二
rows are decided by the same agency's neighbouring years among the files at hand."""

from __future__ import annotations

import hashlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from .catalogue import IssueCode
from .issues import Issue
from .pre2019 import TABLE_ID as PRE2019_TABLE
from .readers import is_report_name
from .readers.legacy_word import Convert, conversions
from .report import ParsedReport, file_mtime, parse_file
from .series import CONSTRAINTS, link_reports

NEIGHBOUR_LIMIT = 2000  # beyond this many files in a folder, its files are not read as neighbours


def max_file_bytes() -> int:
    """Files larger than this are not read at all (OGI_MAX_FILE_MB, default 100): no report is
    that big, and reading one would take the memory of a whole machine."""
    return int(float(os.environ.get("OGI_MAX_FILE_MB") or 100) * 1_000_000)


class DocumentTimeout(BaseException):
    """Raised by the runtime's alarm when one document exceeds its parsing budget."""


def _digest(path: Path) -> str | None:
    """The SHA-256 of a file, read in blocks (None when it cannot be read)."""
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def failed_report(
    path: Path, code: IssueCode, message: str, place: str = "", content_hash: str | None = None
) -> ParsedReport:
    """A report that could not be parsed, with the one issue saying why. It is keyed by
    `content_hash` (the inventory's) when given, else by the file's bytes; a file that cannot be
    read at all is keyed by its path, never by the hash of no bytes (that is an empty file's)."""
    try:
        st = path.stat()
        size, mtime = st.st_size, file_mtime(path)
    except OSError:
        size, mtime = 0, None
    digest = content_hash or _digest(path) or hashlib.sha256(f"unreadable\0{path.resolve()}".encode()).hexdigest()
    report = ParsedReport(
        path.name, str(path.resolve()), digest, path.suffix.lstrip(".").lower() or "unknown", size, mtime
    )
    report.issues.append(Issue(code, message, place))
    return report


def parse_safely(path: Path, content_hash: str | None = None) -> ParsedReport:
    """Parse one file; a parser bug, exhausted memory, a file above the size limit or one that
    cannot be read becomes a failed report, never an exception. (`DocumentTimeout` passes
    through: the caller that armed it handles it.) `content_hash` keys a failed report."""
    limit = max_file_bytes()
    try:
        size = path.stat().st_size
        if size > limit:
            return failed_report(
                path,
                IssueCode.RESOURCE_LIMIT,
                f"the file is {size / 1e6:,.0f} MB, above the limit of {limit / 1e6:,.0f} MB (OGI_MAX_FILE_MB): not read",
                content_hash=content_hash,
            )
        return parse_file(path)
    except MemoryError:
        return failed_report(
            path, IssueCode.PARSE_OUT_OF_MEMORY, "parsing exceeded the worker's memory limit", content_hash=content_hash
        )
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        # removed, or made unreadable, after the inventory saw it
        return failed_report(
            path,
            IssueCode.FILE_UNREADABLE,
            f"the file cannot be read: {exc.strerror or type(exc).__name__}",
            content_hash=content_hash,
        )
    except Exception as exc:  # noqa: BLE001 - a parser bug must not sink the batch: it is recorded
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return failed_report(
            path,
            IssueCode.PARSER_CRASH,
            f"{type(exc).__name__}: {exc}",
            f"{Path(where.filename).name}:{where.lineno}",
            content_hash=content_hash,
        )


Parse = Callable[[Path], ParsedReport]


def parse_files(
    paths: Sequence[Path], neighbours: bool = True, parse: Parse = parse_safely, convert: Convert | None = None
) -> list[ParsedReport]:
    """Parse `paths` (one report each, in order) and decide their open 表二 rows as a refresh
    does. With `neighbours`, the other report files in the given files' folders are read too
    (not returned) when they may hold a neighbouring year of an agency with an open row.
    `convert` (the runtime's LibreOffice) converts the legacy Word files among them, all in one call."""
    with conversions(convert, [Path(p) for p in paths]):
        reports = [parse(Path(p)) for p in paths]
    others = _folder_neighbours(paths, reports, parse, convert) if neighbours else []
    try:
        link_reports(reports + others)  # neighbouring years decide glued 表二 rows; then plausibility
    except Exception as exc:  # noqa: BLE001 - the reports stand as parsed: one bad input never sinks the call
        print(f"ogi parse: open 表二 rows left undecided ({type(exc).__name__}: {exc})", file=sys.stderr)
    return reports


def _has_open_row(report: ParsedReport) -> bool:
    """A glued 表二 row that a neighbouring year's identity (X-2/X-3) could decide, or an open
    pre-2019 statistics row (X-6)."""
    variant = report.table2.variant if report.table2 else None
    return bool(report.agency_name) and any(
        i.code == IssueCode.CELLS_AMBIGUOUS
        and ((i.table_id == "table2" and (variant, i.row_key) in CONSTRAINTS) or i.table_id == PRE2019_TABLE)
        for i in report.issues
    )


def _folder_neighbours(
    paths: Sequence[Path], reports: list[ParsedReport], parse: Parse, convert: Convert | None = None
) -> list[ParsedReport]:
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
    with conversions(convert, files):
        others = (parse(f) for f in files)
        return [r for r in others if r.agency_name in agencies and r.content_hash not in hashes]
