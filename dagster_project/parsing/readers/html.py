"""HTML → text: block elements as lines, data tables as tab-separated rows. Nothing is fetched."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

_BLOCKS = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "section",
    "article",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "center",
    "hr",
}
_DROP = {"script", "style", "head", "noscript", "template", "iframe", "object"}
_SPACE = re.compile(r"[ \t\u00a0\u3000]+")
# lxml.html's own parser with plain elements: the same tree (lxml.html.HTMLParser only adds its
# element classes), without the Python-level class lookup lxml.html makes for every element
# touched, a quarter of the reading time.
_PARSER = lxml.etree.HTMLParser()


def _cell_text(cell) -> str:
    if len(cell) == 0:  # no child element (the common cell): its text is all it holds
        text = cell.text or ""
        return text if text.isalnum() else _SPACE.sub(" ", text).strip()  # (a number or a word: no space)
    # Text wrapped inside a cell (labels broken by <br>) joins without a space.
    return "".join(_SPACE.sub(" ", t).strip() for t in cell.itertext()).strip()


def _table(table, out: list[str]) -> None:
    """A data table's rows: `table` holds no other table (see `_walk`), so each of its rows is its own."""
    out.append("\n")
    for row in table.iter("tr"):
        cells = [_cell_text(c) for c in row.iterchildren("td", "th")]
        out.append("\t".join(cells) + "\t\n" if cells else "\n")  # every cell ends with a tab
    out.append("\n")


def _walk(el, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _DROP:
        out.append(el.tail or "")
        return
    if tag == "table" and next(el.iterdescendants("table"), None) is None:  # a data table (layout tables just nest)
        _table(el, out)
    else:
        if tag in _BLOCKS:
            out.append("\n")
        out.append(el.text or "")
        for child in el:
            _walk(child, out)
        if tag in _BLOCKS:
            out.append("\n")
    out.append(el.tail or "")


def _parse(html: str):
    """`lxml.html.fromstring(html)`, its elements plain ones where that builds the same tree."""
    try:
        return lxml.html.fromstring(html, parser=_PARSER)
    except AttributeError:  # several <body>s or <head>s: lxml.html merges them by its own elements' drop_tree
        return lxml.html.fromstring(html)


def html_to_text(html: str) -> str:
    """HTML → text: block elements as lines, each table row as a line of tab-ended cells, scripts dropped."""
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    try:
        root = _parse(html)
    except (ValueError, lxml.etree.ParserError):
        return re.sub(r"<[^>]+>", "\n", html)
    out: list[str] = []
    _walk(root, out)
    lines = [_SPACE.sub(" ", ln).strip() if "\t" not in ln else ln for ln in "".join(out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n ") + "\n"  # keep the last cell's tab
