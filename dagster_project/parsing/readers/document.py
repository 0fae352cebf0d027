"""What a reader gives back: the text of a report file, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalogue import IssueCode
from ..issues import Issue


@dataclass
class Document:
    """The text a reader made of a file (canonical layout), or why there is none."""

    text: str
    file_format: str  # txt | html | md | pdf | docx | doc | wps | rtf | ocr (a scan read by OCR) | image | unknown
    encoding: str | None = None
    issues: list[Issue] = field(default_factory=list)
    readable: bool = True


def unreadable(file_format: str, code: IssueCode, message: str) -> Document:
    """A file no text can be read from, with the reason."""
    return Document("", file_format, None, [Issue(code, message)], readable=False)
