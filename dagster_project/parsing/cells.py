"""From the text printed after a row label to candidate cell vectors.

A row's value text may hold one cell per separator (tab/pipe layouts), cells padded with
structural blanks (merged label columns), cells that lost their separators (crawler text:
``801000081``), or too few cells (a cell dropped by a converter). Each reading that fits the
row's width becomes a candidate; identities pick among them later (see ``solver``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from operator import attrgetter
from typing import TypeVar, cast

from .catalogue import RowMethod
from .identities import sums_to

T = TypeVar("T")
A = TypeVar("A")
NONE_ZERO = {"无"}  # 无 means none: the count is 0
NONE_NA = {"/", "-", "--", "---", "不涉及", "不适用", "\\", "//"}  # not applicable: no number
_NUM = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_SIGNED = re.compile(r"^(增加?|减少?|[+-])?\s*(\d+(?:\.\d+)?)$")
_MONEY = re.compile(r"^(\d+(?:\.\d+)?)\s*(万元|亿元|亿|万|元)?$")
_NONE_RUN = re.compile(r"无|[^无]+")
_BEFORE_SIGN = re.compile(r"(?<=\d)(?=[+-]\d)")
_SPACE_NOT_TAB = re.compile(r"[^\S\t]")  # whitespace as str.split() sees it, bar the tab
_DIGIT = re.compile(r"\d")
_LEADING_ZERO = re.compile(r"^(增加?|减少?|[+-])?\s*0\d")
# a printed unit → 万元, the unit money is kept in
MONEY_FACTOR = {"万元": 1.0, "万": 1.0, "亿元": 10000.0, "亿": 10000.0, "元": 0.0001, None: 1.0}


@dataclass(frozen=True)
class Cell:
    """One printed cell: its text as printed, its value, its class (number | blank | none | text | missing)."""

    raw: str | None  # text as printed; None when the cell is missing from the source
    value: float | None
    value_class: str  # number | blank | none | text | missing
    reconstructed: bool = False


MISSING = Cell(None, None, "missing")


@lru_cache(maxsize=1 << 16)  # the same few cell texts recur in every row and report; a Cell is immutable
def parse_value(raw: str, kind: str = "count", default_unit: str | None = None) -> Cell:
    """Read one printed cell. kind: count | signed | money (money is normalized to 万元)."""
    if kind != "money" and raw.isascii() and raw.isdigit() and (raw[0] != "0" or len(raw) == 1):
        return Cell(raw, float(raw), "number")  # a plain whole number, as the steps below read it
    text = raw.strip().replace(",", "")
    if not text:
        return Cell(raw, None, "blank")
    if _LEADING_ZERO.match(text):  # 029: no number is printed so; cells glued to a 0 (see `_splits`)
        return Cell(raw, None, "text")
    if text in NONE_ZERO:
        return Cell(raw, 0.0, "none")
    if text in NONE_NA:
        return Cell(raw, None, "none")
    if kind == "signed":
        m = _SIGNED.match(text)
        if m:
            sign = -1.0 if m.group(1) and m.group(1)[0] in "减-" else 1.0
            return Cell(raw, sign * float(m.group(2)) + 0.0, "number")
    elif kind == "money":
        m = _MONEY.match(text)
        if m:
            unit = m.group(2) or default_unit
            return Cell(raw, round(float(m.group(1)) * MONEY_FACTOR[unit], 6), "number")
    elif _NUM.match(text):
        value = float(text)
        # a count is whole: 3.5 is not read as a number (the warehouse stores counts as integers)
        return Cell(raw, value, "number") if value.is_integer() else Cell(raw, None, "text")
    return Cell(raw, None, "text")


_SHORT = 256  # texts up to this long are cached: row texts recur across reports (all zeros, the same counts)
_CACHES: list = []  # every cache `clear_caches` empties


def short_text_cache(fn: Callable[[str, A], T]) -> Callable[[str, A], T]:
    """Cache a pure function of a (short) text and one hashable argument; a long text is
    computed each time, so the cache stays small whatever the reports hold."""
    cached = lru_cache(maxsize=1 << 12)(fn)  # a few MB at most: the common rows stay, the rare ones go
    _CACHES.append(cached)

    @wraps(fn)
    def call(text: str, arg: A) -> T:
        return cached(text, arg) if len(text) <= _SHORT else fn(text, arg)

    return call


def tokenize(segment: str, width: int) -> list[str]:
    """Split a row's value text into printed cells (see `printed_cells`)."""
    return list(printed_cells(segment, width))


