"""PDF with a text layer → text; tables come from the page's ruling lines (pdfplumber).

Reading tables by their ruling lines keeps a wrapped label or a vertical group label printed
one character per line inside its cell, so the numbers never shift. Prose outside the tables
is read as lines; page footers such as `- 4 -` are dropped; a table continuing on the next
page simply continues in the text.
"""

from __future__ import annotations

import io
import re

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from ..catalogue import IssueCode
from ..issues import Issue
from .document import Document, unreadable

_FOOTER = re.compile(r"^[\s\-—–－·•]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*\d{1,3})?[\s\-—–－·•]*$")


def _cell(text: str | None) -> str:
    return "" if text is None else re.sub(r"\s*\n\s*", "", text).strip()


def _page_blocks(page) -> list[tuple[float, str]]:
    blocks = []
    tables = page.find_tables()
    for table in tables:
        rows = []
        for row in table.extract():
            cells = [_cell(c) for c in row if c is not None]  # None: covered by a merged cell
            if any(cells):
                rows.append("".join(c + "\t" for c in cells))  # every cell ends with a tab
        blocks.append((table.bbox[1], "\n" + "\n".join(rows) + "\n"))
    outside = page
    for table in tables:
        outside = outside.outside_bbox(table.bbox)
    lines: dict[int, list] = {}
    for word in outside.extract_words(keep_blank_chars=True, x_tolerance=3, y_tolerance=3):
        lines.setdefault(round(word["top"] / 3), []).append(word)
    for key in sorted(lines):
        words = sorted(lines[key], key=lambda w: w["x0"])
        text = "".join(w["text"] for w in words).strip()
        if text and not _FOOTER.match(text):
            blocks.append((words[0]["top"], text))
    return sorted(blocks, key=lambda b: b[0])


def read_pdf(data: bytes) -> Document:
    """The text of a PDF's text layer; a scanned PDF is unreadable here (no OCR)."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        return unreadable("pdf", IssueCode.PDF_ENCRYPTED, "the PDF is encrypted and cannot be read")
    except Exception as exc:  # noqa: BLE001 - any damage to the file: it is reported, never raised
        return unreadable("pdf", IssueCode.PDF_UNREADABLE, f"the PDF cannot be opened: {type(exc).__name__}")
    issues: list[Issue] = []
    parts: list[str] = []
    with pdf:
        n_chars = 0
        for number, page in enumerate(pdf.pages, start=1):
            try:
                n_chars += len(page.chars)
                parts += [text for _, text in _page_blocks(page)]
            except Exception as exc:  # noqa: BLE001 - one damaged page: reported, the rest is read
                issues.append(
                    Issue(
                        IssueCode.PDF_PAGE_UNREADABLE,
                        f"page {number} could not be read: {type(exc).__name__}",
                        f"page {number}",
                    )
                )
        if n_chars == 0:
            return unreadable(
                "pdf", IssueCode.PDF_NO_TEXT_LAYER, "the PDF has no text layer (a scanned image); it needs OCR"
            )
    return Document("\n".join(parts), "pdf", None, issues)
