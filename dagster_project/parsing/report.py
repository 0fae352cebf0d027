"""Parse one report file: metadata, 表二/表三/表四 cells with provenance, and its issues."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import vocabulary as V
from .agency import AgencyResolution, resolve_agency
from .cells import Cell
from .identities import Check, table3_checks, table4_checks
from .issues import Issue, format_values
from .layout import canonical
from .metadata import find_title, infer_year, normalize_agency
from .narrative import statements
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
    file_name: str
    source_path: str
    content_hash: str
    file_format: str
    byte_size: int
    agency_raw: str | None = None
    agency_name: str | None = None
    year: int | None = None
    template: str | None = None
    is_hybrid: bool = False
    agency: AgencyResolution | None = None
    table2: TableResult | None = None
    table3: TableResult | None = None
    table4: TableResult | None = None
    checks: list[Check] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def report_id(self) -> str:
        return self.content_hash[:16]

    @property
    def parse_status(self) -> str:
        if self.template is None or (self.template != "pre2019" and self.table3 is None):
            return "failed"
        return "flagged" if any(i.severity != "info" for i in self.issues) else "parsed"

    @property
    def quality_status(self) -> str:
        if any(c.holds is False for c in self.checks) or any(i.code == "negative_count" for i in self.issues):
            return "inconsistent"
        if self.checks and all(c.assessable for c in self.checks):
            return "consistent"
        return "not_assessable"


def parse_file(path: Path) -> ParsedReport:
    data = path.read_bytes()
    doc = read_document(path)
    report = ParsedReport(path.name, str(path.resolve()), hashlib.sha256(data).hexdigest(), doc.file_format, len(data))
    report.issues += [Issue(i.code, i.severity, i.message, i.place) for i in doc.issues]
    if not doc.readable:
        report.issues.append(Issue("unreadable", "error", "no text could be read from the file"))
        return report
    parse_text(report, doc.text)
    return report


def parse_text(report: ParsedReport, raw_text: str) -> ParsedReport:
    text = canonical(normalize(raw_text))
    doc = Compacted(text)
    issue = report.issues.append

    title, agency, year = find_title(text)
    report.agency_raw, report.agency_name = agency, normalize_agency(agency)
    report.agency = resolve_agency(title, text, report.file_name, report.agency_name)
    if report.agency_name is None:
        where = f"; the text places it in {report.agency.region_name}" if report.agency.region_name else ""
        issue(Issue("agency_not_named", "warning", f"the report never names its agency in a title{where}"))
    elif report.agency.region_code is None:
        issue(
            Issue(
                "agency_region_unresolved",
                "warning",
                f"{report.agency_name} could not be placed in the administrative divisions",
            )
        )
    report.year = year or infer_year(text)
    if year is None:
        issue(
            Issue(
                "year_inferred",
                "info" if report.year else "warning",
                f"no title year; year {report.year} inferred from the text"
                if report.year
                else "the year reported on could not be determined",
            )
        )

    report.table3 = extract_table3(doc)
    report.table4 = extract_table4(doc, report.table3.end if report.table3 else 0)
    t2_end = report.table3.start if report.table3 else (report.table4.start if report.table4 else len(doc.compact))
    report.table2 = extract_table2(doc, t2_end)
    _decide_template(report, doc)
    if report.template in ("2019", "2021"):
        _place_lone_total(report, doc)
        _row_issues(report)
        _check_identities(report)
        _check_narrative(report, doc)
    return report


def _decide_template(report: ParsedReport, doc: Compacted) -> None:
    t2 = report.table2.variant if report.table2 else None
    t3 = report.table3.variant if report.table3 else None
    if t2 is None and t3 is None and report.table4 is None:
        if any(m in doc.compact for m in _PRE2019_MARKERS) or (report.year and report.year < 2019):
            report.template = "pre2019"
            report.issues.append(
                Issue(
                    "pre2019_template",
                    "warning",
                    "pre-2019 report: its statistics (if any) do not follow the 2019+ tables",
                )
            )
        else:
            report.issues.append(Issue("tables_not_found", "error", "no statistics table could be located"))
        return
    report.template = "2021" if "2021" in (t2, t3) else "2019"
    if t2 == "2021" and t3 == "2019":
        report.is_hybrid = True
        report.issues.append(
            Issue("template_hybrid", "info", "2021-format report using the 2019 single （六）其他处理 row")
        )
    for name, table in (("table2", report.table2), ("table3", report.table3), ("table4", report.table4)):
        if table is None:
            report.issues.append(Issue("table_not_found", "error", f"{name} could not be located"))


_LONE_NUMBER = re.compile(r"^[ \t]*(\d+)[ \t]*$", re.MULTILINE)


def _place_lone_total(report: ParsedReport, doc: Compacted) -> None:
    """PDF-to-text converters sometimes lift a cell out of its row onto a line of its own. A
    表三 row whose total cell is blank takes such a lone number only when it is the one lone
    number in the table, the one row with a blank total, and equal to the row's sum (T3-C)."""
    t3 = report.table3
    if t3 is None or t3.start < 0:
        return
    lone = list(_LONE_NUMBER.finditer(doc.text, doc.origin(t3.start), doc.origin(t3.end)))
    blank = [
        (k, r)
        for k, r in t3.rows.items()
        if r.cells and r.cells[-1].value_class == "blank" and all(c.value is not None for c in r.cells[:-1])
    ]
    if len(lone) != 1 or len(blank) != 1:
        return
    key, row = blank[0]
    number = float(lone[0].group(1))
    if number != sum(c.value for c in row.cells[:-1]):
        return
    row.cells = row.cells[:-1] + (Cell(lone[0].group(1), number, "number"),)
    line = doc.text.count("\n", 0, lone[0].start()) + 1
    report.issues.append(
        Issue(
            "cell_relocated",
            "warning",
            f"table3 row {key}: its total cell is blank and the number {lone[0].group(1)} stands alone on line {line}, "
            "the only such number in the table; it equals the row's sum (T3-C), so it is read as that total",
            f"table3.{key}.total",
        )
    )