@short_text_cache
def printed_cells(segment: str, width: int) -> tuple[str, ...]:
    """Split a row's value text into printed cells.

    Canonical layout (see ``layout``): a tab ends a cell, a newline ends a row. The text
    before the first tab belongs to the label's own cell and the text after the last tab to
    the next label, so those pieces are kept only when they carry something. A row's values
    stay on the label's line unless that line holds nothing (values printed on a line of
    their own below the label).
    """
    if "\t" not in segment:  # no cell separators: split on spaces, before glued signs (15-15)
        # and around 无, which is a whole cell even when glued to its neighbours (无无无)
        glued: list[str] = []
        for tok in segment.split():
            for part in _NONE_RUN.findall(tok) if "无" in tok else (tok,):
                if "+" in part or "-" in part:
                    glued.extend(_BEFORE_SIGN.split(part))
                else:
                    glued.append(part)
        return tuple(glued)
    lines = segment.split("\n")
    line = lines[_value_line(lines, width)]
    pieces = [p.strip() for p in line.split("\t")]
    if pieces and not pieces[0]:
        pieces = pieces[1:]
    if pieces and not pieces[-1]:
        pieces = pieces[:-1]
    if not _SPACE_NOT_TAB.search(line):  # the common line: no cell holds a space
        return tuple(pieces)
    # A cell may itself hold space-separated numbers (a converter merged two cells).
    out: list[str] = []
    for p in pieces:
        parts = p.split()
        out.extend(parts if len(parts) > 1 and all(_NUM.match(x) for x in parts) else [p])
    return tuple(out)


def _value_line(lines: list[str], width: int) -> int:
    """Which line of a separated row's text holds its cells: the label's own line, unless that
    holds nothing (values printed on a line of their own below the label)."""
    if not lines[0].strip() and lines[0].count("\t") < width:
        return next((i for i, ln in enumerate(lines) if i and ln.strip()), 0)
    return 0


@short_text_cache
def unread_lines(segment: str, width: int) -> str:
    """The numbers on the lines of a separated row's text that `tokenize` does not read (a
    number or a cell a converter pushed onto the next line); empty when there are none."""
    if "\t" not in segment or "\n" not in segment:  # one line: `tokenize` reads it
        return ""
    lines = segment.split("\n")
    used = _value_line(lines, width)
    return " ".join(ln.strip() for i, ln in enumerate(lines) if i != used and _DIGIT.search(ln))


@short_text_cache
def split_at_space(segment: str, width: int) -> bool:
    """Does `tokenize` read one separated cell of this row as several (``\t12 3\t``)? A merged
    pair of cells and a number split by a space print the same."""
    if "\t" not in segment:
        return False
    line = segment.split("\n")[_value_line(segment.split("\n"), width)]
    return any(len(p.split()) > 1 and all(_NUM.match(x) for x in p.split()) for p in line.split("\t"))


Cuts = list[tuple[str, ...]]


def _splits(run: str, parts: int, max_digits: int, memo: dict[tuple[str, int], Cuts]) -> Cuts:
    """Every way to cut a digit run into `parts` numbers without leading zeros. The cuts of a
    run's tails recur for every cut of its head: `memo` (one row's) keeps them."""
    key = (run, parts)
    if key in memo:
        return memo[key]
    cuts: Cuts
    if parts == 1:
        cuts = [(run,)] if len(run) <= max_digits and (run == "0" or not run.startswith("0")) else []
    elif run.startswith("0"):
        cuts = [("0",) + rest for rest in _splits(run[1:], parts - 1, max_digits, memo)]
    else:
        cuts = [
            (run[:cut],) + rest
            for cut in range(1, min(max_digits, len(run) - parts + 1) + 1)
            for rest in _splits(run[cut:], parts - 1, max_digits, memo)
        ]
    memo[key] = cuts
    return cuts


