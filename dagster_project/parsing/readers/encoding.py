"""Decode text in the encodings Chinese government sites use — detected, never assumed."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from ..catalogue import IssueCode
from ..issues import Issue

_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)


def decode(data: bytes) -> tuple[str, str, list[Issue]]:
    """(text, encoding, issues). Tries BOMs, strict UTF-8, a declared charset, GB18030, then
    charset-normalizer; undecodable bytes are replaced and reported, never raised."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16", []
    candidates = ["utf-8"]
    declared = _META.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        candidates.append("gb18030" if name in ("gb2312", "gbk", "gb18030") else name)
    candidates.append("gb18030")
    for enc in candidates:
        try:
            return data.decode(enc), enc, []
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data).best()
    if best is not None:
        return (
            str(best),
            best.encoding,
            [Issue(IssueCode.ENCODING_GUESSED, f"text decoded as {best.encoding} by statistical detection")],
        )
    return (
        data.decode("gb18030", errors="replace"),
        "gb18030",
        [Issue(IssueCode.ENCODING_UNDECODABLE, "some bytes could not be decoded and were replaced")],
    )
