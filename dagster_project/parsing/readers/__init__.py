"""Readers: a report file of any common format → text in one layout the table parser reads.

Prose stays as lines; a table becomes one line per row in which every cell ends with a tab
(the canonical layout of ``layout.py``): an empty cell is an empty string before its tab, and
a merged cell appears once, in document order.
Bad input never raises: it comes back with ``readable=False`` and an issue saying why.
"""

from __future__ import annotations

from pathlib import Path

from ..catalogue import IssueCode
from ..issues import Issue
from .document import Document, unreadable
from .docx import read_docx
from .encoding import decode
from .html import html_to_text
from .legacy_word import CONVERTED_FORMATS, OLE2_MAGIC, is_rtf, read_legacy_word
from .ocr import is_image, read_image
from .pdf import read_pdf

REPORT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps", ".rtf"}) | frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff"}  # page images of a scanned report, read by OCR
)


def is_report_name(name: str) -> bool:
    """A file name taken as a report: a suffix of a format read here (or flagged), not hidden."""
    dot = name.rfind(".")  # os.path.splitext's suffix for a name not starting with a dot, cheaper
    return dot > 0 and not name.startswith(".") and name[dot:].lower() in REPORT_SUFFIXES


def detect_format(data: bytes, suffix: str) -> str:
    """By magic bytes first, the file name second (a .txt that is really HTML is HTML)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if is_image(data):  # PNG, JPEG, TIFF
        return "image"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or suffix == ".docx" else "unknown"
    if data.startswith(OLE2_MAGIC):  # Word 97–2003, or WPS Office's .wps: converted by LibreOffice
        return "wps" if suffix == ".wps" else "doc"
    if is_rtf(data):  # RTF, often saved under .doc: converted the same way
        return "rtf"
    head = data[:4096].lower()
    if head.count(b"<") >= 3 and any(t in head for t in (b"<html", b"<table", b"<p", b"<div", b"<body", b"<tr")):
        return "html"  # a web page saved as .doc or .wps is read as the HTML it is
    if suffix == ".wps":  # WPS Office's older own format
        return "wps"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "unknown"
    return "md" if suffix in (".md", ".markdown") else "txt"


def read_document(path: Path, data: bytes | None = None) -> Document:
    """The text of a report file in the canonical layout, whatever its format (by content);
    `data`: the file's bytes, when the caller has read them already."""
    data = Path(path).read_bytes() if data is None else data
    fmt = detect_format(data, Path(path).suffix.lower())
    if fmt == "pdf":
        return read_pdf(data)
    if fmt == "docx":
        return read_docx(data)
    if fmt == "image":
        return read_image(data)
    if fmt in CONVERTED_FORMATS:
        return read_legacy_word(data, fmt)
    if fmt == "unknown":
        return unreadable("unknown", IssueCode.UNSUPPORTED_FORMAT, "binary file of an unsupported format")
    text, encoding, issues = decode(data)
    if fmt == "html":
        text = html_to_text(text)
    if "\r" in text:  # (a one-character search: replacing the two-character \r\n scans slowly)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():  # (nothing but whitespace, without copying the text)
        return Document(
            "", fmt, encoding, [*issues, Issue(IssueCode.EMPTY_DOCUMENT, "no text in the file")], readable=False
        )
    return Document(text, fmt, encoding, issues)
