"""Decode text in the encodings Chinese government sites use — detected, never assumed."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from ..catalogue import IssueCode
from ..issues import Issue

_META = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)


def decode(data: bytes) -> tuple[str, str, list[Issue]]:
    """(text, encoding, issues). Tries BOMs, strict UTF-8, UTF-8 with a few stray bytes, a
    declared charset, GB18030, then charset-normalizer; undecodable bytes are replaced and
    reported, never raised."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count("\ufffd".encode())
        issues = [Issue(IssueCode.ENCODING_UNDECODABLE, f"{bad} invalid byte sequences replaced by U+FFFD")]
        return text, "utf-8-sig", issues if bad > 0 else []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16", []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    nearly = _nearly_utf8(data)
    if nearly is not None:
        return nearly
    candidates = []
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


def _nearly_utf8(data: bytes) -> tuple[str, str, list[Issue]] | None:
    """UTF-8 text with a few stray bytes (a crawler's or a converter's damage) is UTF-8: read as
    such, each bad byte a U+FFFD, and reported. Re-decoding it as GB18030 would garble it all."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - bad  # the characters above U+007F
    if bad <= 0 or multibyte < 50 * bad:
        return None
    return (
        text,
        "utf-8",
        [
            Issue(
                IssueCode.ENCODING_UNDECODABLE,
                f"{bad} invalid byte sequences in UTF-8 text: read as UTF-8, each replaced by U+FFFD",
            )
        ],
    )