_AMOUNT_RUN = re.compile(r"^(\d+)(?:\.\d+)?\s*(?:万元|亿元|元|万|亿)?$")


def _amount_splits(run: str, tail: str, parts: int, max_digits: int, memo: dict[tuple[str, int], Cuts]) -> Cuts:
    """Cuts of a digit run whose last piece is an amount (``12305000元``: 12 and 305000元): the
    counts before it within `max_digits`, the amount of any length, with the run's decimals and unit."""
    cuts = []
    for cut in range(1, len(run)):
        amount = run[cut:]
        if amount == "0" or not amount.startswith("0"):
            for head in _splits(run[:cut], parts - 1, max_digits, memo):
                cuts.append(head + (amount + tail,))
    return cuts


def _distribute(tokens: list[str], width: int, max_digits: int, amount_last: bool = False) -> Cuts:
    """Cut glued digit tokens so that the row has exactly `width` printed pieces. With
    `amount_last` the row ends in a money column, which the last token's last piece fills.
    The cuts of the tokens after the i-th are the same for every cut of those before it:
    computed once per (i, pieces left)."""
    splits: dict[tuple[str, int], Cuts] = {}
    memo: dict[tuple[int, int], Cuts] = {}

    def rec(i: int, left: int) -> Cuts:
        if (i, left) in memo:
            return memo[(i, left)]
        out: Cuts = []
        if i == len(tokens):
            if left == 0:
                out.append(())
            memo[(i, left)] = out
            return out
        tok = tokens[i]
        remaining = len(tokens) - i - 1
        sign, digits = (tok[0], tok[1:]) if tok[:1] in "+-" else ("", tok)
        amount = _AMOUNT_RUN.match(tok) if amount_last and not remaining else None
        if amount and len(amount.group(1)) > 1:  # count and amount glued: 采购项目数 + 采购总金额
            run = amount.group(1)
            whole = [] if run.startswith("0") else [(tok,)]
            for k in range(1, min(len(run), left) + 1):
                rests = rec(i + 1, left - k)
                if not rests:  # the tokens after this one cannot fill what is left: no cut of it counts
                    continue
                for cut in _amount_splits(run, tok[len(run) :], k, max_digits, splits) if k > 1 else whole:
                    out.extend(cut + rest for rest in rests)
        elif digits.isdigit() and len(digits) > 1:  # a sign stays with the first number of the run
            for k in range(1, min(len(digits), left - remaining) + 1):
                rests = rec(i + 1, left - k)
                if not rests:
                    continue
                for cut in _splits(digits, k, max_digits, splits):
                    head = (sign + cut[0],) + cut[1:]
                    out.extend(head + rest for rest in rests)
        elif left >= 1:
            out.extend((tok,) + rest for rest in rec(i + 1, left - 1))
        memo[(i, left)] = out
        return out

    return rec(0, width)


@dataclass
class RowReading:
    """What could be read for one row: candidate vectors and how they were obtained."""

    candidates: list[tuple[Cell, ...]]
    method: RowMethod
    tokens: Sequence[str]
    # Readings to try only if the printed one breaks the table's identities: a blank at the
    # row's end may be padding around a row that lost a cell.
    fallbacks: list[tuple[Cell, ...]] = field(default_factory=list)


# Rows recur across reports (all zeros, the same few small counts): their readings are kept,
# unless they are many (a long glued run), and the cache is emptied when it grows large.
_READINGS: dict[tuple, RowReading] = {}
_READINGS_MAX = 20_000
_READING_CACHED_MAX = 64  # candidates and fallbacks of one reading


def clear_caches() -> None:
    """Forget the cached cell and row readings (a benchmark re-parsing the same files would
    otherwise measure cache hits, not parsing)."""
    _READINGS.clear()
    parse_value.cache_clear()
    for cached in _CACHES:
        cached.cache_clear()


