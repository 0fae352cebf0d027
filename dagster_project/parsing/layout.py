"""Bring every text layout to one canonical form: a tab ends a cell, a newline ends a row.

Layouts seen in published reports and their converters:
- one cell per line, indented by a tab, rows separated by blank lines (labels may wrap onto
  an unindented continuation line);
- one cell per line, each line ending in ``|`` (a bare ``|`` line is a blank cell);
- one row per line with tab-separated cells (already canonical);
- Markdown pipe tables (``| a | b |``);
- crawler text where a whole table runs together on one line (left as it is: the table
  parser splits such runs with the identities).
Page numbers between the lines of a converted PDF are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat
from operator import itemgetter, methodcaller
from typing import Any

_MD_SEPARATOR = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
# A page number left by a PDF conversion (— 4 —, - 4 -, 第4页, 第 4 页 共 9 页), which would
# otherwise read as cells of the row it interrupts. A bare number is a cell: it stays.
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]+\s*\d{1,3}\s*[-—–－]+|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?)\s*$"
)
# What every page-number line holds, starting with one of a few characters: only the lines it is
# found in are tried as page numbers. One pattern per first character, each a literal the regex
# engine skips ahead to (a character class up front is tried at every position: 5-10x slower).
_PAGE_NUMBER_CORES = tuple((lead, re.compile(re.escape(lead) + r"[^\S\n]*\d")) for lead in "第-—–－")
# The lines `canonical` rewrites: one ending in a pipe, one cell indented by a tab.
_PIPE_CLOSED = re.compile(r"\|[^\S\n]*$", re.MULTILINE)
_ONE_CELL = re.compile(r"\t(?<![^\n]\t)[^\t\n]*(?=\n|\Z)")  # (a literal first: a quick search)
_NUMERIC = re.compile(r"^[\d.,+\-\s万亿元增减]*$")
# A page marker inside a line (a crawler flattening a PDF: 行政强制— 23 —126025, 收费15第7页-15).
# 第N页 never is a cell; an em-dash pair around a number is not one in text that is not tab-separated.
# Every branch starts with a literal character (the look-behinds come after it), so the regex
# engine skips ahead to the candidates instead of trying each position: 20× faster. Each branch
# comes with a character it cannot match without: a text holding none of them is not searched.
_INLINE_PAGE_BRANCHES = (
    ("页", r"第[ \u3000]*\d{1,3}[ \u3000]*页(?:[ \u3000]*[,，/]?[ \u3000]*共[ \u3000]*\d{1,3}[ \u3000]*页)?"),
    ("—", r"—(?<!\t—)[—―]?[ \u3000]*\d{1,3}[ \u3000]*[—―]{1,2}(?!\t)"),
    ("―", r"―(?<!\t―)[—―]?[ \u3000]*\d{1,3}[ \u3000]*[—―]{1,2}(?!\t)"),
    ("-", r"-(?:(?<![\t\d-]-)[ ]?\d{1,3}[ ]?-|(?<![\t-]-)[ ]\d{1,3}[ ]-)(?=[ ]*\n)"),  # - 4 - closing a line: a footer
)


# The kinds of marker share no character (第N页; em dashes; hyphens), so no two markers of
# different kinds overlap: each kind is searched for alone, which lets the regex engine skip
# ahead to its one literal (several branches together are tried at every position).
_INLINE_PAGE_KINDS = (("页",), ("—", "―"), ("-",))


@lru_cache(maxsize=16)
def _inline_page(needed: frozenset[str]) -> re.Pattern[str]:
    """The page-marker branches of the characters `needed` (a text's): the others cannot match."""
    return re.compile("|".join(branch for char, branch in _INLINE_PAGE_BRANCHES if char in needed))


UNREADABLE_MARK = "\ufffd"  # what a page marker glued between two digits becomes: the row is flagged


def drop_page_markers(text: str) -> tuple[str, int]:
    """The text without the page markers printed inside its lines, and how many were dropped.
    A marker glued between two digits leaves U+FFFD: which cells the digits around it belong
    to is not printed, so the row reading them is flagged (see ``tables._value_parts``)."""
    count = 0

    def drop(m: re.Match) -> str:
        nonlocal count
        count += 1
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        return UNREADABLE_MARK if before.isdigit() and after.isdigit() else ""

    patterns = [_inline_page(needed) for kind in _INLINE_PAGE_KINDS if (needed := _held(kind, text))]
    if len(patterns) <= 1:
        return (patterns[0].sub(drop, text), count) if patterns else (text, 0)
    parts: list[str] = []  # `sub` of all kinds at once: the markers of every kind, in text order
    end = 0
    for m in sorted((m for p in patterns for m in p.finditer(text)), key=_START):
        parts += (text[end : m.start()], drop(m))
        end = m.end()
    parts.append(text[end:])
    return "".join(parts), count


def _held(chars: tuple[str, ...], text: str) -> frozenset[str]:
    return frozenset(char for char in chars if char in text)


_START = methodcaller("start")


# `canonical` of a text in the one-cell-per-line layout (and no page-number line): only the
# blocks of lines `fold_lines` would change are cut out, and all of them are folded together by
# a few string operations, the work of a per-line loop done in C. A block is a run of one-cell
# lines with the lines that may continue a cell (short, no pipe: group 2 holds the last one),
# these blocks left to `fold_lines`. The look-behind after the literal tab keeps the search fast.
_CELL_BLOCK = re.compile(
    r"(\t(?<![^\n]\t)[^\t\n]*+(?![^\n])(?:\n(?:\t[^\t\n]*+(?![^\n])|([^\S\n]*[^\s|][^\n|]{0,23}[^\S\n]*(?![^\n]))))*)"
)


# The same for the pipe layouts (and no one-cell line): a run of `cell |` lines (a bare `|` is a
# blank cell), a Markdown separator row, or a Markdown row (groups 1-3).
_PIPE_CELL_LINE = r"[^\S\n]*(?:[^\s|][^\n]*)?\|[^\S\n]*"
_PIPE_BLOCK = re.compile(
    rf"^(?:({_PIPE_CELL_LINE}(?:\n{_PIPE_CELL_LINE})*)"
    r"|([^\S\n]*\|(?:[^\S\n]|[:|-])*\|[^\S\n]*)"
    r"|([^\S\n]*\|[^\n]*\|[^\S\n]*))$",
    re.MULTILINE,
)


def canonical(text: str) -> str:
    """The text with every table layout converters produce folded into the canonical one (a row per line, a tab after every cell)."""
    pages = _has_page_lines(text)
    pipes, cells = _PIPE_CLOSED.search(text) is not None, _ONE_CELL.search(text) is not None
    if not pages and not pipes and not cells:
        return text  # no line `fold_lines` would change (tab rows and crawler text)
    if pages or (cells and pipes) or "\x00" in text:
        return fold_lines(text, pages)
    return _fold_cell_blocks(text) if cells else _fold_pipe_blocks(text)


def _has_page_lines(text: str) -> bool:
    """Is any line of `text` a page number (`fold_lines` drops it)?"""
    if "页" not in text and not any(dash in text for dash in "-—–－"):
        return False  # (what every page number holds)
    for lead, core in _PAGE_NUMBER_CORES:
        for m in core.finditer(text) if lead in text else ():
            start, end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.start())
            if _PAGE_NUMBER.match(text[start:end] if end >= 0 else text[start:]):
                return True
    return False


