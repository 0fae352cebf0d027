"""Readers: a report file of any common format → text in one layout the table parser reads.

Prose stays as lines; a table becomes one line per row in which every cell ends with a tab
(the canonical layout of ``layout.py``): an empty cell is an empty string before its tab, and
a merged cell appears once, in document order.
Bad input never raises: it comes back with ``readable=False`` and an issue saying why.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..catalogue import IssueCode
from ..issues import Issue
from .document import Document, unreadable
from .docx import read_docx
from .encoding import decode
from .html import html_to_text
from .pdf import read_pdf

REPORT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps"})


def is_report_name(name: str) -> bool:
    """A file name taken as a report: a suffix of a format read here (or flagged), not hidden."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in REPORT_SUFFIXES


def detect_format(data: bytes, suffix: str) -> str:
    """By magic bytes first, the file name second (a .txt that is really HTML is HTML)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or suffix == ".docx" else "unknown"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if suffix == ".wps":
        return "wps"
    head = data[:4096].lower()
    if head.count(b"<") >= 3 and any(t in head for t in (b"<html", b"<table", b"<p", b"<div", b"<body", b"<tr")):
        return "html"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "unknown"
    return "md" if suffix in (".md", ".markdown") else "txt"


def read_document(path: Path) -> Document:
    """The text of a report file in the canonical layout, whatever its format (by content)."""
    data = Path(path).read_bytes()
    fmt = detect_format(data, Path(path).suffix.lower())
    if fmt == "pdf":
        return read_pdf(data)
    if fmt == "docx":
        return read_docx(data)
    if fmt == "doc":
        return unreadable("doc", IssueCode.DOC_LEGACY_FORMAT, "legacy Word .doc file: convert it to .docx or PDF")
    if fmt == "wps":
        return unreadable("wps", IssueCode.WPS_UNSUPPORTED, "WPS document: convert it to .docx or PDF")
    if fmt == "unknown":
        return unreadable("unknown", IssueCode.UNSUPPORTED_FORMAT, "binary file of an unsupported format")
    text, encoding, issues = decode(data)
    if fmt == "html":
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Document(
            "", fmt, encoding, [*issues, Issue(IssueCode.EMPTY_DOCUMENT, "no text in the file")], readable=False
        )
    return Document(text, fmt, encoding, issues)
