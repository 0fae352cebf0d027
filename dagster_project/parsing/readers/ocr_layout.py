"""What OCR read on one page → its text in the canonical layout, cells from the page's grid.

Each OCR text box goes to the table cell holding its centre; a box straddling cells (two
numbers read as one line) is split character by character. The cells then read as a
text-layer PDF's do: a table row per line, every cell ending with a tab, a merged cell once in
its first row; text outside the tables is read as lines, and a page number at the foot or head
of the page is dropped. A cell holding digits read with a confidence below `LOW_CONFIDENCE` is
reported with its place, its text and its confidence; what it holds stays as read, and the
table's identities check it like any other number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from ..catalogue import IssueCode
from ..issues import Issue
from .grid import GridCell, Table, find_tables

LOW_CONFIDENCE = 0.9
_FOOTER = re.compile(r"^[\s\-—–－·•]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*\d{1,3})?[\s\-—–－·•]*$")
_NUMBER = re.compile(r"^[\s\d.,，+\-—－/／%万亿元增减]*$")  # what a value cell prints


@dataclass(frozen=True)
class Piece:
    """A text box OCR read (or one character of it), with its confidence and its box."""

    text: str
    digits: float  # the lowest confidence of its digits (1.0 without digits)
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


@dataclass
class PageText:
    """One page in the canonical layout, the issues it raised and how many table cells it has."""

    text: str
    issues: list[Issue] = field(default_factory=list)
    cells: int = 0


def _piece(text: str, digits: float, quad: Any) -> Piece:
    points = np.asarray(quad, dtype=float).reshape(-1, 2)
    return Piece(text, digits, *points.min(axis=0), *points.max(axis=0))


def _digit_score(text: str, score: float) -> float:
    return float(score) if any(ch.isdigit() for ch in text) else 1.0


def _pieces(result: Any) -> list[tuple[Piece, list[Piece]]]:
    """Each box read, with its characters (empty when OCR gave none for it)."""
    if getattr(result, "boxes", None) is None or getattr(result, "txts", None) is None:
        return []
    # character boxes, when OCR gave them for every box (it leaves out a box it cannot place them in)
    words = result.word_results if len(result.word_results or ()) == len(result.boxes) else [()] * len(result.boxes)
    items = []
    for box, text, score, chars in zip(result.boxes, result.txts, result.scores, words, strict=True):
        if not text.strip():
            continue
        pieces = [_piece(w, _digit_score(w, s), q) for w, s, q in chars if w.strip()]
        digits = min((p.digits for p in pieces), default=1.0) if pieces else _digit_score(text, score)
        items.append((_piece(text, digits, box), pieces))
    return items


def _inside(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _overlap(piece: Piece, box: tuple[float, float, float, float]) -> float:
    """The share of the piece's area inside the box."""
    w = max(0.0, min(piece.x1, box[2]) - max(piece.x0, box[0]))
    h = max(0.0, min(piece.y1, box[3]) - max(piece.y0, box[1]))
    return w * h / max((piece.x1 - piece.x0) * (piece.y1 - piece.y0), 1.0)


def _cell_at(table: Table, x: float, y: float) -> GridCell | None:
    return next((c for c in table.cells if _inside(x, y, c.box)), None)


def _lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces grouped into lines (by their vertical centre), each line left to right."""
    lines: list[list[Piece]] = []
    for p in sorted(pieces, key=lambda p: p.centre[1]):
        if lines and lines[-1][0].y0 <= p.centre[1] <= lines[-1][0].y1:
            lines[-1].append(p)
        else:
            lines.append([p])
    return [sorted(line, key=lambda p: p.x0) for line in lines]


def _joined(line: list[Piece]) -> str:
    """A line's pieces as text: a space where the gap between two is wide (half a line's height)."""
    out = line[0].text
    for before, p in pairwise(line):
        out += (" " if p.x0 - before.x1 > (p.y1 - p.y0) / 2 else "") + p.text
    return out.strip()


def _assign(table: Table, items: list[tuple[Piece, list[Piece]]]) -> dict[GridCell, list[Piece]]:
    held: dict[GridCell, list[Piece]] = {c: [] for c in table.cells}
    for box, chars in items:
        home = _cell_at(table, *box.centre)
        if home is None:
            continue
        if _overlap(box, home.box) >= 0.75 or not chars:
            held[home].append(box)
            continue
        for char in chars:  # the box straddles cells: each character goes where it stands
            held[_cell_at(table, *char.centre) or home].append(char)
    return held


def _label(table: Table, texts: dict[GridCell, str], cell: GridCell) -> str:
    """The row's label for a cell: the nearest cell to its left in the same row not a number."""
    left = [c for c in table.cells if c.row <= cell.row < c.row_end and c.col_end <= cell.col]
    for c in sorted(left, key=lambda c: -c.col):
        if texts[c] and not _NUMBER.match(texts[c]):
            return texts[c][:24]
    return ""


def _table_text(table: Table, index: int, items: list, number: int, issues: list[Issue]) -> str:
    held = _assign(table, items)
    texts = {c: "".join(_joined(line) for line in _lines(held[c])) if held[c] else "" for c in table.cells}
    for cell, pieces in held.items():
        confidence = min((p.digits for p in pieces), default=1.0)
        if confidence < LOW_CONFIDENCE and _NUMBER.match(texts[cell]):
            label = _label(table, texts, cell)
            place = f"page {number}, table {index}, row {cell.row + 1}, column {cell.col + 1}"
            issues.append(
                Issue(
                    IssueCode.OCR_LOW_CONFIDENCE,
                    f"OCR read {texts[cell]!r}{f' (row {label})' if label else ''} with confidence "
                    f"{confidence:.2f}, below {LOW_CONFIDENCE}: check it in the scan",
                    place,
                )
            )
    rows = []
    for r in range(table.n_rows):
        cells = [texts[c] for c in table.cells if c.row == r]
        if any(cells):
            rows.append("".join(t + "\t" for t in cells))  # every cell ends with a tab
    return "\n" + "\n".join(rows) + "\n" if rows else ""


def page_text(image: np.ndarray, result: Any, number: int) -> PageText:
    """The text of one upright page image (8-bit grayscale) from what OCR read on it (`result`,
    RapidOCR's output with character boxes), in the canonical layout."""
    tables = find_tables(image)
    items = _pieces(result)
    page = PageText("")
    blocks: list[tuple[float, str]] = []
    for index, table in enumerate(tables, start=1):
        mine = [it for it in items if _inside(*it[0].centre, table.box)]
        if text := _table_text(table, index, mine, number, page.issues):
            blocks.append((table.box[1], text))
        page.cells += len(table.cells)
    prose = [box for box, _ in items if not any(_inside(*box.centre, t.box) for t in tables)]
    height = image.shape[0]
    for line in _lines(prose):
        text = _joined(line)
        margin = line[0].y0 > 0.9 * height or line[0].y1 < 0.08 * height
        if text and not (margin and _FOOTER.match(text)):
            blocks.append((line[0].y0, text))
    page.text = "\n".join(text for _, text in sorted(blocks, key=lambda b: b[0]))
    return page