def _fold_cell_blocks(text: str) -> str:
    """`fold_lines` of a text whose only changed lines are one-cell lines (and their wrapped
    cells): lines outside the blocks are left as they are, as `fold_lines` leaves them."""
    parts = _CELL_BLOCK.split(text)  # text, block, its last continuing line or None, text, ...
    blocks, continued = parts[1::3], parts[2::3]
    parts[1::3] = _fold_cell_lines(blocks)
    if any(continued):
        for i in (i for i, line in enumerate(continued) if line is not None):
            parts[3 * i + 1] = fold_lines(blocks[i], pages=False)
    parts[2::3] = [""] * len(continued)
    return "".join(parts)


def _fold_cell_lines(blocks: list[str]) -> list[str]:
    """Blocks of one-cell lines, each folded to a row: its cells stripped, a tab after each.
    (Every block starts with a line's tab; a NUL cell stands between two blocks.)"""
    if not blocks:
        return []
    cells = "\n\t\x00\n".join(blocks)[1:].split("\n\t")
    rows = "\t".join(map(str.strip, cells)).replace("\t\x00\t", "\t\x00") + "\t"
    return rows.split("\x00")


def _fold_pipe_blocks(text: str) -> str:
    """`fold_lines` of a text whose only changed lines are `cell |` lines and Markdown rows."""
    parts = _pipe_split(text)  # text, run of `cell |` lines, separator row, Markdown row, text, ...
    runs, rows = parts[1::4], parts[3::4]
    parts[1::4] = _blank_where_none(runs, _fold_pipe_runs([run or "|" for run in runs]))
    parts[2::4] = [""] * len(runs)  # a separator row leaves an empty line
    parts[3::4] = _blank_where_none(rows, _fold_markdown_rows([row or "||" for row in rows]))
    return "".join(parts)


