"""Compare what the report's prose says with its own 表三 (identity X-5, see ARCHITECTURE.md).

Only direct statements are checked ("收到政府信息公开申请13件", "不予公开1件"): quoted
categories with their own wording ("“不予公开”数量为3条") often use narrative categories
that do not map one-to-one to table rows, so they are left alone rather than flagged falsely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"(\d+|[零〇一二两三四五六七八九十百]+)"
_RECEIVED = re.compile(
    r"(?:新收到?|收到|接收到?|受理|共受理|共收到)(?:了)?[^。；;，,]{0,12}?"
    r"(?:政府信息公开申请|依申请公开(?:申请|请求)?|信息公开申请)(?:共)?" + _NUMBER + r"\s*(?:件|例|条|个|宗)"
    r"|(?:接收到?|收到)" + _NUMBER + r"\s*(?:件|例|条|个|宗)(?:政府信息公开|依申请公开)"
)
_GROUPS = {
    "granted": re.compile(r"(?<![不部分])予以公开" + _NUMBER + r"\s*件"),
    # "予以公开及部分公开42件" counts both rows together
    "granted_or_partial": re.compile(r"予以公开(?:及|和|与|、|或)部分公开" + _NUMBER + r"\s*件"),
    "partially_granted": re.compile(r"(?<![及和与、或])部分公开" + _NUMBER + r"\s*件"),
    "withheld": re.compile(r"不予公开" + _NUMBER + r"\s*件"),
    "unable": re.compile(r"无法提供" + _NUMBER + r"\s*件"),
    "rejected": re.compile(r"不予处理" + _NUMBER + r"\s*件"),
}


def cn_number(text: str) -> int | None:
    """A number written in digits or Chinese numerals (十二, 一百零五) as an int, or None."""
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    m = re.fullmatch(r"([一二两三四五六七八九])?十([一二三四五六七八九])?", text)
    if m:
        return (_CN_DIGITS[m.group(1)] if m.group(1) else 1) * 10 + (_CN_DIGITS[m.group(2)] if m.group(2) else 0)
    return None


@dataclass
class Statement:
    """A number the prose states about requests (topic, number, the words quoted, the line)."""

    topic: str  # received | granted | granted_or_partial | partially_granted | withheld | unable | rejected
    number: int
    quote: str
    line: int


def statements(prose: str) -> list[Statement]:
    """Every statement of a requests figure in `prose` that X-5 can check against 表三."""
    out = []
    for m in _RECEIVED.finditer(prose):
        raw = m.group(1) or m.group(2)
        n = cn_number(raw)
        if n is not None:
            out.append(Statement("received", n, m.group(0), prose.count("\n", 0, m.start()) + 1))
    for topic, pattern in _GROUPS.items():
        for m in pattern.finditer(prose):
            n = cn_number(m.group(1))
            if n is not None:
                out.append(Statement(topic, n, m.group(0), prose.count("\n", 0, m.start()) + 1))
    return out
