"""Locate 表二, 表三 and 表四 in a canonical report text and read their cells.

Rows are found by their official labels, in order, in the whitespace-free view of the text;
the numbers of a row are whatever is printed between its label and the next label. That
makes the same code work for every layout, and for labels that wrap, carry stray spaces or
run straight into their numbers.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, pairwise

from rapidfuzz import fuzz

from . import vocabulary as V
from .catalogue import RowMethod
from .cells import (
    MISSING,
    Cell,
    block_sum_check,
    parse_value,
    printed_cells,
    row_candidates,
    row_sum_check,
    short_text_cache,
    split_at_space,
    tokenize,
    unread_lines,
)
from .solver import columns_hold, resolve_table3
from .text import Compacted, normalize

_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern[str]:
    """A label pattern compiled once (re's own cache costs a lookup of its flags and types each call)."""
    return re.compile(pattern)


ROW_WINDOW = 1500  # how far (compact chars) the next row label may be from the previous one

# Characters that can belong to printed values; anything else ends a row's value text.
_VALUE_CHARS = re.compile(r"[^\d\s.,+\-/\\|无增减加少万亿元%件项个]")
_YEAR_BEFORE = re.compile(r"(?:19|20)\d\d$")
_CN_NUMBERING = re.compile(r"[一二三四五六七八九十]+\s*[、.]\s*$|\(\s*[一二三四五六七八九十]+\s*\)\s*$")

# Every branch of these begins with a literal character: re then scans for those characters
# instead of trying each branch at every position (`(四|4)…` or `(本年)?…` up front is 5-10x slower).
T3_END = re.compile(
    r"四[、.]?(政府信息公开)?(行政法?复议|因政府信息公开)|4[、.]?(政府信息公开)?(行政法?复议|因政府信息公开)"
    r"|行政法?复议|五[、.]"
)
T3_GROUPS = re.compile("|".join(V.T3_GROUP_LABELS))
T2_HEADERS = re.compile(
    r"第二十[条條]第\(?[一二三四五六七八九十]+\)?项|信息内容|本年新?制作数量|本年新公开数量|对外公开总数量"
    r"|上一年项目数量|本年增/?减|本年处理决定数量|处理决定数量|采购项目数量|采购总金额(\([^)]*\))?"
    r"|本年制发件数|本年废止件数|现行有效件数|本年收费金额(\([^)]*\))?"
)
# 表四's header words, also as the fragments converters leave when a header cell wraps
# (结果/维持 on separate lines).
T4_HEADER = re.compile(
    r"行政复议|行政诉讼|未经复议直接(起诉|诉讼)|复议后(起诉|诉讼)|结果|维持|纠正|其他|尚未|审结|总计"
)
T4_START = re.compile(r"结果维持|行政复议、?(和|及)?行政诉讼情况|行政复议行政诉讼")
SECTION_3 = re.compile(r"(三|3)[、.]?收到和处理政府信息公开申请")


@dataclass
class RowResult:
    """One table row as read: its cells, the label as printed, where, and how it was read."""

    key: str
    cells: tuple[Cell, ...]
    label: str | None = None  # as printed
    place: str | None = None
    method: RowMethod = RowMethod.MISSING
    candidates: list[tuple[Cell, ...]] = field(default_factory=list)  # unresolved readings, for the issue text
    fuzzy_score: float | None = None  # the label was matched approximately, with this score
    by_identities: bool = False  # the table's identities chose this reading among several
    leftover: str = ""  # numbers printed in the row's text that no cell was read from
    split_at_space: bool = False  # a printed cell holding space-separated numbers became several cells
    repeated: int = 0  # how many more times the label is printed with numbers after it
    signed: list[str] = field(default_factory=list)  # 表二: count columns whose cell prints a sign (+5)


@dataclass
class TableResult:
    """One table as read: its rows by key, where it lies in the text, its layout variant."""

    rows: dict[str, RowResult]
    start: int = -1  # compact positions of the table in the text
    end: int = -1
    variant: str | None = None  # 表三: 2019 | 2021 (其他处理 rows); 表二: 2019 | 2021 (columns)
    absent: list[str] = field(default_factory=list)  # 表二: official items whose label is not printed


def agreed_cells(candidates: list[tuple[Cell, ...]], width: int) -> tuple[Cell, ...]:
    """The cells every candidate reading agrees on; the others stay missing.

    A glued run such as ``2648-18538`` leaves the later cells open but not the first one.
    """
    if not candidates:
        return (MISSING,) * width
    if len(candidates) == 1 and len(candidates[0]) == width:
        return tuple(candidates[0])
    return tuple(candidates[0][j] if len({c[j].value for c in candidates}) == 1 else MISSING for j in range(width))


_PROSE = re.compile(r"[\u4e00-\u9fff]{2}")  # two Chinese characters in a row: a label or prose begins
# Digits that are not cells: a year in prose (2024年), a row's numbering (2.), a group's ((一)).
_NOT_CELLS = re.compile(r"(?:19|20)\d\d\s*年|\d{1,2}\s*[.、](?!\d)|\([一二三四五六七八九十\d]{1,2}\)")


def _value_text(doc: Compacted, start: int, end: int, next_number: str = "") -> str:
    """Original text between two compact positions, trimmed to what can be values."""
    return _value_parts(doc, start, end, next_number)[0]


def _value_parts(doc: Compacted, start: int, end: int, next_number: str = "") -> tuple[str, str]:
    """(the value text, the numbers printed after it that it leaves out): a character no cell
    holds (a page marker, a decoder's U+FFFD, a garbled header) ends the values, and digits
    right after it, before the next label or prose, are numbers of the row left unread."""
    # Start right after the label's last character so the separators that follow it survive.
    seg = doc.text[doc.origin(start - 1) + 1 : doc.origin(end)] if end >= start else ""
    return _trimmed_values(seg, next_number)


@short_text_cache
def _trimmed_values(seg: str, next_number: str) -> tuple[str, str]:
    """`_value_parts` of the text between two labels."""
    m = _VALUE_CHARS.search(seg)
    leftover = ""
    if m:
        head = seg[: m.start()]
        rest = _NOT_CELLS.sub("", seg[m.start() :])
        prose = _PROSE.search(rest)
        rest = rest[: prose.start()] if prose else rest
        leftover = rest.strip() if _DIGIT.search(rest) else ""
        if m.group() == "年":  # a number running into narrative "2025年…": drop the year
            year = _YEAR_BEFORE.search(head.rstrip())
            head = _YEAR_BEFORE.sub("", head.rstrip())
            if year and not _DIGIT.search(head):  # nothing left: the "year" may be the row's number
                leftover = year.group()
        seg = head
    if next_number and next_number in seg:  # the next row's numbering ("2.") sits at the end of this row's digits
        n = _pattern(re.escape(next_number) + r"\s*[.、]\s*$").search(seg)
        if n:
            seg = seg[: n.start()]
    return _CN_NUMBERING.sub("", seg), leftover


# A 表三 row printed the common way is read at once, to what the general code (`_trimmed_values`,
# `printed_cells`, `row_candidates`) gives it; tests/test_fast_path.py compares the two. Common:
# seven plain whole numbers after the label (tab-separated, possibly padded with blank cells;
# space-separated; or one glued digit per cell), then at most the numbering of the next label
# ("2." or "四、"), which the general trimming cuts off.
_INT = r"(?:0|[1-9]\d*)"
_NEXT = r"(?:(?P<number>\d{1,2})\.|[一二三四五六七八九十]+[、.])"
_CLEAN_ROWS = {
    width: (
        re.compile(
            rf"(?P<values>\t(?P<lead>\t*)(?P<cells>(?:{_INT}\t){{{width - 1}}}{_INT})(?P<trail>\t*)(?:\n[\t \n]*)?)"
            rf"(?:(?<=[\t\n ]){_NEXT}[\t \n]*)?"
        ),
        re.compile(
            rf"(?P<values>[ ]*(?:(?P<glued>\d{{{width}}})|(?P<spaced>{_INT}(?:[ ]+{_INT}){{{width - 1}}}))[ \n]*)"
            rf"(?:{_NEXT}[ \n]*)?"
        ),
    )
    for width in (7,)
}
# A row of blank cells only (two tabs or more on the label's line), its values left unprinted.
_BLANK_ROW = re.compile(rf"(?P<values>(?P<tabs>\t{{2,}})(?:\n[\t \n]*)?)(?:(?<=[\t\n ]){_NEXT}[\t \n]*)?")
_BLANK7 = (Cell("", None, "blank"),) * 7


@short_text_cache
def _clean_row(seg: str, next_number: str) -> tuple[str, tuple[str, ...], tuple[Cell, ...], RowMethod] | None:
    """(value text, printed cells, cells, method) of a 表三 row printed the common way; None otherwise."""
    width = 7
    tabbed, plain = _CLEAN_ROWS[width]
    m = tabbed.fullmatch(seg)
    if m is not None:
        values, number, cells, lead, trail = m.group("values", "number", "cells", "lead", "trail")
        if (number or next_number) != next_number:
            return None
        # blank cells around the values are padding (see `_read_row`)
        printed = cells.split("\t")
        tokens = ("",) * len(lead) + tuple(printed) + ("",) * max(len(trail) - 1, 0)
        method = RowMethod.POSITIONAL if len(tokens) == width else RowMethod.TRIMMED
        return values, tokens, tuple(map(parse_value, printed)), method  # (`_count_cells`, split once)
    m = plain.fullmatch(seg)
    if m is None:
        m = _BLANK_ROW.fullmatch(seg)
        if m is None or (m.group("number") or next_number) != next_number:
            return None
        return m.group("values"), ("",) * (len(m.group("tabs")) - 1), _BLANK7, RowMethod.POSITIONAL
    values, number, glued, spaced = m.group("values", "number", "glued", "spaced")
    if (number or next_number) != next_number:
        return None
    if glued:
        return values, (glued,), _count_cells(glued, ""), RowMethod.SPLIT
    return values, tuple(spaced.split()), _count_cells(spaced, " "), RowMethod.POSITIONAL


@short_text_cache
def _count_cells(cells: str, separator: str) -> tuple[Cell, ...]:
    """The count cells of a row's printed numbers, split at `separator` (spaces: any run of
    them; none: one digit per cell)."""
    printed = cells.split("\t") if separator == "\t" else cells.split() if separator else list(cells)
    return tuple(map(parse_value, printed))  # (a count by default: the text alone is the cache's quickest key)


def _find_rows(
    doc: Compacted, rows, start: int, limit: int, follows: re.Pattern | None = None, fuzzy: dict | None = None
):
    """Find each row label in order; returns {key: (match_start, match_end)}.

    `follows`, when given, must match right after a label: it tells a row label (followed by
    values or by another label) from the same words used in prose. Labels the patterns miss
    are looked for approximately between their neighbours (see `_fuzzy_row`); the score of
    each such match is recorded in `fuzzy`.
    """
    found: dict[str, tuple[int, int]] = {}
    pos = start
    compact = doc.compact
    for row in rows:
        if follows is None:  # the first occurrence is the row's
            first = _pattern(row.pattern).search(compact, pos, min(limit, pos + ROW_WINDOW))
            if first:
                found[row.key] = first.span()
                pos = first.end()
            continue
        for m in _pattern(row.pattern).finditer(compact, pos, min(limit, pos + ROW_WINDOW)):
            if follows is None or follows.match(doc.compact, m.end()) or m.end() >= limit:
                found[row.key] = (m.start(), m.end())
                pos = m.end()
                break
    if fuzzy is not None:
        keys = [r.key for r in rows]
        for i, row in enumerate(rows):
            if row.key in found:
                continue
            lo = max((found[k][1] for k in keys[:i] if k in found), default=start)
            hi = min((found[k][0] for k in keys[i + 1 :] if k in found), default=limit)
            hit = _fuzzy_row(doc.compact, row.label, lo, min(hi, lo + ROW_WINDOW))
            if hit:
                found[row.key], fuzzy[row.key] = hit[:2], hit[2]
    return found


FUZZY_THRESHOLD = 80.0  # searched only between the neighbouring labels, so a loose score is safe
_NUMBERING = re.compile(r"^(\d{1,2}[.、]|[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]\))")


def _fuzzy_row(compact: str, label: str, lo: int, hi: int) -> tuple[int, int, float] | None:
    """The best approximate occurrence of an official label (typos, dropped or swapped
    characters) in compact[lo:hi], if it scores at least FUZZY_THRESHOLD."""
    core = _NUMBERING.sub("", re.sub(r"\s", "", normalize(label)))
    window = compact[lo:hi]
    if len(core) < 6 or len(window) < len(core) - 2:
        return None
    hit = fuzz.partial_ratio_alignment(core, window)
    if hit is None or hit.score < FUZZY_THRESHOLD:
        return None
    end = lo + hit.dest_end
    while end > lo + hit.dest_start and compact[end - 1].isdigit():  # the alignment may reach into values
        end -= 1
    return lo + hit.dest_start, end, round(hit.score, 1)


def _reanchor(doc: Compacted, rows, found: dict) -> dict:
    """A label printed twice (a heading, then the row under a converter's bogus header) keeps
    its last occurrence before the next row, where its numbers are."""
    order = [r for r in rows if r.key in found]
    for row, nxt in pairwise(order):
        last = None
        pattern = getattr(row, "core", "") or row.pattern
        for last in _pattern(pattern).finditer(doc.compact, found[row.key][1], found[nxt.key][0]):
            pass
        if last is not None:
            found[row.key] = (last.start(), last.end())
    return found


def _stops(doc: Compacted, found: dict, extra: re.Pattern | None, start: int, end: int) -> list[int]:
    stops = {s for s, _ in found.values()}
    if extra is not None:
        stops.update(m.start() for m in extra.finditer(doc.compact, start, end))
    stops.add(end)
    return sorted(stops)


def _leading_blank_column(rows) -> bool:
    """Does this table print an empty merged label column between labels and values?

    Decided per table, not per row: a blank first cell in most rows that carry numbers is
    layout; in a row or two it is a blank cell of data.
    """
    filled = [r for r in rows if "".join(r).strip()]
    return bool(filled) and sum(not r[0].strip() for r in filled) >= 0.6 * len(filled)


def _place(doc: Compacted, pos: int) -> str:
    return f"line {doc.line_of(pos)}"


def _place_at(doc: Compacted, index: int) -> str:
    """`_place` of the original text's index `index` (a label's start, already mapped back)."""
    return f"line {doc.line_at(index)}"


_COUNTS7 = ("count",) * 7
_MISSING7 = (MISSING,) * 7


def _first_line_filled(seg: str) -> bool:
    """Does a row's value text print something on the label's own line?"""
    return bool(seg.split("\n")[0].strip())


# 表三's label patterns per template, compiled once: each row's, and the one `_reanchor` looks for.
_T3_LABELS = {
    variant: tuple((r.key, re.compile(r.pattern), re.compile(r.core or r.pattern)) for r in rows)
    for variant, rows in V.T3_ROWS.items()
}
_ROW_PATTERNS = {rows: tuple(re.compile(r.pattern) for r in rows) for rows in V.T3_ROWS.values()}
_T3_NUMBERS = {variant: {r.key: r.number for r in rows} for variant, rows in V.T3_ROWS.items()}  # each row's numbering


def _t3_labels(doc: Compacted, variant: str, start: int, end: int, fuzzy: dict) -> dict:
    """`_reanchor(_find_rows(…))` of 表三's rows: when every label is printed, found in one pass with
    the compiled patterns; otherwise by the general code, which also looks for them approximately."""
    compact, found, pos = doc.compact, {}, start
    labels = _T3_LABELS[variant]
    for key, label, _ in labels:
        m = label.search(compact, pos, min(end, pos + ROW_WINDOW))
        if m is None:
            rows = V.T3_ROWS[variant]
            return _reanchor(doc, rows, _find_rows(doc, rows, start, end, fuzzy=fuzzy))
        found[key] = m.span()
        pos = m.end()
    for (key, _, core), (nxt, _, _) in pairwise(labels):  # as `_reanchor`: the last occurrence before the next row
        lo, hi = found[key][1], found[nxt][0]
        if core.search(compact, lo, hi):
            *_, last = core.finditer(compact, lo, hi)
            found[key] = last.span()
    return found


def extract_table3(doc: Compacted) -> TableResult | None:
    """表三: its 2019 or 2021 rows by their labels, each row's cells decided by the column identities (T3-A/B) where the printed text allows several readings; None when the table is not there."""
    first = _pattern(V.T3_ROWS["2019"][0].pattern).search(doc.compact)
    if not first:
        return None
    start = first.start()
    carried = _pattern(r"结转下一?年度").search(doc.compact, start)
    end_m = T3_END.search(doc.compact, carried.end() if carried else start)
    end = end_m.start() if end_m else min(len(doc.compact), start + 6000)
    region = doc.compact[start:end]
    variant = "2021" if _T3_2021_MARKER.search(region) else "2019"
    rows = V.T3_ROWS[variant]
    fuzzy: dict[str, float] = {}
    found = _t3_labels(doc, variant, start, end, fuzzy)
    stops = _stops(doc, found, T3_GROUPS, start, end)

    numbers = _T3_NUMBERS[variant]
    order = [r.key for r in rows if r.key in found]
    source, origin = doc.text, doc.origin
    labels, label_starts, raws, clean = {}, {}, {}, {}
    for key, nxt in zip(order, order[1:] + [""]):
        span = found[key]
        label_start, label_end = origin(span[0]), origin(span[1] - 1) + 1
        labels[key], label_starts[key] = source[label_start:label_end], label_start
        raw = raws[key] = source[label_end : origin(stops[bisect_left(stops, span[1])])]
        clean[key] = _clean_row(raw, numbers[nxt] if nxt else "")
    reads = [read for read in clean.values() if read is not None and read[2] is not _BLANK7]
    if len(order) == len(rows) and len(reads) == len(order):
        # Every row read at once: each has its one reading on its label's line, which the
        # identities have nothing to choose among (what the general steps below come to).
        return TableResult(
            {
                key: RowResult(
                    key, read[2], labels[key], _place_at(doc, label_starts[key]), read[3], fuzzy_score=fuzzy.get(key)
                )
                for key, read in zip(order, reads)
            },
            start,
            end,
            variant,
        )
    segments, leftovers, tokens = {}, {}, {}
    for key, nxt in zip(order, order[1:] + [""]):
        read = clean[key]
        if read is None:
            seg, leftovers[key] = _trimmed_values(raws[key], numbers.get(nxt, ""))
            segments[key], tokens[key] = seg, printed_cells(seg, 7)
        else:
            segments[key], tokens[key], leftovers[key] = read[0], read[1], ""
    lead = _leading_blank_column(tokens.values())
    readings, fallbacks, results = {}, {}, {}
    for key in order:
        read = clean[key]
        if read is None:
            seg = segments[key]
            reading = row_candidates(tokens[key], 7, _COUNTS7, row_sum_check, separated="\t" in seg, lead_blank=lead)
            readings[key], fallbacks[key], method = reading.candidates, reading.fallbacks, reading.method
        else:
            readings[key], fallbacks[key], method = [read[2]], [], read[3]
        results[key] = RowResult(
            key,
            _MISSING7,
            labels[key],
            _place_at(doc, label_starts[key]),
            method,
            fuzzy_score=fuzzy.get(key),
            leftover=leftovers[key],
        )

    inline = {k: _first_line_filled(seg) for k, seg in segments.items()}
    detached = _values_by_order(doc, start, end, rows, readings, inline, V.T3_OUTCOME_LEAVES[variant])
    if not detached:  # no row's values are printed apart from it: numbers on further lines are unread
        for key, res in results.items():
            unread = "" if clean[key] else unread_lines(segments[key], 7)  # read at once: none
            if unread:
                res.leftover = f"{unread} {res.leftover}" if res.leftover else unread
    if detached:
        readings.update(detached)
        for key in detached:
            results.setdefault(key, RowResult(key, (MISSING,) * 7)).method = RowMethod.BY_ORDER
    resolution = resolve_table3({k: v for k, v in readings.items() if v}, V.T3_OUTCOME_LEAVES[variant], fallbacks)
    for key, res in results.items():
        if key in resolution.chosen:
            res.cells = resolution.chosen[key]
            if res.cells not in readings[key]:
                res.method, res.by_identities = RowMethod.MISSING_CELL, True  # a fallback reading
            elif len(readings[key]) > 1:
                res.by_identities = True
        else:
            res.candidates = resolution.unresolved.get(key, [])
            res.method = RowMethod.UNRESOLVED if res.candidates else RowMethod.UNREADABLE
            res.cells = agreed_cells(res.candidates, 7)
    for row in rows:
        if row.key not in results:
            results[row.key] = RowResult(row.key, (MISSING,) * 7)
    return TableResult(results, start, end, variant)


_T3_2021_MARKER = re.compile(r"逾期不补正|逾期未按收费通知")  # 2021's 其他处理 rows
# Seven numbers closing a line, possibly after a fragment of a wrapped label.
_VALUE_ROW = re.compile(r"^(?P<lead>(?:[^\t\d]*\t)*)(?:[ ]*\d+[ ]*\t){7}[ \t]*$")


def _values_by_order(
    doc: Compacted, start: int, end: int, rows, readings: dict, inline: dict, leaves: tuple[str, ...]
) -> dict:
    """Converters (PDF → Markdown) print some rows' numbers on lines of their own, apart from
    their labels and not always next to them. When the rows left without values on their
    label's line are exactly as many as the value-only lines of the table, pair them in
    order — and keep the pairing only if every identity of the table then holds."""
    if all(inline.get(r.key) and readings.get(r.key) for r in rows if r.key in inline):
        return {}
    text = doc.text[doc.origin(start) : doc.origin(end)]
    patterns = _ROW_PATTERNS[rows]
    value_lines = []
    for line in text.split("\n"):
        m = _VALUE_ROW.match(line) if line.count("\t") >= 7 else None  # seven cells end in seven tabs
        lead = re.sub(r"\s", "", m.group("lead")) if m else ""
        if m and not any(p.search(lead) for p in patterns):  # a whole label: that row reads itself
            value_lines.append(line[m.end("lead") :])
    # Every 表三 row is printed; a label the converter scrambled beyond recognition still waits
    # for its values, like one printed out of order.
    waiting = [r.key for r in rows if not inline.get(r.key)]
    if not waiting or len(value_lines) != len(waiting):
        return {}
    paired = {key: [tuple(parse_value(v) for v in line.split("\t")[:7])] for key, line in zip(waiting, value_lines)}
    grid = {k: v[0] for k, v in readings.items() if len(v) == 1} | {k: v[0] for k, v in paired.items()}
    if len(grid) != len(rows) or any(row_sum_check([c.value for c in cells]) is False for cells in grid.values()):
        return {}
    return paired if columns_hold(grid, leaves) else {}


def extract_table4(doc: Compacted, after: int = 0) -> TableResult | None:
    """表四's 15 numbers: every value printed between (and after) its header words, in order.

    One flat row, three blocks split over separate small tables, or headers and values on
    separate lines all read the same way; the block totals then check the reading.
    """
    head = T4_START.search(doc.compact, after)
    if not head:
        return None
    end_m = _pattern(r"五[、.]").search(doc.compact, head.end())
    end = end_m.start() if end_m else len(doc.compact)
    headers = list(T4_HEADER.finditer(doc.compact, head.start(), end))
    gaps = [(a.end(), b.start()) for a, b in pairwise(headers)] + [(headers[-1].end(), end)]
    tokens, separated, leftover = _t4_cells(doc, headers, gaps)
    reading = row_candidates(tokens, 15, ("count",) * 15, block_sum_check, separated=separated)
    if not any(c.value_class == "number" for cand in reading.candidates for c in cand):
        # No number read, yet the table prints some (after a garbled header word, say).
        printed = re.findall(r"\d+", _NOT_CELLS.sub("", doc.text[doc.origin(head.end()) : doc.origin(end)]))
        leftover += [" ".join(printed[:15])] if printed else []
    place = _place(doc, headers[-1].end())
    cells = agreed_cells(reading.candidates, 15)
    if len(reading.candidates) == 1:
        method = reading.method
    else:
        method = RowMethod.UNRESOLVED if reading.candidates else RowMethod.UNREADABLE
    rows = {}
    for b, block in enumerate(V.T4_BLOCKS):
        rows[block] = RowResult(
            block,
            cells[b * 5 : (b + 1) * 5],
            V.T4_BLOCK_LABELS[block],
            place,
            method,
            [c[b * 5 : (b + 1) * 5] for c in reading.candidates] if method == RowMethod.UNRESOLVED else [],
            leftover=" ".join(leftover) if b == 0 else "",  # one issue for the whole table (see checks)
        )
    return TableResult(rows, head.start(), end)


def _holds_no_cell(doc: Compacted, start: int, end: int) -> bool:
    """Is the text between two 表四 header words one `_value_parts` reads nothing from (no tab,
    no digit, and a character no cell holds first)?"""
    seg = doc.text[doc.origin(start - 1) + 1 : doc.origin(end)]
    return "\t" not in seg and not _DIGIT.search(seg) and _VALUE_CHARS.match(seg.lstrip()) is not None


# Two tabs on the line a header word ends: a blank cell printed between two header words.
_TWO_TABS = re.compile(r"\S[^\S\n]*\t[^\S\n]*\t")


def _t4_cells(doc: Compacted, headers: list[re.Match[str]], gaps: list[tuple[int, int]]):
    """表四's printed cells, whether its text holds cell separators, and the numbers left unread.

    In the common print the header words hold no cell between them: only whitespace (no cell
    unless a line of it prints two tabs) or words with no value in them (the heading's 、 or
    情况). Then only the text after the last header word is read; otherwise every gap is."""
    tokens: list[str] = []
    separated, leftover = False, []
    if all(_holds_no_cell(doc, a, b) for a, b in gaps[:-1] if a != b):
        words = doc.text[doc.origin(headers[0].start()) : doc.origin(headers[-1].end() - 1) + 1]
        if not _TWO_TABS.search(words):
            separated, gaps = "\t" in words, gaps[-1:]
    for gap_start, gap_end in gaps:
        if gap_start == gap_end:  # header words next to each other: only whitespace between them
            seg, rest = doc.text[doc.origin(gap_start - 1) + 1 : doc.origin(gap_end)], ""
            if "\t" not in seg:
                continue  # no cell
        else:
            seg, rest = _value_parts(doc, gap_start, gap_end)
        leftover += [rest] if rest else []
        separated |= "\t" in seg
        tokens += [t for t in tokenize(seg, 15) if t.strip() or "\t" in seg]
    return tokens, separated, leftover


# each 表二 layout's columns → how their cells are read (count | signed | money)
_T2_KINDS = {
    item.metrics: tuple(
        "money" if m in V.T2_MONEY_METRICS else "signed" if m in V.T2_SIGNED_METRICS else "count" for m in item.metrics
    )
    for items in V.T2_ITEMS.values()
    for item in items
}
_SIGNED_START = re.compile(r"\s*(增|减|\+)")
# each 表二 layout's columns and the unit its amounts are printed in → how its cells are read
_T2_COLUMNS = {
    (metrics, unit): (kinds, tuple(unit if k == "money" else None for k in kinds))
    for metrics, kinds in _T2_KINDS.items()
    for unit in ("元", None)
}
_T2_YUAN = re.compile(r"采购总金额\(元\)|金额\(单位:元\)")  # amounts printed in 元, not 万元
_T2_2021_MARKERS = tuple(re.compile(p) for p in V.T2_2021_MARKERS)
_T2_2019_MARKERS = tuple(re.compile(p) for p in V.T2_2019_MARKERS)
_MISSING_ROW = {width: (MISSING,) * width for width in range(1, 16)}
# 表二 rows printed the common way: as many tab-separated cells as the item has columns on the
# label's line, each of characters that can only be values (see `_VALUE_CHARS`), nothing after.
_T2_CELL = r"[\d.,+\-/\\|无增减加少万亿元%件项个]+"
_CLEAN_T2_ROWS = {
    width: re.compile(
        rf"\t(?P<lead>\t*)(?P<cells>(?:{_T2_CELL}\t){{{width - 1}}}{_T2_CELL})(?P<trail>\t*)(?:\n[\t \n]*)?"
    )
    for width in {len(i.metrics) for items in V.T2_ITEMS.values() for i in items}
}


@dataclass(frozen=True)
class _T2Layout:
    """What 表二 of one template needs, compiled once: each item's label and repeat patterns, and
    what may follow a label (a value, another label, a header word)."""

    items: tuple[V.Item, ...]
    labels: tuple[re.Pattern[str], ...]
    repeats: tuple[re.Pattern[str], ...]
    follows: re.Pattern[str]


_T2_LAYOUTS = {
    variant: _T2Layout(
        items,
        tuple(re.compile(i.pattern) for i in items),
        tuple(re.compile(f"(?:{i.pattern})(?=[\\d+\\-无/])") for i in items),
        re.compile(rf"[\d+\-无/.]|{'|'.join(i.pattern for i in items)}|{T2_HEADERS.pattern}"),
    )
    for variant, items in V.T2_ITEMS.items()
}


@short_text_cache
def _clean_t2_row(
    seg: str, columns: tuple[tuple[str, ...], tuple]
) -> tuple[tuple[Cell, ...], RowMethod, tuple[int, ...]] | None:
    """(cells, method, the columns not of signed changes whose cell prints a sign) of a 表二 row
    printed the common way (see `_CLEAN_T2_ROWS`), read as its one reading (blank cells around
    the values are padding: see `_read_row`); None otherwise. `columns`: how each column is
    read (kinds) and the units of its amounts."""
    kinds, units = columns
    m = _CLEAN_T2_ROWS[len(kinds)].fullmatch(seg)
    if m is None:
        return None
    printed, lead, trail = m.group("cells", "lead", "trail")
    cells = tuple(map(parse_value, printed.split("\t"), kinds, units))
    if any(c.value_class == "text" for c in cells):
        return None
    padded = lead or len(trail) > 1
    signed: tuple[int, ...] = ()
    if "增" in printed or "减" in printed or "+" in printed:
        signed = tuple(j for j, c in enumerate(cells) if kinds[j] != "signed" and _SIGNED_START.match(c.raw or ""))
    return cells, RowMethod.TRIMMED if padded else RowMethod.POSITIONAL, signed


def extract_table2(doc: Compacted, end: int) -> TableResult | None:
    # end 0 (表三 starts the text) bounds nothing; `search` takes no None for its end.
    """表二 before compact position `end`: its items (2019 or 2021 columns) by their labels, in any order; glued digits are left open (no identity inside the report decides them); None when the table is not there."""
    end = end if end > 0 else len(doc.compact)
    start_m = _pattern(r"第二十[条條]第").search(doc.compact, 0, end)
    if not start_m:
        return None
    start = start_m.start()
    heading = SECTION_3.search(doc.compact, start, end)
    end = heading.start() if heading else end
    region = doc.compact[start:end]
    n2021 = sum(bool(p.search(region)) for p in _T2_2021_MARKERS)
    n2019 = sum(bool(p.search(region)) for p in _T2_2019_MARKERS)
    variant = "2021" if n2021 > n2019 else "2019" if n2019 else None
    if variant is None:
        return TableResult({}, start, end, None)
    layout = _T2_LAYOUTS[variant]
    items, compact, follows = layout.items, doc.compact, layout.follows
    # 表二's items are distinct words and its sub-tables may be printed in any order: each label's
    # first occurrence followed by what may follow a row label (as `_find_rows` with `follows`).
    found = {}
    for item, label in zip(items, layout.labels):
        for m in label.finditer(compact, start, min(end, start + ROW_WINDOW)):
            if follows.match(compact, m.end()) or m.end() >= end:
                found[item.key] = m.span()
                break
    stops = _stops(doc, found, T2_HEADERS, start, end)
    money_unit = "元" if _T2_YUAN.search(region) else None
    results, wrapped = {}, {}
    source, origin = doc.text, doc.origin
    for item, repeat in zip(items, layout.repeats):
        if item.key not in found:
            continue
        span = found[item.key]
        kinds, units = columns = _T2_COLUMNS[item.metrics, money_unit]
        width = len(item.metrics)
        stop = stops[bisect_left(stops, span[1])]
        label_end = origin(span[1] - 1) + 1
        raw = source[label_end : origin(stop)]
        label_start = origin(span[0])
        res = RowResult(item.key, _MISSING_ROW[width], source[label_start:label_end], _place_at(doc, label_start))
        # how many more times the label is printed, followed by numbers, before the next row
        res.repeated = len(repeat.findall(compact[span[1] : stop]))
        fast = _clean_t2_row(raw, columns)
        if fast is not None:  # read at once: what the general reading below gives this row
            res.cells, res.method = fast[0], fast[1]
            res.signed = [item.metrics[j] for j in fast[2]]
            results[item.key] = res
            continue
        seg, leftover = _trimmed_values(raw, "")
        leftover = " ".join(x for x in (unread_lines(seg, len(item.metrics)), leftover) if x)
        tokens = tokenize(seg, width)
        reading = row_candidates(tokens, width, kinds, None, separated="\t" in seg, units=units)
        res.method = reading.method
        res.leftover, res.split_at_space = leftover, split_at_space(seg, width)
        if "\t" not in seg and re.search(r"\d[ ]*\n\s*[+\-]?\d", seg.strip()):
            wrapped[item.key] = True
        _read_t2_row(res, reading, tokens, seg, kinds, units)
        res.signed = [
            m
            for m, k, c in zip(item.metrics, kinds, res.cells, strict=True)
            if k != "signed" and c.raw and _SIGNED_START.match(c.raw)
        ]
        results[item.key] = res
    # A table printed glued (crawler text) has no separators: a line break between the numbers
    # of one of its rows is where the text was wrapped, not a cell boundary the source printed.
    if any(r.method in (RowMethod.SPLIT, RowMethod.UNRESOLVED) for r in results.values()):
        for key in wrapped:
            results[key].split_at_space = True
    absent = [i.key for i in items if i.key not in found]
    return TableResult(results, start, end, variant, absent)


def _read_t2_row(res: RowResult, reading, tokens: list[str], seg: str, kinds: tuple, units: tuple) -> None:
    """A 表二 row's cells from its candidate readings: the one reading, the cells they agree on,
    or the placements of a row cut short."""
    width = len(kinds)
    if len(reading.candidates) == 1:
        res.cells = reading.candidates[0]
    elif reading.candidates:
        res.method, res.candidates = RowMethod.UNRESOLVED, reading.candidates
        res.cells = agreed_cells(reading.candidates, width)
    elif "\t" in seg and 0 < len([t for t in tokens if t.strip()]) < width:
        # Row cut short in the source: which columns the printed cells fill is not printed.
        # Converters lose a cell from inside or at the end of a row (a wrapped cell floats
        # away) while the row still starts after its label: the first printed cell stays in
        # the first column and, when there are more, the last one at the table's edge.
        kept = [t for t in tokens if t.strip()]
        res.method, res.candidates = RowMethod.SHORT_ROW, []
        for columns in combinations(range(width), len(kept)):
            cells = [MISSING] * width
            for column, text in zip(columns, kept):
                cells[column] = parse_value(text, kinds[column], units[column])
            res.candidates.append(tuple(cells))
        edges = [c for c in res.candidates if c[0] is not MISSING and (len(kept) == 1 or c[-1] is not MISSING)]
        res.cells = edges[0] if len(edges) == 1 else agreed_cells(res.candidates, width)
