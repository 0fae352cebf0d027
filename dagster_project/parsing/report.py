"""Parse one report file: metadata, 表二/表三/表四 cells with provenance, and its issues."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .agency import AgencyResolution, resolve_agency
from .catalogue import IssueCode, Severity
from .cells import Cell
from .checks import check_identities, check_narrative, row_issues
from .identities import Check
from .issues import Issue
from .layout import canonical, drop_page_markers
from .metadata import find_title, infer_year, normalize_agency
from .pre2019 import StatisticsTable, read_statistics
from .readers import read_document
from .tables import TableResult, extract_table2, extract_table3, extract_table4
from .text import Compacted, normalize

_PRE2019_MARKERS = (
    "政府信息公开情况统计表",
    "主动公开政府信息数",
    "受理依申请公开",
    "同意公开",
    "不同意公开",
    "免予公开",
    "依申请公开信息总数",
    "统计指标",
)


@dataclass
class ParsedReport:
    """Everything read from one file; `records` turns it into staging rows and JSON."""

    file_name: str
    source_path: str
    content_hash: str
    file_format: str
    byte_size: int
    source_mtime: datetime | None = None  # the file's modification time (UTC, naive): the newer version wins
    agency_raw: str | None = None
    agency_name: str | None = None
    year: int | None = None
    template: str | None = None
    is_hybrid: bool = False
    agency: AgencyResolution | None = None
    table2: TableResult | None = None
    table3: TableResult | None = None
    table4: TableResult | None = None
    statistics: StatisticsTable | None = None  # the pre-2019 统计表 (template pre2019)
    checks: list[Check] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def report_id(self) -> str:
        return self.content_hash[:16]

    @property
    def parse_status(self) -> str:
        if self.template is None or (self.template != "pre2019" and self.table3 is None):
            return "failed"
        return "flagged" if any(i.severity != Severity.INFO for i in self.issues) else "parsed"

    @property
    def quality_status(self) -> str:
        if any(c.holds is False for c in self.checks) or any(i.code == IssueCode.NEGATIVE_COUNT for i in self.issues):
            return "inconsistent"
        if self.checks and all(c.assessable for c in self.checks):
            return "consistent"
        return "not_assessable"


def parse_file(path: Path) -> ParsedReport:
    """Read and parse one report file of any supported format. Unreadable input gives a
    report with issues, not an exception; a parser bug may still raise (see `parse_safely`)."""
    with open(path, "rb") as f:  # one open: the bytes and the modification time (as `file_mtime`)
        mtime = _utc_naive(os.fstat(f.fileno()).st_mtime)
        data = f.read()
    doc = read_document(path, data)
    report = ParsedReport(
        path.name,
        os.path.realpath(path),
        hashlib.sha256(data).hexdigest(),
        doc.file_format,
        len(data),
        mtime,
    )
    report.issues += doc.issues
    if not doc.readable:
        report.issues.append(Issue(IssueCode.UNREADABLE, "no text could be read from the file"))
        return report
    parse_text(report, doc.text)
    return report


def file_mtime(path: Path) -> datetime:
    """A file's modification time (UTC, naive): which of two versions of a report is newer."""
    return _utc_naive(path.stat().st_mtime)


def _utc_naive(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC).replace(tzinfo=None)


def parse_text(report: ParsedReport, raw_text: str) -> ParsedReport:
    """Fill `report` from the text a reader produced: agency, year, template, the three tables,
    and every issue the identities and the structure of the tables raise."""
    raw_text, markers = drop_page_markers(raw_text)
    text = canonical(normalize(raw_text))
    doc = Compacted(text)
    issue = report.issues.append
    if markers:
        issue(
            Issue(IssueCode.PAGE_MARKER_DROPPED, f"{markers} page numbers printed inside lines (第N页, — N —) dropped")
        )

    title, agency, year = find_title(text)
    report.agency_raw, report.agency_name = agency, normalize_agency(agency)
    report.agency = resolve_agency(title, text, report.file_name, report.agency_name, doc.compact)
    if report.agency_name is None:
        where = f"; the text places it in {report.agency.region_name}" if report.agency.region_name else ""
        issue(Issue(IssueCode.AGENCY_NOT_NAMED, f"the report never names its agency in a title{where}"))
    elif report.agency.region_code is None:
        issue(
            Issue(
                IssueCode.AGENCY_REGION_UNRESOLVED,
                f"{report.agency_name} could not be placed in the administrative divisions",
            )
        )
    report.year = year or infer_year(text)
    if year is None:
        issue(
            Issue(
                IssueCode.YEAR_INFERRED,
                f"no title year; year {report.year} inferred from the text"
                if report.year
                else "the year reported on could not be determined",
                severity=Severity.INFO if report.year else Severity.WARNING,
            )
        )

    report.table3 = extract_table3(doc)
    report.table4 = extract_table4(doc, report.table3.end if report.table3 else 0)
    t2_end = report.table3.start if report.table3 else (report.table4.start if report.table4 else len(doc.compact))
    report.table2 = extract_table2(doc, t2_end)
    _decide_template(report, doc)
    if report.template == "pre2019":
        _read_statistics(report, doc)
    if report.template in ("2019", "2021"):
        tables = {"table2": report.table2, "table3": report.table3, "table4": report.table4}
        if report.table3:
            _place_lone_total(report.table3, doc, report.issues)
        report.issues += row_issues(tables)
        report.checks, identity_issues = check_identities(tables)
        report.issues += identity_issues
        if report.table3:
            report.issues += check_narrative(report.table2, report.table3, doc)
    return report


