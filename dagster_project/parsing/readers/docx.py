"""DOCX → text: paragraphs and tables in body order; merged cells appear once.

A DOCX is a zip: the uncompressed size of its XML parts is checked before python-docx opens
them (OGI_MAX_UNCOMPRESSED_MB, default 50), so a decompression bomb is refused, not parsed.
"""

from __future__ import annotations

import io
import os
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..catalogue import IssueCode
from ..issues import Issue
from .document import Document, unreadable


def max_uncompressed_bytes() -> int:
    """The most XML a Word file may unpack to (OGI_MAX_UNCOMPRESSED_MB, default 50)."""
    return int(float(os.environ.get("OGI_MAX_UNCOMPRESSED_MB") or 50) * 1_000_000)


def _xml_size(data: bytes) -> int | None:
    """The uncompressed size of the XML parts, as the zip declares them (zipfile never inflates
    a member past its declared size), or None when it is no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return sum(i.file_size for i in z.infolist() if i.filename.lower().endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def read_docx(data: bytes) -> Document:
    """Paragraphs and tables of a .docx in body order (tables in the canonical layout)."""
    size, limit = _xml_size(data), max_uncompressed_bytes()
    if size is not None and size > limit:
        return unreadable(
            "docx",
            IssueCode.RESOURCE_LIMIT,
            f"the Word file unpacks to {size / 1e6:,.0f} MB of XML, above the limit of {limit / 1e6:,.0f} MB "
            "(OGI_MAX_UNCOMPRESSED_MB): not read",
        )
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as exc:  # noqa: BLE001 - any damage to the file: it is reported, never raised
        return unreadable("docx", IssueCode.DOCX_UNREADABLE, f"the Word file cannot be opened: {type(exc).__name__}")
    if body is None:
        return _empty()
    try:
        text = _body_text(document, body)
    except Exception as exc:  # noqa: BLE001 - a damaged body: reported, never raised
        return unreadable("docx", IssueCode.DOCX_UNREADABLE, f"the Word file cannot be read: {type(exc).__name__}")
    return Document(text, "docx", None, []) if text.strip() else _empty()


def _empty() -> Document:
    return Document("", "docx", None, [Issue(IssueCode.EMPTY_DOCUMENT, "no text in the Word file")], readable=False)


def _body_text(document: object, body: object) -> str:
    parts: list[str] = []
    for child in body.iterchildren():  # type: ignore[attr-defined]
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append(Paragraph(child, document).text)  # type: ignore[arg-type]
        elif tag == "tbl":
            parts.append("")
            for row in Table(child, document).rows:  # type: ignore[arg-type]
                cells, seen = [], set()
                for cell in row.cells:  # python-docx repeats a merged cell once per grid column
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append("".join(p.text.strip() for p in cell.paragraphs))
                parts.append("".join(c + "\t" for c in cells))  # every cell ends with a tab
            parts.append("")
    return "\n".join(parts)
