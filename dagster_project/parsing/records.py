"""A parsed report as records: the `ogi parse --json` object and the staging rows."""

from __future__ import annotations

from typing import Any, TypedDict

import polars as pl

from . import vocabulary as V
from .cells import MISSING
from .pre2019 import StatRow
from .report import ParsedReport, cell_value
from .schema import CELLS, PARSER_VERSION, TABLES

Value = float | int | None  # a cell as JSON (see `cell_value`)


class ReportJson(TypedDict):
    """The `ogi parse --json` object of one report."""

    file: str
    report_id: str
    agency: str | None
    agency_as_printed: str | None
    year: int | None
    template: str | None
    table2_variant: str | None
    table3_variant: str | None
    is_hybrid: bool
    parse_status: str
    agency_kind: str | None
    region_code: str | None
    quality_status: str
    table2: dict[str, dict[str, Value]]  # item -> metric -> value
    table3: dict[str, list[Value]]  # row -> the seven applicant columns
    table4: list[Value]  # the five blocks' five results, in order
    statistics: list[dict[str, Any]]  # pre2019: the 统计表's rows (see `statistics_rows`)
    issues: list[dict[str, Any]]


def _table3_rows(report: ParsedReport) -> tuple[str, ...]:
    # extract_table3 always sets the variant; without 表三 the template's rows are listed
    table3 = report.table3
    variant = table3.variant if table3 and table3.variant else ("2021" if report.template == "2021" else "2019")
    return tuple(r.key for r in V.T3_ROWS[variant])


def to_json(report: ParsedReport) -> ReportJson:
    """The answer-key shape (see the project README) plus file, issues and status fields."""
    table2: dict[str, dict[str, Value]] = {}
    table3: dict[str, list[Value]] = {}
    table4: list[Value] = []
    if report.template in ("2019", "2021"):
        if report.table2 and report.table2.variant:
            for item in V.T2_ITEMS[report.table2.variant]:
                row = report.table2.rows.get(item.key)
                if row is not None:
                    table2[item.key] = {m: cell_value(c) for m, c in zip(item.metrics, row.cells)}
        rows = report.table3.rows if report.table3 else {}
        for key in _table3_rows(report):
            cells = rows[key].cells if key in rows else (MISSING,) * 7
            table3[key] = [cell_value(c) for c in cells]
        t4 = report.table4.rows if report.table4 else {}
        table4 = [cell_value(c) for b in V.T4_BLOCKS for c in (t4[b].cells if b in t4 else (MISSING,) * 5)]
    return {
        "file": report.file_name,
        "report_id": report.report_id,
        "agency": report.agency_name,
        "agency_as_printed": report.agency_raw,
        "year": report.year,
        "template": report.template,
        "table2_variant": report.table2.variant if report.table2 else None,
        "table3_variant": report.table3.variant if report.table3 else None,
        "is_hybrid": report.is_hybrid,
        "parse_status": report.parse_status,
        "agency_kind": report.agency.kind if report.agency else None,
        "region_code": report.agency.region_code if report.agency else None,
        "quality_status": report.quality_status,
        "table2": table2,
        "table3": table3,
        "table4": table4,
        "statistics": [_statistics_json(r) for r in statistics_rows(report)],
        "issues": [i.as_dict() for i in report.issues],
    }


def report_row(report: ParsedReport) -> dict:
    """The report's row of the staging table `reports`."""
    return {
        "report_id": report.report_id,
        "content_hash": report.content_hash,
        "file_name": report.file_name,
        "source_path": report.source_path,
        "file_format": report.file_format,
        "byte_size": report.byte_size,
        "source_mtime": report.source_mtime,
        "agency_raw": report.agency_raw,
        "agency_name": report.agency_name,
        **_agency_fields(report),
        "report_year": report.year,
        "template": report.template,
        "table2_variant": report.table2.variant if report.table2 else None,
        "table3_variant": report.table3.variant if report.table3 else None,
        "is_hybrid": report.is_hybrid,
        "parse_status": report.parse_status,
        "quality_status": report.quality_status,
        "n_issues": len(report.issues),
        "parser_version": PARSER_VERSION,
    }


