"""The statistics table of a pre-2019 report (《政府信息公开情况统计表》), row by row.

Before the 2019 form, reports appended a table of indicators with the columns 指标名称 |
计量单位 | 本年度 (or 2018年度, 统计数) and often 历年累计. A row keeps its label and unit as
printed, its indicator key (`pre2019_vocabulary`), the value text as printed and the values.

Tab-separated rows (the canonical layout) are read cell by cell. Crawler text runs the whole
table together (``主动公开信息数条20263542其中:1.网站公开条179533042.政府公报公开条07``): the
this-year and cumulative digits of a row are glued, and the next row's item number is glued to
them. The item number is the one the numbering expects (``2`` after ``1.``); the glued pair is
cut only where the bounds leave one reading — the cumulative count is never below this year's,
and a part is never more than its whole, in either column (the channels of the requests received,
the outcomes of the replies). A row they do not decide stays open with its readings listed
(`cells_ambiguous`, as in the 2019+ tables); the same agency's neighbouring year may decide it
later (X-6, `pre2019_series`). Values are never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .catalogue import IssueCode
from .cells import Cell, parse_value
from .identities import TOLERANCE
from .issues import Issue, format_values, row_issue
from .pre2019_vocabulary import BY_KEY, match_indicator
from .text import Compacted

TABLE_ID = "pre2019_statistics"
Pair = tuple[float | None, float | None]  # (this year, cumulative)

# DECIDED_BY: printed (one reading) | cumulative_bound | part_whole | across_years (pre2019_series)
_HEADER = re.compile(
    r"(?:指标名称|统计指标|指标)(?P<unit>计量单位|单位)?"
    r"(?P<this>\d{4}年度?|本年度?|本期|统计数|数量|数值)(?P<cum>历年累计|累计数?)?"
)
_UNIT = r"万元|元|人次|条|件|个|人|次|篇|份|项|期|场|户|家"
_VALUE = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|无|/|-{1,3}"  # 1,520: a thousands separator
_COMMA_TAIL = re.compile(r"(?:[,，]\d+)+")  # a comma that is no thousands separator: 1,2
_VALUE_CHARS = "0123456789无/-"
# label (numbering, parenthesized notes, no sentence end), unit (when the table has a unit column), values
_LABEL = r"(?P<label>(?:\d{1,2}[.、](?!\d)|[(（][^)）]{0,80}[)）]|[^\d(（。]){1,60}?)"
_ROWS = {
    has_unit: re.compile(
        rf"{_LABEL}(?P<unit>{_UNIT}){'' if has_unit else '?'}(?P<values>(?:{_VALUE})(?: ?(?:{_VALUE}))*)"
    )
    for has_unit in (True, False)
}
_MORE_ROWS = re.compile(rf"(?:{_UNIT})\d")  # the text after the last row read still looks like rows
_REGION = 20_000  # characters after the header a run-together table can span
_NUMBERING = re.compile(r"^(?:其中[:：]?)?(\d{1,2})[.、]")
_UNIT_CELL = re.compile(rf"(?:{_UNIT})")
_MONEY_UNITS = ("万元", "元")


@dataclass
class StatRow:
    """One indicator row as read: label and unit as printed, the readings left, the values."""

    row_no: int
    label: str
    key: str | None
    unit: str | None
    raw: str  # the value text as printed
    place: str
    readings: list[Pair] = field(default_factory=list)  # every reading the printed text allows
    candidates: list[Pair] = field(default_factory=list)  # those the bounds leave
    decided_by: str | None = None
    unreadable: str | None = None  # why no reading was made

    @property
    def status(self) -> str:
        if self.unreadable:
            return "unreadable"
        if len(self.candidates) > 1:
            return "open"
        return "printed" if self.decided_by == "printed" else "decided"

    @property
    def values(self) -> Pair:
        """The decided pair; an open row keeps only a column every reading agrees on."""
        if not self.candidates:
            return (None, None)
        this, cum = ({c[i] for c in self.candidates} for i in (0, 1))
        return (next(iter(this)) if len(this) == 1 else None, next(iter(cum)) if len(cum) == 1 else None)

    @property
    def issue_key(self) -> str:
        return self.key or f"row{self.row_no}"


@dataclass
class StatisticsTable:
    """The table of one report: its header, layout, rows, and what reading them raised."""

    header: str
    has_cumulative: bool
    layout: str  # separated | run_together
    rows: list[StatRow]
    issues: list[Issue] = field(default_factory=list)

    def parents(self) -> dict[str, str]:
        """Part → whole, for the parts whose whole is in this table."""
        keys = {r.key for r in self.rows if r.key}
        return {k: p for k in keys if (p := BY_KEY[k].parent) in keys}


def read_statistics(doc: Compacted) -> StatisticsTable | None:
    """The statistics table of a report's canonical text (None when no header is found)."""
    text = doc.text
    m = _HEADER.search(doc.compact)
    if m is None:
        return None
    start, last = doc.origin(m.start()), doc.origin(m.end() - 1)
    has_cumulative = bool(m.group("cum"))
    separated = "\t" in text[start:last]
    rest = None
    if separated:
        rows = _separated_rows(text, last, has_cumulative)
    else:
        rows, rest = _run_rows(text, last + 1, has_cumulative, bool(m.group("unit")))
    table = StatisticsTable(m.group(0), has_cumulative, "separated" if separated else "run_together", rows)
    _assign_keys(table)
    _reject_fractions(table)
    table.issues = _issues(table, settle(table))
    if rest:
        after = rows[-1].label if rows else "the header"
        table.issues.append(
            Issue(
                IssueCode.PRE2019_ROW_UNREADABLE,
                f"the table stops being readable after {after}; what follows looks like more rows and is not read: "
                f"“{rest[:60]}”",
                TABLE_ID,
                table_id=TABLE_ID,
            )
        )
    return table


