"""Readers: a report file of any common format → text in one layout the table parser reads.

Prose stays as lines; a table becomes one line per row in which every cell ends with a tab
(the canonical layout of ``layout.py``): an empty cell is an empty string before its tab, and
a merged cell appears once, in document order.
Bad input never raises: it comes back with ``readable=False`` and an issue saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .encoding import decode


@dataclass(frozen=True)
class ReaderIssue:
    code: str
    severity: str
    message: str
    place: str = ""


@dataclass
class Document:
    text: str
    file_format: str  # txt | md | html | pdf | docx | doc | unknown
    encoding: str | None = None
    issues: list[ReaderIssue] = field(default_factory=list)
    readable: bool = True


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


def unreadable(file_format: str, code: str, message: str) -> Document:
    return Document("", file_format, None, [ReaderIssue(code, "error", message)], readable=False)


def read_document(path: Path) -> Document:
    data = Path(path).read_bytes()
    fmt = detect_format(data, Path(path).suffix.lower())
    if fmt == "pdf":
        from .pdf import read_pdf

        return read_pdf(data)
    if fmt == "docx":
        from .docx import read_docx

        return read_docx(data)
    if fmt == "doc":
        return unreadable("doc", "doc_legacy_format", "legacy Word .doc file: convert it to .docx or PDF")
    if fmt == "wps":
        return unreadable("wps", "wps_unsupported", "WPS document: convert it to .docx or PDF")
    if fmt == "unknown":
        return unreadable("unknown", "unsupported_format", "binary file of an unsupported format")
    text, encoding, issues = decode(data)
    if fmt == "html":
        from .html import html_to_text

        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    issues = [ReaderIssue(*i) for i in issues]
    if not text.strip():
        return Document(
            "", fmt, encoding, issues + [ReaderIssue("empty_document", "error", "no text in the file")], readable=False
        )
    return Document(text, fmt, encoding, issues)
