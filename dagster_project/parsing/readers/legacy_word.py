"""Legacy Word files (.doc, .wps, RTF) → the DOCX reader, through a LibreOffice conversion.

Only a separate program reads binary Word reliably, and starting it (and writing its files) is
the runtime's work (`pipeline/libreoffice.py`): this module stays pure. It says which contents
need converting, holds the conversions the runtime made — by content hash, for the duration of
a batch (`conversions`) — and reads a converted file with the DOCX reader, recording the
conversion. A file for which no conversion was made is reported, never guessed at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ..catalogue import IssueCode
from ..issues import Issue
from .document import Document, unreadable
from .docx import read_docx

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 .doc, and the .wps files WPS Office writes
RTF_MAGIC = b"{\\rtf"
CONVERTED_FORMATS = frozenset({"doc", "wps", "rtf"})


def needs_conversion(data: bytes) -> bool:
    """Content only a converter reads: an OLE2 compound file (Word 97–2003, WPS) or RTF."""
    return data.startswith((OLE2_MAGIC, RTF_MAGIC))


def is_rtf(data: bytes) -> bool:
    return data.startswith(RTF_MAGIC)


@dataclass(frozen=True)
class Conversion:
    """What the converter made of one file's content: its DOCX, or the issue saying why none."""

    docx: bytes | None
    issue: Issue | None = None


# files → the conversions of those among them that need one, keyed by the SHA-256 of their bytes
Convert = Callable[[Sequence[Path]], Mapping[str, Conversion]]

_converted: dict[str, Conversion] = {}


def content_key(data: bytes) -> str:
    """The key a conversion is held under: the SHA-256 of the original bytes."""
    return hashlib.sha256(data).hexdigest()


@contextmanager
def conversions(convert: Convert | None, paths: Sequence[Path]) -> Iterator[None]:
    """Convert the files among `paths` that need it, with one `convert` call for all of them,
    and let `read_document` read them from their conversions until the block ends."""
    done = dict(convert(paths)) if convert is not None else {}
    shadowed = {k: _converted[k] for k in done if k in _converted}
    _converted.update(done)
    try:
        yield
    finally:
        for key in done:
            _converted.pop(key, None)
        _converted.update(shadowed)


def read_legacy_word(data: bytes, file_format: str) -> Document:
    """A legacy Word file as its DOCX conversion reads (the format stays `doc`/`wps`/`rtf`,
    with a `converted_by_libreoffice` note), or unreadable with the reason."""
    if not needs_conversion(data):  # a .wps of WPS Office's older own format
        return unreadable(
            file_format,
            IssueCode.WPS_UNSUPPORTED,
            "WPS file of a format LibreOffice does not read (not an OLE2 document): convert it to .docx or PDF",
        )
    conversion = _converted.get(content_key(data))
    if conversion is None:
        return unreadable(
            file_format,
            IssueCode.DOC_LEGACY_FORMAT,
            f"legacy Word file ({file_format}) read without conversion: `ogi parse` and a refresh convert it "
            "with LibreOffice",
        )
    if conversion.docx is None:
        issue = conversion.issue or Issue(IssueCode.DOC_CONVERSION_FAILED, "LibreOffice made no DOCX")
        return Document("", file_format, None, [issue], readable=False)
    doc = read_docx(conversion.docx)
    note = Issue(
        IssueCode.CONVERTED_BY_LIBREOFFICE,
        f"converted from {file_format} to DOCX by LibreOffice, then read as DOCX",
    )
    return replace(doc, file_format=file_format, issues=[note, *doc.issues])