# -- reading rows ------------------------------------------------------------------------------------
def _line(text: str, pos: int) -> str:
    return f"line {text.count(chr(10), 0, pos) + 1}"


def _squeeze(text: str, start: int) -> tuple[str, list[int]]:
    """The text from `start` without whitespace, except one space between two value characters
    (a cell separator), and the original index of every character kept."""
    out: list[str] = []
    origin: list[int] = []
    i, end = start, min(len(text), start + _REGION)
    while i < end:
        if text[i].isspace():
            j = i
            while j < end and text[j].isspace():
                j += 1
            if out and out[-1] in _VALUE_CHARS and j < end and text[j] in _VALUE_CHARS:
                out.append(" ")
                origin.append(i)
            i = j
            continue
        out.append(text[i])
        origin.append(i)
        i += 1
    return "".join(out), origin


def _run_rows(text: str, start: int, has_cumulative: bool, has_unit: bool) -> tuple[list[StatRow], str | None]:
    """Rows of a table run together: label, unit, value digits, the next label, … With them, the
    text where reading stopped when it still looks like rows (a unit then a digit soon after)."""
    s, origin = _squeeze(text, start)
    rows: list[StatRow] = []
    pos, expect = 0, 1
    while (m := _ROWS[has_unit].match(s, pos)) is not None:
        label, values, next_pos = m.group("label"), m.group("values"), m.end()
        numbered = _NUMBERING.match(label)
        expect = int(numbered.group(1)) + 1 if numbered else 1
        why = None
        if tail := _COMMA_TAIL.match(s, m.end()):
            values, next_pos = values + tail.group(0), tail.end()
            why = f"“{values}” holds a comma that separates no thousands: which cells it parts is not printed"
        elif m.end() < len(s) and s[m.end()] in ".、" and not s[m.end() + 1 : m.end() + 2].isdigit():
            # the next row's item number is glued to these values
            number = str(expect)
            if values.endswith(number) and len(values) > len(number):
                values, next_pos = values[: -len(number)], m.end() - len(number)
            else:
                why = f"the next row's item number is glued to “{values}” and cannot be told apart"
        place = _line(text, origin[m.start("values")])
        rows.append(_reading(len(rows) + 1, label, m.group("unit"), values, place, has_cumulative, why))
        pos = next_pos
    rest = s[pos : pos + 120]
    return rows, (rest if _MORE_ROWS.search(rest) else None)


def _separated_rows(text: str, start: int, has_cumulative: bool) -> list[StatRow]:
    """Rows of a table printed one row per line, a tab after every cell."""
    rows: list[StatRow] = []
    line_start = text.find("\n", start)
    lines = text[line_start + 1 :].split("\n") if line_start >= 0 else []
    offset = line_start + 1
    for line in lines:
        here, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        if "\t" not in line:
            break
        cells = [c.strip() for c in line.split("\t")]
        cells = cells[:-1] if cells and cells[-1] == "" else cells
        unit_at = next((i for i, c in enumerate(cells) if i and _UNIT_CELL.fullmatch(c)), None)
        label_end = unit_at if unit_at is not None else next((i for i, c in enumerate(cells) if _valueish(c)), 0)
        label, values = "".join(cells[:label_end]), cells[label_end + (unit_at is not None) :]
        unit = cells[unit_at] if unit_at is not None else None
        if not label or (unit is None and not any(values)):
            continue  # a section heading, or a row of column headings
        rows.append(_cells_reading(len(rows) + 1, label, unit, values, _line(text, here), has_cumulative))
    return rows


