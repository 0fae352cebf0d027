"""PDF with a text layer → text; tables come from the page's ruling lines.

Reading tables by their ruling lines keeps a wrapped label or a vertical group label printed
one character per line inside its cell, so the numbers never shift. Prose outside the tables
is read as lines; page footers such as `- 4 -` are dropped; a table continuing on the next
page simply continues in the text.

Two readers build a page's characters and ruling lines: PDFium (`pdfium.py`, in C, tried
first) and pdfplumber (pdfminer, in Python: the reference). Both pages go through
`page_blocks`, so the text is assembled by one piece of code; where the PDFium reader cannot
be sure to build exactly what pdfplumber would, it steps aside and pdfplumber reads the file.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber import utils
from pdfplumber.page import test_proposed_bbox
from pdfplumber.table import Table
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE as _WORD_GAP
from pdfplumber.utils.text import LIGATURES

from ..catalogue import IssueCode
from ..issues import Issue
from .document import Document, unreadable
from .ocr import read_scanned_pdf, with_scanned_pages

_FOOTER = re.compile(r"^[\s\-—–－·•]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*\d{1,3})?[\s\-—–－·•]*$")


def _cell(text: str | None) -> str:
    return "" if text is None else re.sub(r"\s*\n\s*", "", text).strip()


def _cell_text(chars: list[dict]) -> str:
    """`utils.extract_text(chars)`. Most cells hold one line of upright characters without a
    blank: that case is worked out here the way pdfplumber does it (sorted by x0, a new word
    where a character starts more than 3 past the previous one's end, words joined by a space)."""
    top = chars[0]["top"]
    if not all(c["top"] == top and c["upright"] and c["text"] and not c["text"].isspace() for c in chars):
        return utils.extract_text(chars)
    words, end = [], None
    for c in sorted(chars, key=lambda c: c["x0"]):
        if end is None or c["x0"] > end + _WORD_GAP:
            words.append("")
        words[-1] += LIGATURES.get(c["text"], c["text"])
        end = c["x1"]
    return " ".join(words)


def _table_rows(table: Table, chars: list[dict], mid_x: np.ndarray, mid_y: np.ndarray) -> list[str]:
    """`table.extract()` as rows of tab-ended cells; its character-in-cell tests run on arrays."""
    rows = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        in_row = np.flatnonzero((mid_x >= x0) & (mid_x < x1) & (mid_y >= top) & (mid_y < bottom))
        row_x, row_y = mid_x[in_row], mid_y[in_row]
        cells = []
        for cell in row.cells:
            if cell is None:  # covered by a merged cell
                continue
            x0, top, x1, bottom = cell
            inside = in_row[(row_x >= x0) & (row_x < x1) & (row_y >= top) & (row_y < bottom)]
            cells.append(_cell(_cell_text([chars[i] for i in inside])) if len(inside) else "")
        if any(cells):
            rows.append("".join(c + "\t" for c in cells))  # every cell ends with a tab
    return rows


def page_blocks(page) -> list[tuple[float, str]]:
    """A page's tables and prose lines with their tops, top to bottom (a pdfplumber page, or
    any page offering the same `chars`, `bbox` and `find_tables`)."""
    chars = page.chars
    x0, top, x1, bottom = (np.array([c[k] for c in chars], dtype=float) for k in ("x0", "top", "x1", "bottom"))
    tables = page.find_tables()
    blocks = []
    for table in tables:
        rows = _table_rows(table, chars, (x0 + x1) / 2, (top + bottom) / 2)
        blocks.append((table.bbox[1], "\n" + "\n".join(rows) + "\n"))
    outside = np.ones(len(chars), dtype=bool)
    for table in tables:
        test_proposed_bbox(table.bbox, page.bbox)  # as pdfplumber's `outside_bbox` does
        t_x0, t_top, t_x1, t_bottom = table.bbox
        width = np.minimum(x1, t_x1) - np.maximum(x0, t_x0)
        height = np.minimum(bottom, t_bottom) - np.maximum(top, t_top)
        outside &= ~((height >= 0) & (width >= 0) & (height + width > 0))
    lines: dict[int, list] = {}
    prose = [chars[i] for i in np.flatnonzero(outside)]
    for word in utils.extract_words(prose, keep_blank_chars=True, x_tolerance=3, y_tolerance=3):
        lines.setdefault(round(word["top"] / 3), []).append(word)
    for key in sorted(lines):
        words = sorted(lines[key], key=lambda w: w["x0"])
        text = "".join(w["text"] for w in words).strip()
        if text and not _FOOTER.match(text):
            blocks.append((words[0]["top"], text))
    return sorted(blocks, key=lambda b: b[0])


def read_pdf(data: bytes, fast: bool = True) -> Document:
    """The text of a PDF's text layer: through PDFium when it is sure to give pdfplumber's text
    (`fast`), otherwise (or with `fast=False`) through pdfplumber."""
    from .pdfium import read_pdf_pdfium  # noqa: PLC0415 - pdfium.py builds on page_blocks above

    if fast and (document := read_pdf_pdfium(data)) is not None:
        return document
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        return unreadable("pdf", IssueCode.PDF_ENCRYPTED, "the PDF is encrypted and cannot be read")
    except Exception as exc:  # noqa: BLE001 - any damage to the file: it is reported, never raised
        return unreadable("pdf", IssueCode.PDF_UNREADABLE, f"the PDF cannot be opened: {type(exc).__name__}")
    issues: list[Issue] = []
    parts: list[str] = []
    with pdf:
        n_chars, scanned = 0, []  # scanned: (page number, where its OCR text goes in parts)
        for number, page in enumerate(pdf.pages, start=1):
            try:
                n_chars += len(page.chars)
                if not page.chars:
                    scanned.append((number, len(parts)))
                parts += [text for _, text in page_blocks(page)]
            except Exception as exc:  # noqa: BLE001 - one damaged page: reported, the rest is read
                issues.append(
                    Issue(
                        IssueCode.PDF_PAGE_UNREADABLE,
                        f"page {number} could not be read: {type(exc).__name__}",
                        f"page {number}",
                    )
                )
        if n_chars == 0:
            return read_scanned_pdf(data)  # a scan: every page by OCR
    if scanned:  # scanned pages among text pages: OCR'd into their places
        return with_scanned_pages(data, parts, scanned, issues)
    return Document("\n".join(parts), "pdf", None, issues)
