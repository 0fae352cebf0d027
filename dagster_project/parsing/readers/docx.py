"""DOCX → text: paragraphs and tables in body order; merged cells appear once."""

from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..catalogue import IssueCode
from .document import Document, unreadable


def read_docx(data: bytes) -> Document:
    """Paragraphs and tables of a .docx in body order (tables in the canonical layout)."""

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any damage to the file: it is reported, never raised
        return unreadable("docx", IssueCode.DOCX_UNREADABLE, f"the Word file cannot be opened: {type(exc).__name__}")
    parts: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append(Paragraph(child, document).text)
        elif tag == "tbl":
            parts.append("")
            for row in Table(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:  # python-docx repeats a merged cell once per grid column
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append("".join(p.text.strip() for p in cell.paragraphs))
                parts.append("".join(c + "\t" for c in cells))  # every cell ends with a tab
            parts.append("")
    return Document("\n".join(parts), "docx", None, [])
