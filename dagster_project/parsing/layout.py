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

_MD_SEPARATOR = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
# A page number left by a PDF conversion (— 4 —, - 4 -, 第4页, 第 4 页 共 9 页), which would
# otherwise read as cells of the row it interrupts. A bare number is a cell: it stays.
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]+\s*\d{1,3}\s*[-—–－]+|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?)\s*$"
)
_PAGE_NUMBER_ANYWHERE = re.compile(_PAGE_NUMBER.pattern, re.MULTILINE)
# The lines `canonical` rewrites: one ending in a pipe, one cell indented by a tab.
_PIPE_CLOSED = re.compile(r"\|[^\S\n]*$", re.MULTILINE)
_ONE_CELL = re.compile(r"^\t[^\t\n]*$", re.MULTILINE)
_NUMERIC = re.compile(r"^[\d.,+\-\s万亿元增减]*$")
# A page marker inside a line (a crawler flattening a PDF: 行政强制— 23 —126025, 收费15第7页-15).
# 第N页 never is a cell; an em-dash pair around a number is not one in text that is not tab-separated.
# Every branch starts with a literal character (the look-behinds come after it), so the regex
# engine skips ahead to the candidates instead of trying each position: 20× faster.
_INLINE_PAGE = re.compile(
    r"第[ \u3000]*\d{1,3}[ \u3000]*页(?:[ \u3000]*[,，/]?[ \u3000]*共[ \u3000]*\d{1,3}[ \u3000]*页)?"
    r"|—(?<!\t—)[—―]?[ \u3000]*\d{1,3}[ \u3000]*[—―]{1,2}(?!\t)"
    r"|―(?<!\t―)[—―]?[ \u3000]*\d{1,3}[ \u3000]*[—―]{1,2}(?!\t)"
    r"|-(?:(?<![\t\d-]-)[ ]?\d{1,3}[ ]?-|(?<![\t-]-)[ ]\d{1,3}[ ]-)(?=[ ]*\n)"  # - 4 - closing a line: a footer
)
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

    return _INLINE_PAGE.sub(drop, text), count


def canonical(text: str) -> str:
    """The text with every table layout converters produce folded into the canonical one (a row per line, a tab after every cell)."""
    # Any line that is a page number matches the multi-line pattern too: when it finds none,
    # no line needs the check.
    pages = _PAGE_NUMBER_ANYWHERE.search(text) is not None
    if not pages and not _PIPE_CLOSED.search(text) and not _ONE_CELL.search(text):
        return text  # no line `fold_lines` would change (tab rows and crawler text)
    return fold_lines(text, pages)


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