def _read_statistics(report: ParsedReport, doc: Compacted) -> None:
    report.statistics = read_statistics(doc)
    if report.statistics is None:
        report.issues.append(
            Issue(
                IssueCode.PRE2019_TABLE_NOT_FOUND,
                "no 政府信息公开情况统计表 (指标名称 | 计量单位 | 本年度 …) was found",
            )
        )
    else:
        report.issues += report.statistics.issues


def _decide_template(report: ParsedReport, doc: Compacted) -> None:
    t2 = report.table2.variant if report.table2 else None
    t3 = report.table3.variant if report.table3 else None
    if t2 is None and t3 is None and report.table4 is None:
        if any(m in doc.compact for m in _PRE2019_MARKERS) or (report.year and report.year < 2019):
            report.template = "pre2019"
            report.issues.append(
                Issue(
                    IssueCode.PRE2019_TEMPLATE,
                    "pre-2019 report: its statistics (if any) do not follow the 2019+ tables",
                )
            )
        else:
            report.issues.append(Issue(IssueCode.TABLES_NOT_FOUND, "no statistics table could be located"))
        return
    report.template = "2021" if "2021" in (t2, t3) else "2019"
    if t2 == "2021" and t3 == "2019":
        report.is_hybrid = True
        report.issues.append(
            Issue(IssueCode.TEMPLATE_HYBRID, "2021-format report using the 2019 single （六）其他处理 row")
        )
    for name, table in (("table2", report.table2), ("table3", report.table3), ("table4", report.table4)):
        if table is None:
            report.issues.append(Issue(IssueCode.TABLE_NOT_FOUND, f"{name} could not be located", table_id=name))


_LONE_NUMBER = re.compile(r"^[ \t]*(\d+)[ \t]*$", re.MULTILINE)


def _place_lone_total(t3: TableResult, doc: Compacted, issues: list[Issue]) -> None:
    """PDF-to-text converters sometimes lift a cell out of its row onto a line of its own. A
    表三 row whose total cell is blank takes such a lone number only when it is the one lone
    number in the table, the one row with a blank total, and equal to the row's sum (T3-C)."""
    if t3.start < 0:
        return
    blank = [
        (k, r)
        for k, r in t3.rows.items()
        if r.cells and r.cells[-1].value_class == "blank" and all(c.value is not None for c in r.cells[:-1])
    ]
    if len(blank) != 1:
        return  # (most tables: the text is not searched)
    lone = list(_LONE_NUMBER.finditer(doc.text, doc.origin(t3.start), doc.origin(t3.end)))
    if len(lone) != 1:
        return
    key, row = blank[0]
    number = float(lone[0].group(1))
    if number != sum(c.value or 0.0 for c in row.cells[:-1]):
        return
    row.cells = (*row.cells[:-1], Cell(lone[0].group(1), number, "number"))
    line = doc.text.count("\n", 0, lone[0].start()) + 1
    issues.append(
        Issue(
            IssueCode.CELL_RELOCATED,
            f"table3 row {key}: its total cell is blank and the number {lone[0].group(1)} stands alone on line {line}, "
            "the only such number in the table; it equals the row's sum (T3-C), so it is read as that total",
            f"table3.{key}.total",
            table_id="table3",
            row_key=key,
        )
    )


def cell_value(cell: Cell) -> float | int | None:
    """A cell's value for JSON: whole numbers as int."""
    if cell.value is None:
        return None
    return int(cell.value) if float(cell.value).is_integer() else cell.value
