"""Decide open pre-2019 pairs with the same agency's neighbouring years (X-6).

A glued 统计表 row (``主动公开文件数212210037``) that its own report's bounds leave open is
decided by the agency's report for the year before or after: the cumulative count of year t is
that of year t−1 plus this year's (X-6: 历年累计(t) = 历年累计(t−1) + 本年度(t)). As for 表二 in
`series`, each row keeps the readings compatible with some reading of each neighbouring year,
pruned to a fixpoint, and the report's own bounds (part ≤ whole) are applied again after every
narrowing. A pair of years whose readings are never compatible constrains nothing (an agency may
restart its count, or be reorganized), two versions of one year decide nothing, and a row printed
unambiguously is never changed.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl

from .catalogue import IssueCode, Severity
from .identities import sums_to
from .issues import format_values, row_issue
from .pre2019 import TABLE_ID, Pair, StatisticsTable, decide_row, solve
from .report import ParsedReport

Frame = pl.DataFrame | pl.LazyFrame
IDENTITY = "X-6"
MAX_ROUNDS = 20


def x6(before: Pair, after: Pair) -> bool | None:
    """(本年度, 历年累计) of t−1 and t: 历年累计(t) = 历年累计(t−1) + 本年度(t)."""
    return sums_to([before[1], after[0]], after[1])


@dataclass
class SeriesTable:
    """One report's 统计表 as the series sees it: readings by indicator key, and which were open."""

    report: str
    agency: str
    year: int
    domains: dict[str, list[Pair]]
    parents: dict[str, str]
    open: set[str]
    neighbours: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PairDecision:
    """An open row decided: its pair and the neighbouring reports that narrowed its table."""

    report: str
    key: str
    values: Pair
    neighbours: tuple[str, ...]


def decide_pairs(tables: list[SeriesTable]) -> list[PairDecision]:
    """The open rows that the agencies' neighbouring years (and then the reports' own bounds) leave
    with one reading."""
    series: dict[str, dict[int, list[SeriesTable]]] = defaultdict(lambda: defaultdict(list))
    for t in tables:
        series[t.agency][t.year].append(t)
    for _ in range(MAX_ROUNDS):
        changed = False
        for by_year in series.values():
            years = sorted(y for y, found in by_year.items() if len(found) == 1)
            for a, b in itertools.pairwise(years):
                if b == a + 1:
                    changed |= _narrow(by_year[a][0], by_year[b][0])
        for t in tables:
            if t.neighbours:
                live, _ = solve(t.domains, t.parents)
                changed |= any(len(live[k]) < len(t.domains[k]) for k in live)
                t.domains = live
        if not changed:
            break
    return [
        PairDecision(t.report, k, t.domains[k][0], tuple(sorted(t.neighbours)))
        for t in tables
        for k in sorted(t.open)
        if len(t.domains.get(k, ())) == 1 and t.neighbours
    ]


def _narrow(before: SeriesTable, after: SeriesTable) -> bool:
    changed = False
    for key in sorted((before.open | after.open) & before.domains.keys() & after.domains.keys()):
        live_a, live_b = before.domains[key], after.domains[key]
        keep_a = [r for r in live_a if any(x6(r, s) for s in live_b)]
        keep_b = [s for s in live_b if any(x6(r, s) for r in live_a)]
        if not keep_a or not keep_b:
            continue  # the identity does not hold between these years: it decides nothing
        if len(keep_a) < len(live_a) or len(keep_b) < len(live_b):
            before.domains[key], after.domains[key], changed = keep_a, keep_b, True
            before.neighbours.add(after.report)
            after.neighbours.add(before.report)
    return changed


