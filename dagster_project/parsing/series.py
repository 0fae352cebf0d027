"""Decide ambiguous 表二 rows with the same agency's neighbouring years.

Crawler text glues a 表二 row's cells together (``行政许可3960181``) and no identity inside the
report decides the cut. Two cross-year identities (see ARCHITECTURE.md, "The identities") do, when the agency's report
for the year before or after is at hand:

- X-3 (2019 format): 上一年项目数量(t) = 上一年项目数量(t−1) + 本年增/减(t−1);
- X-2 (2021 format): 现行有效件数(t) = 现行有效件数(t−1) + 本年制发件数(t) − 本年废止件数(t).

Every row keeps the candidate readings that have a compatible reading in each neighbouring
year (pruned to a fixpoint along the agency's series); an ambiguous row left with exactly one
reading is decided. The identities are soft — reforms and clean-ups break them — so a pair of
years with no compatible readings at all constrains nothing, and a printed (unambiguous) row
is never changed.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from . import vocabulary as V
from .catalogue import IssueCode, RowMethod, Severity
from .identities import sums_to, total_of
from .issues import format_values, row_issue
from .plausibility import choose
from .records import frames
from .report import ParsedReport

Frame = pl.DataFrame | pl.LazyFrame

Values = tuple[float | None, ...]


def _x3(before: Values, after: Values) -> bool | None:
    """(上一年项目数量, 本年增/减, …) of t−1 and t."""
    return sums_to(before[:2], after[0])


def _x2(before: Values, after: Values) -> bool | None:
    """(本年制发件数, 本年废止件数, 现行有效件数) of t−1 and t."""
    return sums_to([before[2], after[0]], total_of([after[1], after[2]]))


# (表二 variant, item) → (identity, check of a reading of year t−1 against one of year t)
CONSTRAINTS: dict[tuple[str, str], tuple[str, Callable[[Values, Values], bool | None]]] = {
    **{("2019", item): ("X-3", _x3) for item in V.T2_2019_PROJECT_ITEMS},
    **{("2021", item): ("X-2", _x2) for item in V.T2_DOCUMENT_ITEMS},
}


@dataclass
class SeriesRow:
    """One 表二 row of one report, as the series sees it."""

    report: str  # any key the caller uses for the report
    agency: str
    year: int
    variant: str  # 表二 variant: 2019 | 2021
    item: str
    readings: list[Values]  # one reading when printed unambiguously; several when ambiguous
    ambiguous: bool


@dataclass(frozen=True)
class Decision:
    """An open 表二 row decided: its values, by which identity (or plausibility), with which neighbours."""

    report: str
    item: str
    values: Values
    identity: str  # X-2 | X-3 | plausibility
    neighbours: tuple[str, ...]  # the reports whose rows narrowed it
    rules: tuple[str, ...] = ()  # plausibility: the rules that left this reading
    others: tuple[Values, ...] = ()  # plausibility: the readings set aside

    @property
    def code(self) -> IssueCode:
        if self.identity == "plausibility":
            return IssueCode.CELLS_CHOSEN_BY_PLAUSIBILITY
        return IssueCode.CELLS_DECIDED_ACROSS_YEARS


Pruned = tuple[SeriesRow, list[Values], str | None, tuple[str, ...]]


def _prune(rows: list[SeriesRow]) -> list[Pruned]:
    """Every ambiguous row with the readings its neighbouring years leave: (row, live readings,
    identity used or None, neighbour reports used)."""
    series: dict[tuple, dict[int, list[SeriesRow]]] = defaultdict(lambda: defaultdict(list))
    out: list[Pruned] = []
    for row in rows:
        if (row.variant, row.item) in CONSTRAINTS and row.readings and row.agency:
            series[(row.agency, row.variant, row.item)][row.year].append(row)
        elif row.ambiguous:
            out.append((row, list(row.readings), None, ()))
    for (_, variant, item), by_year in series.items():
        identity, check = CONSTRAINTS[(variant, item)]
        years = sorted(y for y, found in by_year.items() if len(found) == 1)  # two versions: undecided
        live = {y: list(by_year[y][0].readings) for y in years}
        pairs = [(a, b) for a, b in itertools.pairwise(years) if b == a + 1]
        used: dict[int, set[int]] = defaultdict(set)
        changed = True
        while changed:
            changed = False
            for a, b in pairs:
                keep_a = [r for r in live[a] if any(check(r, s) for s in live[b])]
                keep_b = [s for s in live[b] if any(check(r, s) for r in live[a])]
                if not keep_a or not keep_b:
                    continue  # the identity does not hold between these years: it decides nothing
                if len(keep_a) < len(live[a]) or len(keep_b) < len(live[b]):
                    live[a], live[b], changed = keep_a, keep_b, True
                    used[a].add(b)
                    used[b].add(a)
        for found in by_year.values():
            for row in found:
                if not row.ambiguous:
                    continue
                if len(found) == 1 and used[row.year]:
                    out.append(
                        (row, live[row.year], identity, tuple(by_year[n][0].report for n in sorted(used[row.year])))
                    )
                else:
                    out.append((row, list(row.readings), None, ()))
    return out


def decide(rows: list[SeriesRow], plausibility: bool = False) -> list[Decision]:
    """The ambiguous rows that the neighbouring years decide; with `plausibility`, also those
    the plausibility rules settle among the readings the neighbours leave."""
    decisions = []
    for row, live, identity, neighbours in _prune(rows):
        if identity and len(live) == 1:
            decisions.append(Decision(row.report, row.item, live[0], identity, neighbours))
        elif plausibility and (chosen := choose(row.variant, row.item, live)):
            values, rules = chosen
            decisions.append(
                Decision(
                    row.report,
                    row.item,
                    values,
                    "plausibility",
                    neighbours,
                    tuple(rules),
                    tuple(r for r in row.readings if r != values),
                )
            )
    return decisions


def describe(d: Decision, names: dict[str, tuple[str, int]]) -> str:
    """The issue text of a decision; `names` maps report keys to (file name, year)."""
    others = ", ".join(f"{names[n][0]} ({names[n][1]})" for n in d.neighbours)
    if d.identity != "plausibility":
        return (
            f"table2 row {d.item}: the printed digits allow several readings; identity {d.identity} with "
            f"{others} leaves one, {format_values(d.values)}"
        )
    narrowed = f"the neighbouring year ({others}) narrows them; " if others else ""
    return (
        f"table2 row {d.item}: the printed digits allow several readings; {narrowed}"
        f"{format_values(d.values)} is chosen as the only one where {' and '.join(d.rules)} "
        f"(set aside: {'; '.join(format_values(o) for o in d.others[:6])}{' …' if len(d.others) > 6 else ''})"
    )


def link_reports(reports: list[ParsedReport]) -> int:
    """Decide the ambiguous 表二 rows of parsed reports with their neighbours in the same list
    and the plausibility rules, exactly as a refresh does over the staged tables; each decision
    replaces the row's `cells_ambiguous` error with a warning (`cells_decided_across_years` or
    `cells_chosen_by_plausibility`). Returns the number of rows decided."""
    same: dict[str, list[ParsedReport]] = {}  # identical files share an id: decided once, for each of them
    for r in reports:
        same.setdefault(r.report_id, []).append(r)
    tables = frames([group[0] for group in same.values()])
    decided = decide_staged(tables["reports"], tables["cells"], tables["issues"])
    rows = decided.group_by("report_id", "row_key", maintain_order=True).agg(
        pl.col("value"), pl.first("code", "identity", "message")
    )
    for report_id, item, values, code, identity, message in rows.iter_rows():
        for report in same[report_id]:
            if report.table2 is None or item not in report.table2.rows:
                continue
            row = report.table2.rows[item]
            cells = next((c for c in row.candidates if [x.value for x in c] == values), None)
            if cells is None:  # not a reading of this row: leave it open rather than guess
                continue
            row.cells, row.method, row.candidates = cells, RowMethod.DECIDED, []
            report.issues[:] = [
                i
                for i in report.issues
                if not (i.code == IssueCode.CELLS_AMBIGUOUS and i.table_id == "table2" and i.row_key == item)
            ]
            report.issues.append(
                row_issue(
                    IssueCode(code), "table2", item, message, row.place, identity=identity, severity=Severity.WARNING
                )
            )
    return rows.height


DECISIONS = {
    "report_id": pl.Utf8,
    "table_id": pl.Utf8,
    "row_key": pl.Utf8,
    "col_key": pl.Utf8,
    "value": pl.Float64,
    "identity": pl.Utf8,
    "code": pl.Utf8,
    "message": pl.Utf8,
}  # the staged table `decisions`: one row per decided cell


def decide_staged(reports: Frame, cells: Frame, issues: Frame) -> pl.DataFrame:
    """The decisions over staged tables (Polars frames or lazy frames): one row per decided
    cell. Only the agencies with an ambiguous 表二 row are read, so the cost follows the ambiguity."""
    meta = reports.lazy().select("report_id", "file_name", "agency_name", "report_year", "template")
    open_rows = (
        issues.lazy()
        .filter((pl.col("code") == IssueCode.CELLS_AMBIGUOUS.value) & (pl.col("table_id") == "table2"))
        .select("report_id", "row_key", "candidates")
        .join(meta, on="report_id")
        .collect()
    )
    if open_rows.is_empty():
        return pl.DataFrame(schema=DECISIONS)
    agencies = open_rows["agency_name"].drop_nulls().unique().to_list()
    # the printed rows of agencies with a report for a neighbouring year: they may decide
    linked = (
        meta.filter(pl.col("agency_name").is_in(agencies))
        .filter(pl.col("report_year").n_unique().over("agency_name") > 1)
        .collect()
    )
    printed = (
        cells.lazy()
        .filter(pl.col("table_id") == "table2")
        .join(linked.lazy().select("report_id"), on="report_id")
        .join(open_rows.lazy().select("report_id", "row_key"), on=["report_id", "row_key"], how="anti")
        .group_by("report_id", "row_key")
        .agg("col_key", "value")
        .collect()
    )
    metrics = {(v, i.key): i.metrics for v, items in V.T2_ITEMS.items() for i in items}
    info = {r["report_id"]: r for r in pl.concat([open_rows.select(linked.columns), linked]).iter_rows(named=True)}
    rows = [
        SeriesRow(
            r["report_id"],
            r["agency_name"],
            r["report_year"],
            r["template"],
            r["row_key"],
            [tuple(c) for c in r["candidates"]],
            True,
        )
        for r in open_rows.iter_rows(named=True)
    ]
    for r in printed.iter_rows(named=True):
        meta_r = info[r["report_id"]]
        order = metrics.get((meta_r["template"], r["row_key"]))
        if order and set(order) == set(r["col_key"]):
            by_col = dict(zip(r["col_key"], r["value"]))
            rows.append(
                SeriesRow(
                    r["report_id"],
                    meta_r["agency_name"],
                    meta_r["report_year"],
                    meta_r["template"],
                    r["row_key"],
                    [tuple(by_col[m] for m in order)],
                    False,
                )
            )
    out, names = [], {k: (r["file_name"], r["report_year"]) for k, r in info.items()}
    for d in decide(rows, plausibility=True):
        order = metrics[(info[d.report]["template"], d.item)]
        message = describe(d, names)
        out += [(d.report, "table2", d.item, m, v, d.identity, d.code, message) for m, v in zip(order, d.values)]
    return pl.DataFrame(out, schema=DECISIONS, orient="row")