def _row_issues(report: ParsedReport) -> None:
    issue = report.issues.append
    split_rows = []
    for name, table in (("table2", report.table2), ("table3", report.table3), ("table4", report.table4)):
        if table is None:
            continue
        for key, row in table.rows.items():
            place = f"{name}.{key}" + (f" ({row.place})" if row.place else "")
            if row.fuzzy_score is not None:
                issue(
                    Issue(
                        "label_fuzzy_match",
                        "info",
                        f"{name} row {key}: printed label “{row.label}” matched the official wording "
                        f"approximately (score {row.fuzzy_score:g} ≥ threshold)",
                        place,
                    )
                )
            if row.method == "missing":
                issue(Issue("row_not_found", "warning", f"{name} row {key} is not in the report", place))
            elif row.method == "unresolved":
                options = "; ".join(format_values(c.value for c in cand) for cand in row.candidates[:8])
                issue(
                    Issue(
                        "cells_ambiguous",
                        "error",
                        f"{name} row {key}: the printed digits allow several readings; cells they all agree "
                        f"on are kept, the others left blank: {options}",
                        place,
                        candidates=tuple(tuple(c.value for c in cand) for cand in row.candidates),
                    )
                )
            elif row.method == "unreadable":
                issue(Issue("row_unreadable", "error", f"{name} row {key}: no reading fits the row", place))
            elif row.method.startswith("split"):
                split_rows.append(f"{name}.{key}")
            elif row.method.startswith("by_order"):
                issue(
                    Issue(
                        "values_matched_by_order",
                        "warning",
                        f"{name} row {key}: its numbers are printed apart from its label; they were "
                        "matched by order and every identity of the table holds with them",
                        place,
                    )
                )
            elif row.method.startswith("rejoined"):
                issue(
                    Issue(
                        "digits_rejoined",
                        "warning",
                        f"{name} row {key} prints one piece more than its cells; two adjacent digit "
                        "pieces were read as one number because only that reading meets the row sum",
                        place,
                    )
                )
            elif row.method == "short_row":
                printed = [c.value for c in row.candidates[0] if c.value_class != "missing"]
                options = "; ".join(format_values(c.value for c in cand) for cand in row.candidates[:8])
                placed = any(c.value_class != "missing" for c in row.cells)
                outcome = (
                    f"read from the row's edges as {format_values(c.value for c in row.cells)}"
                    if placed
                    else "they are left blank"
                )
                issue(
                    Issue(
                        "row_cut_short",
                        "warning" if placed else "error",
                        f"{name} row {key} prints {len(printed)} of its {len(row.cells)} cells "
                        f"{format_values(printed)} and not which columns they fill; {outcome} (placements: {options})",
                        place,
                        candidates=tuple(tuple(c.value for c in cand) for cand in row.candidates),
                    )
                )
            if any(c.reconstructed for c in row.cells):
                values = format_values(c.value for c in row.cells)
                issue(
                    Issue(
                        "cell_reconstructed",
                        "warning",
                        f"{name} row {key} prints one cell fewer than the format; the identities "
                        f"determine the row uniquely as {values} (the cell marked reconstructed is "
                        "the first position that fits; the printed numbers are kept)",
                        place,
                    )
                )
    if split_rows:
        issue(
            Issue(
                "digits_split",
                "info",
                f"{len(split_rows)} rows printed without cell separators were split using the identities",
                ", ".join(split_rows[:6]) + (" …" if len(split_rows) > 6 else ""),
            )
        )