def _valueish(cell: str) -> bool:
    return bool(cell) and _cell(cell).value_class in ("number", "none")


def _cell(text: str) -> Cell:
    """One printed value; read as an amount so that decimals stay (a count with a fraction is
    rejected once the row's unit is known, see `_reject_fractions`)."""
    return parse_value(text, "money")


def _cells_reading(
    row_no: int, label: str, unit: str | None, values: list[str], place: str, has_cumulative: bool
) -> StatRow:
    width = 2 if has_cumulative else 1
    while len(values) > width and not values[-1]:
        values = values[:-1]
    row = StatRow(row_no, label, None, unit, "\t".join(values), place)
    parsed = [_cell(v) for v in values] + [_cell("")] * (width - len(values))
    if len(values) > width or any(c.value_class == "text" for c in parsed):
        row.unreadable = f"the cells “{' | '.join(values)}” are not {width} number(s)"
        return row
    pair = (parsed[0].value, parsed[1].value if has_cumulative else None)
    row.readings, row.candidates, row.decided_by = [pair], [pair], "printed"
    return row


def _reading(
    row_no: int, label: str, unit: str | None, values: str, place: str, has_cumulative: bool, why: str | None
) -> StatRow:
    """A run-together row: the readings its value text allows."""
    row = StatRow(row_no, label, None, unit, values, place, unreadable=why)
    if why:
        return row
    printed = re.findall(_VALUE, values)
    tokens = [t.replace(",", "") for t in printed]
    width = 2 if has_cumulative else 1
    if len(tokens) == width:
        cells = [_cell(t) for t in tokens]
        readings = [(cells[0].value, cells[1].value if has_cumulative else None)]
    elif width == 2 and len(tokens) == 1 and printed[0].isdigit() and len(tokens[0]) > 1:
        readings = [(float(a), float(b)) for a, b in _cuts(tokens[0])]
    elif width == 2 and len(tokens) == 1:  # one number for two columns: which one is not printed
        v = _cell(tokens[0]).value
        readings = [(v, None), (None, v)]
    else:
        row.unreadable = f"“{values}” holds {len(tokens)} numbers for {width} column(s)"
        return row
    if not readings:
        row.unreadable = f"“{values}” cannot be cut into {width} numbers"
    row.readings = readings
    return row


def _cuts(run: str) -> list[tuple[str, str]]:
    """Every cut of a digit run into two numbers written without leading zeros."""
    return [
        (run[:i], run[i:])
        for i in range(1, len(run))
        if (i == 1 or run[0] != "0") and (len(run) - i == 1 or run[i] != "0")
    ]


def _assign_keys(table: StatisticsTable) -> None:
    section, seen = None, set()
    for row in table.rows:
        found = match_indicator(row.label, section)
        if found and found.parent is None:
            section = found.key
        if found and found.key not in seen:
            row.key = found.key
            seen.add(found.key)


def _reject_fractions(table: StatisticsTable) -> None:
    """A count is whole: a row of a count unit printing a fraction gives no reading."""
    for row in table.rows:
        money = row.unit in _MONEY_UNITS or (row.key is not None and BY_KEY[row.key].is_money)
        fractions = [v for r in row.readings for v in r if v is not None and not float(v).is_integer()]
        if fractions and not money:
            row.readings, row.unreadable = [], f"a count printed with a fraction ({row.raw})"


# -- deciding the readings -----------------------------------------------------------------------
def _at_most(a: float | None, b: float | None) -> bool:
    return a is None or b is None or a <= b + TOLERANCE


def within_bound(pair: Pair) -> bool:
    """The cumulative count is never below this year's (true when either is not a number)."""
    return _at_most(pair[0], pair[1])


def part_fits(part: Pair, whole: Pair) -> bool:
    """A part is never more than its whole, in either column."""
    return _at_most(part[0], whole[0]) and _at_most(part[1], whole[1])


