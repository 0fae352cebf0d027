"""DOCX → text: paragraphs and tables in body order; merged cells appear once."""

from __future__ import annotations

import io

from . import Document, unreadable


def read_docx(data: bytes) -> Document:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        return unreadable("docx", "docx_unreadable", f"the Word file cannot be opened: {type(exc).__name__}")
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
