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

What the neighbours leave open, the report's own text decides next, when exactly one reading
agrees with the numbers its prose states (``cells_stated_in_text``, see `narrative`); then the
plausibility rules. Each report's rows pass through this one function, alone (`ogi parse`) or
with the whole warehouse (a refresh), so the order is the same in both: identities (at
parsing), neighbouring years, the text, plausibility. A choice of the text or the rules that
breaks the identity with a neighbouring year as decided there is flagged
(``choice_contradicted_across_years``), never kept silently.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

import polars as pl

from . import vocabulary as V
from .catalogue import IssueCode, RowMethod, Severity
from .identities import sums_to, total_of
from .issues import format_values, row_issue
from .plausibility import choose
from .pre2019 import TABLE_ID as PRE2019_TABLE
from .pre2019_series import apply_decisions, decide_statistics_staged
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
    stated: tuple[Values, ...] = ()  # the readings the report's text agrees with (cells_stated_in_text)
    evidence: str = ""  # what the text says, as the issue quoted it


@dataclass(frozen=True)
class Decision:
    """An open 表二 row decided: its values, by which identity (or the text, or plausibility), with
    which neighbours."""

    report: str
    item: str
    values: Values
    identity: str  # X-2 | X-3 | narrative | plausibility
    neighbours: tuple[str, ...]  # the reports whose rows narrowed it
    rules: tuple[str, ...] = ()  # plausibility: the rules that left this reading
    others: tuple[Values, ...] = ()  # narrative, plausibility: the readings set aside
    evidence: str = ""  # what the report's text says of the row, when it narrowed or decided it
    against_text: bool = False  # the text agrees with other readings only
    contradicted_by: tuple[str, ...] = ()  # neighbours whose decided row breaks `broken` with this choice
    broken: str = ""  # X-2 | X-3

    @property
    def code(self) -> IssueCode:
        if self.contradicted_by:
            return IssueCode.CHOICE_CONTRADICTED_ACROSS_YEARS
        if self.identity == "plausibility":
            return IssueCode.CELLS_CHOSEN_BY_PLAUSIBILITY
        if self.identity == "narrative":
            return IssueCode.CELLS_DECIDED_BY_NARRATIVE
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


def decide(rows: list[SeriesRow], plausibility: bool = False, narrative: bool = False) -> list[Decision]:
    """The ambiguous rows that the neighbouring years decide; with `narrative`, also those where
    exactly one of the readings the neighbours leave agrees with the report's text; with
    `plausibility`, also those the plausibility rules settle among the readings left (the ones
    the text agrees with, when it agrees with several)."""
    decisions = []
    for row, live, identity, neighbours in _prune(rows):
        stated = [r for r in live if r in row.stated] if narrative else []
        if identity and len(live) == 1:
            against = narrative and bool(row.stated) and live[0] not in row.stated
            decisions.append(
                Decision(
                    row.report,
                    row.item,
                    live[0],
                    identity,
                    neighbours,
                    evidence=row.evidence if against else "",
                    against_text=against,
                )
            )
        elif len(stated) == 1:
            others = tuple(r for r in row.readings if r != stated[0])
            decisions.append(
                Decision(row.report, row.item, stated[0], "narrative", neighbours, others=others, evidence=row.evidence)
            )
        elif plausibility and (chosen := choose(row.variant, row.item, stated or live)):
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
                    evidence=row.evidence if stated else "",
                )
            )
    return _flag_contradictions(rows, decisions)