def decide_statistics_staged(meta: Frame, statistics: Frame) -> list[tuple]:
    """The decisions over the staged `pre2019_statistics` rows, as rows of the staged table
    `decisions` (see `series.DECISIONS`). `meta`: report_id, file_name, agency_name, report_year.
    Only the agencies with an open row are read."""
    stats = statistics.lazy().filter(pl.col("indicator_key").is_not_null())
    open_ids = stats.filter(pl.col("status") == "open").select("report_id").unique()
    agencies = meta.lazy().join(open_ids, on="report_id").select("agency_name").drop_nulls().unique()
    linked = (
        meta.lazy()
        .join(agencies, on="agency_name")
        .filter(pl.col("report_year").is_not_null() & (pl.col("report_year").n_unique().over("agency_name") > 1))
        .collect()
    )
    if linked.is_empty():
        return []
    rows = (
        stats.join(linked.lazy().select("report_id"), on="report_id")
        .filter(pl.col("status").is_in(["printed", "decided", "open"]))
        .collect()
    )
    info = {r["report_id"]: r for r in linked.iter_rows(named=True)}
    tables: dict[str, SeriesTable] = {}
    for r in rows.iter_rows(named=True):
        m = info[r["report_id"]]
        t = tables.setdefault(
            r["report_id"], SeriesTable(r["report_id"], m["agency_name"], m["report_year"], {}, {}, set())
        )
        if r["status"] == "open":
            t.domains[r["indicator_key"]] = [(c[0], c[1]) for c in r["candidates"]]
            t.open.add(r["indicator_key"])
        else:
            t.domains[r["indicator_key"]] = [(r["this_year"], r["cumulative"])]
        if r["parent_key"]:
            t.parents[r["indicator_key"]] = r["parent_key"]
    names = {k: (m["file_name"], m["report_year"]) for k, m in info.items()}
    out = []
    for d in decide_pairs(list(tables.values())):
        message = describe(d, names)
        code = IssueCode.PRE2019_DECIDED_ACROSS_YEARS.value
        out += [(d.report, TABLE_ID, d.key, col, v, IDENTITY, code, message) for col, v in zip(COLUMNS, d.values)]
    return out


COLUMNS = ("this_year", "cumulative")  # the decisions' col_key of the two values


def describe(d: PairDecision, names: dict[str, tuple[str, int]]) -> str:
    """The issue text of a decision; `names` maps report keys to (file name, year)."""
    others = ", ".join(f"{names[n][0]} ({names[n][1]})" for n in d.neighbours)
    return (
        f"{TABLE_ID} row {d.key}: the printed digits allow several this-year/cumulative readings; "
        f"identity {IDENTITY} with {others} and the report's own bounds leave one, {format_values(d.values)}"
    )


def apply_decisions(reports: dict[str, list[ParsedReport]], decided: pl.DataFrame) -> int:
    """Lay decisions (rows of the staged `decisions` table for this table) over parsed reports:
    the row takes the pair, and its `cells_ambiguous` error becomes the decision's warning.
    Returns the number of rows decided."""
    rows = decided.group_by("report_id", "row_key", maintain_order=True).agg(
        pl.col("col_key"), pl.col("value"), pl.first("message")
    )
    for report_id, key, cols, values, message in rows.iter_rows():
        pair = dict(zip(cols, values))
        for report in reports.get(report_id, []):
            if report.statistics is not None:
                _apply(report, report.statistics, key, (pair.get(COLUMNS[0]), pair.get(COLUMNS[1])), message)
    return rows.height


def _apply(report: ParsedReport, table: StatisticsTable, key: str, pair: Pair, message: str) -> None:
    row = next((r for r in table.rows if r.key == key and r.status == "open"), None)
    if row is None or pair not in row.candidates:  # not a reading of this row: leave it open rather than guess
        return
    decide_row(row, pair, "across_years")
    report.issues[:] = [
        i
        for i in report.issues
        if not (i.code == IssueCode.CELLS_AMBIGUOUS and i.table_id == TABLE_ID and i.row_key == key)
    ]
    report.issues.append(
        row_issue(
            IssueCode.PRE2019_DECIDED_ACROSS_YEARS,
            TABLE_ID,
            key,
            message,
            row.place,
            identity=IDENTITY,
            severity=Severity.WARNING,
        )
    )