def row_candidates(
    tokens: Sequence[str],
    width: int,
    kinds: tuple[str, ...],
    row_check=None,
    separated: bool = False,
    lead_blank: bool = False,
    max_digits: int = 7,
    units: tuple = (),
) -> RowReading:
    """Candidate cell vectors of `width` cells for a row's printed tokens.

    `row_check(values)` filters candidates by a row identity (e.g. 总计 = sum of six).
    `separated`: the source had real cell separators, so digits are never re-cut.
    Blank cells are data unless they are structural: padding beyond the row's width, or
    the merged label column that a whole table prints after its labels (`lead_blank`).
    """
    key = (tuple(tokens), width, tuple(kinds), row_check, separated, lead_blank, max_digits, tuple(units))
    reading = _READINGS.get(key)
    if reading is None:
        reading = _read_row(list(tokens), width, kinds, row_check, separated, lead_blank, max_digits, units)
        if len(reading.candidates) + len(reading.fallbacks) <= _READING_CACHED_MAX:
            if len(_READINGS) >= _READINGS_MAX:
                _READINGS.clear()
            _READINGS[key] = reading
    # fresh lists: a caller may extend its reading's lists, never the cached ones
    return RowReading(list(reading.candidates), reading.method, tokens, list(reading.fallbacks))


def _read_row(
    tokens: list[str],
    width: int,
    kinds: tuple[str, ...],
    row_check,
    separated: bool,
    lead_blank: bool,
    max_digits: int,
    units: tuple,
) -> RowReading:
    units = units or (None,) * width
    counts_only = all(kind == "count" for kind in kinds)  # (a count's cell reads the same whatever the unit)

    def read(vals) -> tuple[Cell, ...]:
        if counts_only:  # the text alone: the cache's quickest key
            return tuple(map(parse_value, vals))
        return tuple(map(parse_value, vals, kinds, units))

    if not tokens:
        return RowReading([], RowMethod.EMPTY, tokens)
    if all(not t.strip() for t in tokens):
        return RowReading([read((tokens + [""] * width)[:width])], RowMethod.POSITIONAL, tokens)
    # Blanks at the ends are padding when the row has more cells than it should; a blank
    # right after the label is a merged label column when the table says so (`lead_blank`).
    trimmed = list(tokens)
    if lead_blank and not trimmed[0].strip():
        trimmed.pop(0)
    if len(tokens) > width:  # a padded row: every blank at either end is padding
        while not trimmed[-1].strip():
            trimmed.pop()
        while not trimmed[0].strip():
            trimmed.pop(0)
    if len(trimmed) == width:
        cells = read(trimmed)
        if all(c.value_class != "text" for c in cells):
            inner = _strip_blank_ends(trimmed)
            fallbacks = _lost_cell_readings([inner], width, kinds, units, row_check) if len(inner) == width - 1 else []
            return RowReading(
                [cells],
                RowMethod.POSITIONAL if len(trimmed) == len(tokens) else RowMethod.TRIMMED,
                tokens,
                [f for f in fallbacks if _values(f) != _values(cells)],
            )
    if len(trimmed) > width:  # one number printed in two pieces (a PDF reader's split)?
        rejoined = _rejoined(trimmed, width, read, row_check)
        return RowReading(rejoined, RowMethod.REJOINED if rejoined else RowMethod.UNREADABLE, tokens)

    # Too few pieces: glued digit runs, or a cell lost in conversion (at most one).
    found: dict[tuple, tuple[Cell, ...]] = {}
    unchecked: dict[tuple, tuple[Cell, ...]] = {}
    amount_last = width > 1 and kinds[-1] == "money"
    for pieces in [] if separated else _distribute(trimmed, width, max_digits, amount_last):
        cells = read(pieces)
        values = _values(cells)
        # a count is never negative: such a cut is not a reading (only a printed minus makes one)
        if "-" in "".join(pieces) and any(
            v is not None and v < 0 and kind == "count" for v, kind in zip(values, kinds)
        ):
            continue
        unchecked.setdefault(values, cells)
        if row_check is None or row_check(list(values)) is not False:
            found.setdefault(values, cells)
    if not found and len(unchecked) == 1:
        # The digits allow one cut only (e.g. seven digits for seven cells): that is what was
        # printed, even if its row sum is broken (the identity checks report that).
        return RowReading(list(unchecked.values()), RowMethod.SPLIT, tokens)
    method = RowMethod.SPLIT
    if not found:
        # One cell lost: the printed pieces (or a glued run cut into one piece fewer) fill the
        # other positions, and the row sum solves the lost one.
        method = RowMethod.MISSING_CELL
        shorter = (
            ([trimmed] if len(trimmed) == width - 1 else [])
            if separated
            else _distribute(trimmed, width - 1, max_digits)
        )
        found = {tuple(c.value for c in r): r for r in _lost_cell_readings(shorter, width, kinds, units, row_check)}
    return RowReading(list(found.values()), method if found else RowMethod.UNREADABLE, tokens)