def _pipe_split(text: str) -> list[str | Any]:  # (as `re.split`: a group that took no part is None)
    """`_PIPE_BLOCK.split(text)`, the pattern run over the lines from the first pipe to the last
    only: each of its matches holds a pipe on every line, and a `^` anchored pattern is tried at
    every character of the text."""
    first = text.find("|")
    if first < 0:
        return [text]
    start, end = text.rfind("\n", 0, first) + 1, text.find("\n", text.rfind("|"))
    end = len(text) if end < 0 else end
    parts = _PIPE_BLOCK.split(text[start:end])
    parts[0] = text[:start] + parts[0]
    parts[-1] += text[end:]  # (the same part when nothing matched)
    return parts


def _blank_where_none(blocks: list[str | None], folded: list[str]) -> list[str]:
    return [row if block is not None else "" for block, row in zip(blocks, folded, strict=True)]


def _fold_pipe_runs(runs: list[str]) -> list[str]:
    """Runs of `cell |` lines, each joined to a row; a NUL line stands between two runs."""
    if not runs:
        return []
    lines = "\n\x00\n".join(runs).split("\n")
    cells = map(str.strip, map(str.rstrip, map(str.strip, lines), repeat("|")))
    return ("\t".join(cells).replace("\t\x00\t", "\t\x00") + "\t").split("\x00")


def _fold_markdown_rows(rows: list[str]) -> list[str]:
    """Markdown rows (`| a | b |`), each to its cells; a NUL cell stands between two rows."""
    if not rows:
        return []
    inner = map(_INSIDE_PIPES, map(str.strip, rows))
    cells = map(str.strip, "|\x00|".join(inner).split("|"))
    return ("\t".join(cells).replace("\t\x00\t", "\t\x00") + "\t").split("\x00")


_INSIDE_PIPES = itemgetter(slice(1, -1))


def fold_lines(text: str, pages: bool = True) -> str:
    """`canonical`, line by line; `pages`: the text may hold page-number lines."""
    out: list[str] = []
    append, page_line, numeric = out.append, _PAGE_NUMBER.match, _NUMERIC.match  # looked up once
    row: list[str] | None = None  # cells of a one-cell-per-line row being collected
    pipe_run = False  # the previous line was a `cell |` line
    for line in text.split("\n"):
        if pages and page_line(line):
            continue
        if line[:1] == "\t" and line.find("\t", 1) < 0:  # one cell, indented by a tab
            if row is None:
                row = [line[1:].strip()]
            else:
                row.append(line[1:].strip())
            continue
        stripped = line.strip()
        if row is not None:
            # A short unindented line right after a text cell is that cell wrapped.
            if 0 < len(stripped) <= 24 and row[-1] and not numeric(row[-1]) and "|" not in stripped:
                row[-1] += stripped
                continue
            append("\t".join(row) + "\t")
            row = None
        if stripped[-1:] != "|":
            append(line)
        elif stripped.startswith("|") and len(stripped) > 1:
            out.append(
                "" if _MD_SEPARATOR.match(stripped) else "\t".join(c.strip() for c in stripped[1:-1].split("|")) + "\t"
            )
        else:
            # One cell per line: line breaks are cell breaks, so the cells join one line.
            cell = stripped.rstrip("|").strip() + "\t"
            if pipe_run:
                out[-1] += cell
            else:
                out.append(cell)
            pipe_run = True
            continue
        pipe_run = False
    if row is not None:
        out.append("\t".join(row) + "\t")
    return "\n".join(out)
