"""Text normalization shared by every parser: one canonical form before any matching.

Normalization never changes digits' meaning; it folds width and compatibility forms (NFKC),
maps CJK radical code points that NFKC leaves alone, and converts traditional characters to
simplified ones (only when the text contains any, because the converter is the slow part).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

import numpy as np
import opencc
from opencc import OpenCC

# CJK Radicals Supplement code points seen in PDF text layers; NFKC does not fold these.
_RADICALS = {
    "⺠": "民",
    "⺟": "母",
    "⺢": "水",
    "⺣": "火",
    "⺤": "爪",
    "⺦": "丬",
    "⺧": "牛",
    "⺨": "犬",
    "⺩": "王",
    "⺪": "疋",
    "⺫": "目",
    "⺬": "示",
    "⺭": "礻",
    "⺮": "竹",
    "⺯": "糸",
    "⺰": "纟",
    "⺱": "网",
    "⺲": "网",
    "⺳": "网",
    "⺴": "网",
    "⺵": "网",
    "⺶": "羊",
    "⺷": "羊",
    "⺸": "羊",
    "⺹": "老",
    "⺺": "聿",
    "⺻": "聿",
    "⺼": "肉",
    "⺽": "臼",
    "⺾": "艹",
    "⺿": "艹",
    "⻀": "艹",
    "⻁": "虎",
    "⻂": "衣",
    "⻃": "覀",
    "⻄": "西",
    "⻅": "见",
    "⻆": "角",
    "⻇": "角",
    "⻈": "讠",
    "⻉": "贝",
    "⻊": "足",
    "⻋": "车",
    "⻌": "辶",
    "⻍": "辶",
    "⻎": "辶",
    "⻏": "阝",
    "⻐": "金",
    "⻑": "长",
    "⻒": "长",
    "⻓": "长",
    "⻔": "门",
    "⻕": "门",
    "⻖": "阝",
    "⻗": "雨",
    "⻘": "青",
    "⻙": "韦",
    "⻚": "页",
    "⻛": "风",
    "⻜": "飞",
    "⻝": "食",
    "⻞": "食",
    "⻟": "食",
    "⻠": "饣",
    "⻡": "饣",
    "⻢": "马",
    "⻣": "骨",
    "⻤": "鬼",
    "⻥": "鱼",
    "⻦": "鸟",
    "⻧": "卤",
    "⻨": "麦",
    "⻩": "黄",
    "⻪": "黾",
    "⻫": "齐",
    "⻬": "齐",
    "⻭": "齿",
    "⻮": "齿",
    "⻯": "龙",
    "⻰": "龙",
    "⻱": "龟",
    "⻲": "龟",
    "⻳": "龟",
}
# Typographic variants folded to one form so label patterns stay simple.
_PUNCT = {
    "\u00a0": " ",
    "\u3000": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\u00ad": "",
    "\ufeff": "",
    "．": ".",
    "﹒": ".",
    "–": "-",
    "—": "-",
    "―": "-",
    "－": "-",
    "−": "-",
    "〔": "[",
    "〕": "]",
    "【": "[",
    "】": "]",
    "‘": "'",
    "’": "'",
}
# Radicals and punctuation map to characters neither table changes, so one pass does both.
# str.translate looks every character up in a dict (~0.1 µs each); the regex finds the few
# characters to fold at C speed and only those are replaced.
_FOLD = {**_RADICALS, **_PUNCT}
_FOLD_CHARS = re.compile("[" + "".join(re.escape(c) for c in _FOLD) + "]")
# Full-width ASCII and the wide/no-break spaces are most of what NFKC changes in these reports:
# replaced by their decomposition first, the text is usually NFKC already and the (slow) full
# normalization is skipped. NFKD of the text is unchanged, so NFKC of it is too.
_WIDE = {chr(c): unicodedata.normalize("NFKD", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000, 0x00A0)}
_WIDE_CHARS = re.compile("[\uff01-\uff5e\u3000\u00a0]")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters the t2s converter changes: a cheap pre-check before the slow conversion."""
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        if len(src) == 1 and src not in dst.split():
            chars.add(src)
    return frozenset(chars)


@lru_cache(maxsize=1)
def _traditional_in_gb2312() -> re.Pattern[str]:
    """The few converted characters GB2312 encodes (後, 摺 …): every other one it rejects."""
    return re.compile("[" + "".join(sorted(c for c in _traditional_chars() if _in_gb2312(c))) + "]")


def _in_gb2312(s: str) -> bool:
    try:
        s.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _has_traditional(text: str) -> bool:
    """Does `text` hold a character t2s changes? The GB2312 codec finds, in C, the characters
    it rejects; only those (and the few traditional ones it accepts) are looked up."""
    if _traditional_in_gb2312().search(text):
        return True
    traditional, pos = _traditional_chars(), 0
    for _ in range(50):
        try:
            text[pos:].encode("gb2312")
            return False
        except UnicodeEncodeError as e:
            if not traditional.isdisjoint(text[pos + e.start : pos + e.end]):
                return True
            pos += e.end
    return not traditional.isdisjoint(text[pos:])


def to_simplified(text: str) -> str:
    """Traditional characters converted to simplified (only when the text has any)."""
    if not _has_traditional(text):
        return text
    return _t2s().convert(text)


def _replace_each(text: str, chars: re.Pattern[str], table: dict[str, str]) -> str:
    """`text` with every character `chars` matches replaced by its `table` entry. A text holds
    few distinct ones (，：（）), each replaced at once by `str.replace`; no replacement holds a
    character of the table, so the order does not matter."""
    for char in set(chars.findall(text)):
        text = text.replace(char, table[char])
    return text


def _nfkc(text: str) -> str:
    text = _replace_each(text, _WIDE_CHARS, _WIDE)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    """Canonical text: NFKC, radicals folded, punctuation unified, simplified characters.

    Line structure (newlines, tabs) is preserved so layouts can still be recognised.
    """
    text = _nfkc(text)
    text = _replace_each(text, _FOLD_CHARS, _FOLD)
    return to_simplified(text).replace("\r\n", "\n").replace("\r", "\n")


class Compacted:
    """A whitespace-free view of a text that maps positions back to the original.

    Labels are found in the compact view (so wrapped or spaced labels still match); the
    numbers between two labels are read from the original, where cell separators survive.
    """

    __slots__ = ("_keep", "_newlines", "_size", "compact", "text")

    def __init__(self, text: str):
        self.text = text
        # str.split drops exactly the characters str.isspace() is true of; the original index of
        # every other one comes from a lookup table over the code points, in numpy, not per character.
        self.compact = "".join(text.split())
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
        # a memoryview: `origin` is asked hundreds of times a report; indexing one gives a plain
        # int at once (a numpy scalar lookup is slow, converting the array to a list slower still)
        self._keep = memoryview(np.flatnonzero(_NOT_SPACE.take(codes, mode="clip")))  # type: ignore[arg-type]
        self._newlines: list[int] = np.flatnonzero(codes == 10).tolist()  # where each line ends
        self._size = len(self._keep)

    def origin(self, pos: int) -> int:
        """Original index of compact position `pos` (len(compact) maps to len(text))."""
        if pos >= self._size:
            return len(self.text)
        return self._keep[pos]  # a negative `pos` counts from the end, as a list index would

    def line_of(self, pos: int) -> int:
        """1-based line number in the original text of compact position `pos`."""
        return bisect_left(self._newlines, self.origin(pos)) + 1


# Whitespace by str.isspace(); no code point above U+3000 is whitespace (the last entry stands for them).
_NOT_SPACE = np.array([not chr(c).isspace() for c in range(0x3001)] + [True])
