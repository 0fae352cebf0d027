"""Text normalization shared by every parser: one canonical form before any matching.

Normalization never changes digits' meaning; it folds width and compatibility forms (NFKC),
maps CJK radical code points that NFKC leaves alone, and converts traditional characters to
simplified ones (only when the text contains any, because the converter is the slow part).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

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
_RADICAL_TABLE = str.maketrans(_RADICALS)
# Typographic variants folded to one form so label patterns stay simple.
_PUNCT_TABLE = str.maketrans(
    {
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
)


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


def to_simplified(text: str) -> str:
    """Traditional characters converted to simplified (only when the text has any)."""
    if not set(text) & _traditional_chars():
        return text
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """Canonical text: NFKC, radicals folded, punctuation unified, simplified characters.

    Line structure (newlines, tabs) is preserved so layouts can still be recognised.
    """
    text = unicodedata.normalize("NFKC", text).translate(_RADICAL_TABLE).translate(_PUNCT_TABLE)
    return to_simplified(text).replace("\r\n", "\n").replace("\r", "\n")


class Compacted:
    """A whitespace-free view of a text that maps positions back to the original.

    Labels are found in the compact view (so wrapped or spaced labels still match); the
    numbers between two labels are read from the original, where cell separators survive.
    """

    __slots__ = ("_origin", "compact", "text")

    def __init__(self, text: str):
        self.text = text
        keep = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.compact = "".join(text[i] for i in keep)
        self._origin = keep

    def origin(self, pos: int) -> int:
        """Original index of compact position `pos` (len(compact) maps to len(text))."""
        if pos >= len(self._origin):
            return len(self.text)
        return self._origin[pos]

    def line_of(self, pos: int) -> int:
        """1-based line number in the original text of compact position `pos`."""
        return self.text.count("\n", 0, self.origin(pos)) + 1