def _flag_contradictions(rows: list[SeriesRow], decisions: list[Decision]) -> list[Decision]:
    """Choices of the text or the rules are made row by row: two neighbouring years chosen apart
    can break the identity between them (or with a row the neighbours decided). Such a choice
    is kept as a warning naming the other report, when some readings of the two rows do hold."""
    final = {(d.report, d.item): d.values for d in decisions}
    series: dict[tuple, dict[int, list[SeriesRow]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if (r.variant, r.item) in CONSTRAINTS and r.agency:
            series[(r.agency, r.variant, r.item)][r.year].append(r)
    by_key = {(r.report, r.item): r for r in rows}
    out = []
    for d in decisions:
        row = by_key.get((d.report, d.item))
        if d.identity not in ("narrative", "plausibility") or row is None or row.agency is None:
            out.append(d)
            continue
        by_year = series.get((row.agency, row.variant, row.item), {})
        name, check = CONSTRAINTS.get((row.variant, row.item), ("", None))
        against = []
        for year in (row.year - 1, row.year + 1):
            if check is None or len(by_year.get(year, [])) != 1:
                continue
            other = by_year[year][0]
            values = final.get((other.report, other.item)) or (other.readings[0] if not other.ambiguous else None)
            if values is None:
                continue
            pair = (values, d.values) if year < row.year else (d.values, values)
            readings = (other.readings, row.readings) if year < row.year else (row.readings, other.readings)
            if check(*pair) is False and any(check(a, b) for a in readings[0] for b in readings[1]):
                against.append(other.report)
        out.append(replace(d, contradicted_by=tuple(against), broken=name) if against else d)
    return out


def describe(d: Decision, names: dict[str, tuple[str, int]]) -> str:
    """The issue text of a decision; `names` maps report keys to (file name, year)."""
    others = ", ".join(f"{names[n][0]} ({names[n][1]})" for n in d.neighbours)
    set_aside = f"(set aside: {'; '.join(format_values(o) for o in d.others[:6])}{' …' if len(d.others) > 6 else ''})"
    text = f" — {_evidence(d.evidence)}" if d.evidence else ""
    if d.identity not in ("plausibility", "narrative"):
        against = f"; the report's text agrees with other readings only{text}" if d.against_text else ""
        return (
            f"table2 row {d.item}: the printed digits allow several readings; identity {d.identity} with "
            f"{others} leaves one, {format_values(d.values)}{against}"
        )
    narrowed = f"the neighbouring year ({others}) narrows them; " if others else ""
    if d.identity == "narrative":
        message = (
            f"table2 row {d.item}: the printed digits allow several readings; {narrowed}"
            f"{format_values(d.values)} is the only one the report's text agrees with {set_aside}{text}"
        )
    else:
        by_text = "the report's text narrows them; " if d.evidence else ""
        message = (
            f"table2 row {d.item}: the printed digits allow several readings; {narrowed}{by_text}"
            f"{format_values(d.values)} is chosen as the only one where {' and '.join(d.rules)} {set_aside}{text}"
        )
    if d.contradicted_by:
        against = ", ".join(f"{names[n][0]} ({names[n][1]})" for n in d.contradicted_by)
        message += f"; but this choice breaks {d.broken} with {against} as decided there"
    return message


def _evidence(message: str) -> str:
    """The sentence part of a `cells_stated_in_text` message."""
    return message.split(": ", 1)[-1].split("; of the readings", 1)[0]


def link_reports(reports: list[ParsedReport]) -> int:
    """Decide the ambiguous 表二 rows of parsed reports with their neighbours in the same list,
    their own text and the plausibility rules, exactly as a refresh does over the staged tables;
    each decision replaces the row's `cells_ambiguous` error with a warning
    (`cells_decided_across_years`, `cells_decided_by_narrative`, `cells_chosen_by_plausibility`,
    or `choice_contradicted_across_years`); open pre-2019 statistics rows are decided by X-6 the same way
    (`pre2019_series`). Returns the number of rows decided."""
    same: dict[str, list[ParsedReport]] = {}  # identical files share an id: decided once, for each of them
    for r in reports:
        same.setdefault(r.report_id, []).append(r)
    tables = frames([group[0] for group in same.values()])
    decided = decide_staged(tables["reports"], tables["cells"], tables["issues"], tables["pre2019_statistics"])
    pairs = apply_decisions(same, decided.filter(pl.col("table_id") == PRE2019_TABLE))
    rows = (
        decided.filter(pl.col("table_id") == "table2")
        .group_by("report_id", "row_key", maintain_order=True)
        .agg(pl.col("value"), pl.first("code", "identity", "message"))
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
    return rows.height + pairs


DECISIONS = {
    "report_id": pl.Utf8,
    "table_id": pl.Utf8,
    "row_key": pl.Utf8,
    "col_key": pl.Utf8,
    "value": pl.Float64,
    "identity": pl.Utf8,
    "code": pl.Utf8,
    "message": pl.Utf8,
}  # the staged table `decisions`: one row per decided cell (表二, and pre-2019 pairs)


def decide_staged(reports: Frame, cells: Frame, issues: Frame, statistics: Frame | None = None) -> pl.DataFrame:
    """The decisions over staged tables (Polars frames or lazy frames): one row per decided
    cell. Only the agencies with an ambiguous 表二 row (or, given `statistics`, an open pre-2019
    pair) are read, so the cost follows the ambiguity."""
    meta = reports.lazy().select("report_id", "file_name", "agency_name", "report_year", "template")
    pairs = [] if statistics is None else decide_statistics_staged(meta, statistics)
    stated = (  # what each report's text says of its open rows (narrative.table2_issues)
        issues.lazy()
        .filter((pl.col("code") == IssueCode.CELLS_STATED_IN_TEXT.value) & (pl.col("table_id") == "table2"))
        .select("report_id", "row_key", pl.col("candidates").alias("stated"), pl.col("message").alias("evidence"))
        .unique(["report_id", "row_key"], keep="first")
    )
    open_rows = (
        issues.lazy()
        .filter((pl.col("code") == IssueCode.CELLS_AMBIGUOUS.value) & (pl.col("table_id") == "table2"))
        .select("report_id", "row_key", "candidates")
        .join(stated, on=["report_id", "row_key"], how="left")
        .join(meta, on="report_id")
        .collect()
    )
    if open_rows.is_empty():
        return pl.DataFrame(pairs, schema=DECISIONS, orient="row")
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
            tuple(tuple(c) for c in r["stated"] or ()),
            r["evidence"] or "",
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
    for d in decide(rows, plausibility=True, narrative=True):
        order = metrics[(info[d.report]["template"], d.item)]
        message = describe(d, names)
        out += [(d.report, "table2", d.item, m, v, d.identity, d.code, message) for m, v in zip(order, d.values)]
    return pl.DataFrame(out + pairs, schema=DECISIONS, orient="row")