def _check_identities(report: ParsedReport) -> None:
    if report.table3:
        grid = {k: [c.value for c in r.cells] for k, r in report.table3.rows.items() if r.method != "missing"}
        report.checks += table3_checks(grid, report.table3.variant)
    if report.table4:
        report.checks += table4_checks({k: [c.value for c in r.cells] for k, r in report.table4.rows.items()})
    for check in report.checks:
        if check.holds is False:
            report.issues.append(
                Issue(
                    "identity_broken",
                    "warning",
                    f"{check.identity} fails at {check.place}: printed {check.reported:g}, "
                    f"components sum to {check.recomputed:g} (published numbers kept as printed)",
                    check.place,
                    check.identity,
                    check.reported,
                    check.recomputed,
                    check.delta,
                )
            )
    if report.table2 and report.table2.variant:
        metrics = {i.key: i.metrics for i in V.T2_ITEMS[report.table2.variant]}
        for key, row in report.table2.rows.items():
            if any(
                c.value is not None and c.value < 0 and m not in V.T2_SIGNED_METRICS
                for m, c in zip(metrics[key], row.cells)
            ):
                report.issues.append(
                    Issue("negative_count", "error", f"table2 {key} has a negative count", f"table2.{key}")
                )
    for name, table in (("table3", report.table3), ("table4", report.table4)):
        for key, row in table.rows.items() if table else ():
            values = [c.value for c in row.cells]
            if any(v is not None and v < 0 for v in values):
                report.issues.append(
                    Issue("negative_count", "error", f"{name} {key} has a negative count", f"{name}.{key}")
                )
            if values[-1] is None and row.cells[-1].value_class == "blank" and any(v for v in values[:-1]):
                report.issues.append(
                    Issue(
                        "total_not_filled",
                        "warning",
                        f"{name} {key}: total cell blank while components are non-zero",
                        f"{name}.{key}.total",
                    )
                )
    blanks = sum(
        c.value_class == "blank" for t in (report.table3, report.table4) if t for r in t.rows.values() for c in r.cells
    )
    if blanks:
        report.issues.append(
            Issue(
                "blank_cells",
                "info",
                f"{blanks} cells of 表三/表四 are blank (kept as null, not 0); identities over them are not assessable",
            )
        )


def _check_narrative(report: ParsedReport, doc: Compacted) -> None:
    """Direct prose statements vs the table's total column (not the tables' own text)."""
    if not report.table3:
        return
    t3 = report.table3
    prose = doc.text[: doc.origin(report.table2.start if report.table2 else t3.start)]
    total = {k: r.cells[6].value for k, r in t3.rows.items()}
    leaves = V.T3_OUTCOME_LEAVES[t3.variant]
    groups = {
        g: [total.get(k) for k in leaves if k.startswith(g) or (g == "unable" and k.startswith("unable"))]
        for g in ("withheld", "unable", "rejected")
    }
    expected = {
        "received": [
            total.get("new_received"),
            None
            if None in (total.get("new_received"), total.get("carried_over"))
            else total["new_received"] + total["carried_over"],
        ],
        "granted": [total.get("granted")],
        "partially_granted": [total.get("partially_granted")],
        "granted_or_partial": [
            None
            if None in (total.get("granted"), total.get("partially_granted"))
            else total["granted"] + total["partially_granted"]
        ],
        **{g: [None if None in vals else sum(vals)] for g, vals in groups.items()},
    }
    for st in statements(prose):
        table_values = [v for v in expected[st.topic] if v is not None]
        if table_values and st.number not in table_values:
            report.issues.append(
                Issue(
                    "narrative_table_mismatch",
                    "warning",
                    f"the text says “{st.quote}” ({st.number}) but 表三 gives {table_values[0]:g}",
                    f"text line {st.line}",
                    "X-5",
                    float(table_values[0]),
                    float(st.number),
                    float(table_values[0] - st.number),
                )
            )


def cell_value(cell: Cell) -> float | int | None:
    if cell.value is None:
        return None
    return int(cell.value) if float(cell.value).is_integer() else cell.value