def _agency_fields(report: ParsedReport) -> dict:
    a = report.agency
    if a is None:
        return {
            "agency_kind": None,
            "agency_level": None,
            "region_code": None,
            "region_name": None,
            "prefecture_code": None,
            "prefecture_name": None,
            "province_code": None,
            "province_name": None,
            "agency_confidence": None,
            "agency_evidence": None,
        }
    return {
        "agency_kind": a.kind,
        "agency_level": a.level,
        "region_code": a.region_code,
        "region_name": a.region_name,
        "prefecture_code": a.prefecture_code,
        "prefecture_name": a.prefecture_name,
        "province_code": a.province_code,
        "province_name": a.province_name,
        "agency_confidence": a.confidence,
        "agency_evidence": "; ".join(a.evidence),
    }


def cell_rows(report: ParsedReport) -> list[dict]:
    """The report's rows of the staging table `cells`: every cell of 表二/表三/表四 as printed."""
    return [dict(zip(CELLS, values)) for values in _cell_values(report)]


def _cell_values(report: ParsedReport) -> list[tuple]:
    """The rows of `cell_rows`, as tuples in the order of the CELLS columns."""
    rows = []
    tables = (("table2", report.table2), ("table3", report.table3), ("table4", report.table4))
    for name, table in tables:
        if table is None or report.template not in ("2019", "2021"):
            continue
        for key, row in table.rows.items():
            if name == "table3":
                cols = V.APPLICANT_COLUMNS
            elif name == "table4":
                cols = V.T4_RESULTS
            else:
                assert table.variant is not None  # 表二 has rows only once its variant is known
                cols = next(i for i in V.T2_ITEMS[table.variant] if i.key == key).metrics
            label, place = row.label, row.place
            rows += [
                (report.report_id, name, key, col, label, c.raw, c.value, c.value_class, c.reconstructed, place)
                for col, c in zip(cols, row.cells)
            ]
    return rows


def statistics_rows(report: ParsedReport) -> list[dict]:
    """The report's rows of the staging table `pre2019_statistics`: its 统计表, row by row."""
    table = report.statistics
    if table is None:
        return []
    parents = table.parents()
    return [_statistics_row(report.report_id, r, parents, table.has_cumulative) for r in table.rows]


def _statistics_row(report_id: str, row: StatRow, parents: dict[str, str], has_cumulative: bool) -> dict:
    this_year, cumulative = row.values
    return {
        "report_id": report_id,
        "row_no": row.row_no,
        "indicator": row.label,
        "indicator_key": row.key,
        "parent_key": parents.get(row.key) if row.key else None,
        "unit": row.unit,
        "this_year": this_year,
        "cumulative": cumulative,
        "has_cumulative": has_cumulative,
        "raw_text": row.raw,
        "status": row.status,
        "decided_by": row.decided_by if row.status in ("printed", "decided") else None,
        "candidates": [list(c) for c in row.candidates] if row.status == "open" else None,
        "place": row.place,
    }


def _statistics_json(row: dict) -> dict[str, Any]:
    def number(v: float | None) -> Value:
        return int(v) if v is not None and float(v).is_integer() else v

    out = {k: v for k, v in row.items() if k not in ("report_id", "has_cumulative") and v is not None}
    out |= {"this_year": number(row["this_year"]), "cumulative": number(row["cumulative"])}
    if row["candidates"] is not None:
        out["candidates"] = [[number(v) for v in c] for c in row["candidates"]]
    return out


def issue_rows(report: ParsedReport) -> list[dict]:
    """The report's rows of the staging table `issues`."""
    return [
        {
            "report_id": report.report_id,
            "code": i.code,
            "severity": i.severity,
            "message": i.message,
            "place": i.place,
            "table_id": i.table_id,
            "row_key": i.row_key,
            "identity": i.identity,
            "reported": i.reported,
            "recomputed": i.recomputed,
            "delta": i.delta,
            "candidates": i.candidate_lists,
        }
        for i in report.issues
    ]


def frames(reports: list[ParsedReport]) -> dict[str, pl.DataFrame]:
    """The staging tables of some parsed reports, one frame per table of the contract."""
    rows = {
        "reports": [report_row(r) for r in reports],
        "issues": [i for r in reports for i in issue_rows(r)],
        "pre2019_statistics": [s for r in reports for s in statistics_rows(r)],
    }
    out = {name: pl.DataFrame(rows[name], schema=TABLES[name], orient="row") for name in rows}
    # a batch holds ~100k cells: tuples, not dicts, are about twice as fast to make and to load
    out["cells"] = pl.DataFrame([v for r in reports for v in _cell_values(r)], schema=CELLS, orient="row")
    return {name: out[name] for name in TABLES}