def solve(domains: dict[str, list[Pair]], parents: dict[str, str]) -> tuple[dict[str, list[Pair]], list[str]]:
    """The readings of each row that some reading of every other row fits (part ≤ whole). The
    parts form a forest, so arc consistency leaves exactly the readings of some solution. A
    part that fits no reading of its whole is a broken bound: it is returned and decides nothing."""
    edges = [(k, p) for k, p in sorted(parents.items()) if k in domains and p in domains]
    broken: list[str] = []
    while True:
        live = {k: list(v) for k, v in domains.items()}
        failed = None
        changed = True
        while changed and failed is None:
            changed = False
            for part, whole in edges:
                if part in broken:
                    continue
                keep_part = [c for c in live[part] if any(part_fits(c, w) for w in live[whole])]
                keep_whole = [w for w in live[whole] if any(part_fits(c, w) for c in live[part])]
                if not keep_part or not keep_whole:
                    failed = part
                    break
                if len(keep_part) < len(live[part]) or len(keep_whole) < len(live[whole]):
                    live[part], live[whole], changed = keep_part, keep_whole, True
        if failed is None:
            return live, broken
        broken.append(failed)


def settle(table: StatisticsTable, domains: dict[str, list[Pair]] | None = None) -> list[str]:
    """Narrow every row's readings by the bounds (and `domains`, readings already narrowed by
    key), then decide what they leave one reading of. Returns the parts that break their bound."""
    for row in table.rows:
        if row.unreadable or not row.readings:
            continue
        if domains is not None and row.key in domains:
            row.candidates = list(domains[row.key])
            continue
        bounded = [r for r in row.readings if within_bound(r)]
        row.candidates = bounded or list(row.readings)  # a printed pair below its bound stays as printed
        if len(row.readings) == 1:
            row.decided_by = "printed"
        elif len(bounded) == 1:
            row.decided_by = "cumulative_bound"
    keyed = {r.key: r for r in table.rows if r.key and r.candidates}
    live, broken = solve({k: r.candidates for k, r in keyed.items()}, table.parents())
    for key, row in keyed.items():
        if len(row.candidates) > 1 and len(live[key]) == 1:
            row.decided_by = row.decided_by or "part_whole"
        row.candidates = live[key]
    return broken


def decide_row(row: StatRow, pair: Pair, decided_by: str) -> None:
    """Settle an open row on one of its readings (a decision made after parsing)."""
    row.candidates, row.decided_by = [pair], decided_by


# -- issues ------------------------------------------------------------------------------------------
def _issues(table: StatisticsTable, broken: list[str]) -> list[Issue]:
    out: list[Issue] = []
    name = TABLE_ID
    shown = {r.row_no: r.raw.replace("\t", " | ") for r in table.rows}  # cells printed apart, for people
    split = [r for r in table.rows if len(r.readings) > 1 and r.status == "decided"]
    if split:
        listed = "; ".join(f"{r.label} {r.raw} → {format_values(r.values)} ({r.decided_by})" for r in split[:12])
        out.append(
            Issue(
                IssueCode.PRE2019_PAIRS_SPLIT,
                f"{len(split)} rows print their this-year and cumulative digits run together; each was cut where "
                f"only one reading keeps cumulative ≥ this year and every part ≤ its whole: {listed}",
                name,
                table_id=name,
            )
        )
    unknown = [r.label for r in table.rows if r.key is None]
    if unknown:
        out.append(
            Issue(
                IssueCode.PRE2019_INDICATOR_UNKNOWN,
                f"{len(unknown)} rows whose label names no known indicator (or repeats one): {'; '.join(unknown[:12])}",
                name,
                table_id=name,
            )
        )
    for row in table.rows:
        key = row.issue_key
        if row.unreadable:
            out.append(
                row_issue(IssueCode.PRE2019_ROW_UNREADABLE, name, key, f"{row.label}: {row.unreadable}", row.place)
            )
        elif row.status == "open":
            options = "; ".join(format_values(c) for c in row.candidates[:8])
            out.append(
                row_issue(
                    IssueCode.CELLS_AMBIGUOUS,
                    name,
                    key,
                    f"{name} row {row.label}: the printed digits {row.raw} allow several this-year/cumulative "
                    f"readings that the bounds leave open; columns they all agree on are kept: {options}",
                    row.place,
                    candidates=tuple(row.candidates),
                )
            )
        if row.candidates and not any(within_bound(r) for r in row.readings):
            out.append(
                row_issue(
                    IssueCode.PRE2019_BOUND_BROKEN,
                    name,
                    key,
                    f"{row.label}: the cumulative count is below this year's as printed ({shown[row.row_no]})",
                    row.place,
                )
            )
        if row.key in broken:
            whole = BY_KEY[row.key].parent
            out.append(
                row_issue(
                    IssueCode.PRE2019_BOUND_BROKEN,
                    name,
                    key,
                    f"{row.label} ({shown[row.row_no]}) is more than its whole {whole} in every reading; "
                    "the bound decides nothing here",
                    row.place,
                )
            )
    return out