def _rejoined(tokens: list[str], width: int, read, row_check) -> list[tuple[Cell, ...]]:
    """Readings of a row one piece too long where two adjacent digit pieces are one number;
    only those the row identity confirms (nothing without one)."""
    if row_check is None or len(tokens) != width + 1:
        return []
    found: dict[tuple, tuple[Cell, ...]] = {}
    for i in range(width):
        a, b = tokens[i].strip(), tokens[i + 1].strip()
        if a.isdigit() and b.isdigit() and a != "0":
            cells = read(tokens[:i] + [a + b] + tokens[i + 2 :])
            if row_check([c.value for c in cells]) is True:
                found.setdefault(_values(cells), cells)
    return list(found.values())


def _values(cells) -> tuple:
    return tuple(map(_VALUE, cells))


_VALUE = attrgetter("value")


def _strip_blank_ends(tokens: list[str]) -> list[str]:
    out = list(tokens)
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return out


def _lost_cell_readings(shorter, width: int, kinds, units, row_check) -> list[tuple[Cell, ...]]:
    """Rows of `width` cells from printed rows one cell short, the lost cell solved by the row
    sum and put in every position the row check allows (the identities choose later)."""
    if row_check is None:
        return []
    found: dict[tuple, tuple[Cell, ...]] = {}
    for printed in shorter:
        # the lost cell at `gap` leaves the pieces before it in their own columns, those after it one column on
        own = [parse_value(p, kinds[j], units[j]) for j, p in enumerate(printed)]
        moved = [parse_value(p, kinds[j + 1], units[j + 1]) for j, p in enumerate(printed)]
        own_values, moved_values = [c.value for c in own], [c.value for c in moved]
        for gap in range(width):
            others = own_values[:gap] + moved_values[gap:]
            value = _row_sum_solution(others, gap == width - 1)
            if value is None:
                continue
            values = others[:gap] + [value] + others[gap:]
            if row_check(values) is not False:
                cell = Cell(None, value, "number", reconstructed=True)
                found.setdefault(tuple(values), (*own[:gap], cell, *moved[gap:]))
    return list(found.values())


def _row_sum_solution(others: list[float | None], is_total: bool) -> float | None:
    """The 表三 cell lost from a row, from 总计 = sum of the six columns and the other cells
    (`is_total`: the lost cell is the total); None when that is not a count."""
    if None in others:
        return None
    known = cast("list[float]", others)
    value = float(sum(known) if is_total else known[-1] - sum(known[:-1]))
    return None if value < 0 else value


def row_sum_check(values: list[float | None]) -> bool | None:
    """表三 T3-C on one row: total = sum of six. None when not assessable."""
    return sums_to(values[:-1], values[-1])


def block_sum_check(values: list[float | None]) -> bool | None:
    """表四 T4-A on all three blocks of a 15-cell row: False when any block fails, None when
    none fails but some block is not assessable."""
    verdicts = [sums_to(values[b : b + 4], values[b + 4]) for b in range(0, len(values), 5)]
    if any(v is False for v in verdicts):
        return False
    return None if None in verdicts else True
