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


# OpenCC's t2s, as its Python package runs it, is slow (it builds a tree of substrings per
# sentence). The same conversion with its dictionaries: the text is cut at the converter's
# separators (no key holds one, and \n is one); in each piece the longest phrase (the leftmost of
# the longest) is replaced first, then the same in what is left on either side, and the
# characters no phrase covers are converted one by one. Keys and values are of equal length.
# A piece without a character that a phrase or the character table changes stays as it is, so
# only the lines holding one are converted. tests/test_fast_text.py checks it against OpenCC.
_OPENCC_SEPARATOR = re.compile(
    r"[\s\-,.?!*\u3000，。、；：？！…“”‘’『』「」﹁﹂—－（）《》〈〉～．／＼︒︑︔︓︿﹀︹︺︙︐［﹇］﹈︕︖︰︳︴︽︾︵︶｛︷｝︸﹃﹄【︻】︼]"
)


def _char_class(chars: set[str]) -> str:
    """A regex matching `chars`. The engine tests a class of BMP characters in one step but a
    class holding any astral one range by range (100x slower), so those are matched as any
    astral character, which the caller looks up."""
    return "[" + "".join(sorted(c for c in chars if c <= "\uffff")) + "]|[\U00010000-\U0010ffff]"


class _T2S:
    """OpenCC's t2s dictionaries (TSPhrases, then TSCharacters) laid out for the conversion."""

    def __init__(self, folder: Path):
        self.phrases = _opencc_dictionary(folder / "TSPhrases.txt")
        self.chars = {k: v for k, v in _opencc_dictionary(folder / "TSCharacters.txt").items() if k != v}
        self.char_pattern = re.compile(_char_class(set(self.chars)))
        # the characters some phrase or the character table changes: a line without one stays
        self.changed = set(self.chars) | {a for k, v in self.phrases.items() for a, b in zip(k, v) if a != b}
        self.changed_pattern = re.compile(_char_class(self.changed))
        self.phrase_pattern = re.compile("|".join(map(re.escape, sorted(self.phrases, key=len, reverse=True))))
        # a phrase is looked up only where its first character is, and only up to its longest key
        self.longest: dict[str, int] = {}
        for key in self.phrases:
            self.longest[key[0]] = max(self.longest.get(key[0], 0), len(key))

    def convert(self, text: str) -> str:
        pieces: list[str] = []
        done, at, search = 0, 0, self.changed_pattern.search
        while (m := search(text, at)) is not None:
            at = m.end()
            if m[0] not in self.changed:  # an astral character neither dictionary changes
                continue
            start, end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
            end = len(text) if end < 0 else end
            pieces += (text[done:start], self._line(text[start:end]))
            done = at = end
        pieces.append(text[done:])
        return "".join(pieces)

    def _line(self, line: str) -> str:
        pieces: list[str] = []
        done = 0
        for m in self.phrase_pattern.finditer(line):
            if m.start() < done:
                continue  # inside a piece already converted
            start = m.start()
            while start > 0 and not _OPENCC_SEPARATOR.match(line, start - 1):
                start -= 1
            end_at = _OPENCC_SEPARATOR.search(line, m.end())
            end = end_at.start() if end_at else len(line)
            pieces += (self._chars_only(line[done:start]), self._piece(line[start:end]))
            done = end
        pieces.append(self._chars_only(line[done:]))
        return "".join(pieces)

    def _chars_only(self, text: str) -> str:
        chars = self.chars
        return self.char_pattern.sub(lambda m: chars.get(m[0], m[0]), text)

    def _piece(self, piece: str) -> str:
        """One piece between separators: longest phrases first, recursively, then characters."""
        found: list[tuple[int, int]] = []
        spans = [(0, len(piece))]
        phrases, longest = self.phrases, self.longest
        while spans:
            lo, hi = spans.pop()
            best, at = 1, -1
            for i in range(lo, hi - 1):
                top = longest.get(piece[i])
                if top is not None:
                    for size in range(min(top, hi - i), best, -1):  # only longer: the leftmost wins ties
                        if piece[i : i + size] in phrases:
                            best, at = size, i
                            break
            if at >= 0:
                found.append((at, best))
                spans += ((lo, at), (at + best, hi))
        out: list[str] = []
        pos = 0
        for at, size in sorted(found):
            out += (self._chars_only(piece[pos:at]), phrases[piece[at : at + size]])
            pos = at + size
        out.append(self._chars_only(piece[pos:]))
        return "".join(out)


def _opencc_dictionary(path: Path) -> dict[str, str]:
    """An OpenCC dictionary file as its converter reads it: key -> the first of its values."""
    entries = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            key, value = line.strip().split("\t")
            entries[key] = value.split(" ")[0]
    return entries


@lru_cache(maxsize=1)
def _t2s() -> _T2S:
    return _T2S(Path(opencc.__file__).parent / "dictionary")


def t2s(text: str) -> str:
    """Exactly ``OpenCC("t2s").convert(text)``, in a fraction of its time."""
    return _t2s().convert(text)


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
    return t2s(text)


def _replace_each(text: str, chars: re.Pattern[str], table: dict[str, str]) -> str:
    """`text` with every character `chars` matches replaced by its `table` entry. A text holds
    few distinct ones (，：（）), each replaced at once by `str.replace`; no replacement holds a
    character of the table, so the order does not matter."""
    for char in set(chars.findall(text)):
        text = text.replace(char, table[char])
    return text


def _nfkc(text: str) -> str:
    text = _replace_each(text, _WIDE_CHARS, _WIDE)
    return unicodedata.normalize("NFKC", text)  # (the text itself when it is normalized: quicker than asking first)


def normalize(text: str) -> str:
    """Canonical text: NFKC, radicals folded, punctuation unified, simplified characters.

    Line structure (newlines, tabs) is preserved so layouts can still be recognised.
    """
    if len(text) >= _LONG:
        return _normalize_long(text)
    text = _nfkc(text)
    text = _replace_each(text, _FOLD_CHARS, _FOLD)
    text = to_simplified(text)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# A whole report is normalized over its code points in numpy: each per-character map is one
# table lookup, instead of a regex scan and a replace per distinct character (a label is short:
# the string path is faster there). Same steps, same result.
_LONG = 1000
_DROPPED = 0x110000  # a code point no character has: the folds that delete a character


def _bmp_table(mapping: dict[str, str]) -> np.ndarray:
    table = np.arange(0x10000, dtype=np.uint32)
    for char, to in mapping.items():
        table[ord(char)] = ord(to) if to else _DROPPED
    return table


_WIDE_TABLE = _bmp_table(_WIDE)
_FOLD_TABLE = _bmp_table(_FOLD)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


def _from_code_points(codes: np.ndarray) -> str:
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


def _mapped(codes: np.ndarray, table: np.ndarray, bmp_only: bool) -> np.ndarray:
    """`codes` through a table of the BMP (astral code points are left as they are)."""
    mapped = table.take(codes, mode="clip")
    return mapped if bmp_only else np.where(codes < 0x10000, mapped, codes)


def _normalize_long(text: str) -> str:
    codes = _code_points(text)
    bmp_only = int(codes.max(initial=0)) < 0x10000
    wide = _mapped(codes, _WIDE_TABLE, bmp_only)
    if not np.array_equal(wide, codes):
        text, codes = _from_code_points(wide), wide
    normalized = unicodedata.normalize("NFKC", text)  # (the text itself when it is: quicker than asking first)
    if normalized is not text:
        text = normalized
        codes = _code_points(text)
        bmp_only = int(codes.max(initial=0)) < 0x10000
    folded = _mapped(codes, _FOLD_TABLE, bmp_only)
    if not np.array_equal(folded, codes):
        text, codes = _from_code_points(folded[folded != _DROPPED]), folded
    if _has_traditional_codes(codes, bmp_only, text):
        text = t2s(text)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _has_traditional_codes(codes: np.ndarray, bmp_only: bool, text: str) -> bool:
    """`_has_traditional(text)`, `codes` its code points (a dropped one stands for nothing)."""
    if _traditional_table().take(codes, mode="clip").any():
        return True
    return not bmp_only and not _traditional_chars().isdisjoint(c for c in text if c > "\uffff")


@lru_cache(maxsize=1)
def _traditional_table() -> np.ndarray:
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(c) for c in _traditional_chars() if c <= "\uffff"]] = True
    return table


class Compacted:
    """A whitespace-free view of a text that maps positions back to the original.

    Labels are found in the compact view (so wrapped or spaced labels still match); the
    numbers between two labels are read from the original, where cell separators survive.
    """

    __slots__ = ("_keep", "_newlines", "_size", "compact", "text")

    def __init__(self, text: str):
        self.text = text
        # The characters str.isspace() is false of (those "".join(text.split()) keeps), from a
        # lookup table over the code points: the compact view and the original index of each of
        # its characters, in numpy, not per character.
        codes = _code_points(text)
        kept = _NOT_SPACE.take(codes, mode="clip")
        self.compact = _from_code_points(codes[kept])
        # a memoryview: `origin` is asked hundreds of times a report; indexing one gives a plain
        # int at once (a numpy scalar lookup is slow, converting the array to a list slower still)
        self._keep = memoryview(np.flatnonzero(kept))  # type: ignore[arg-type]
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

    def line_at(self, index: int) -> int:
        """1-based line number of the original text's index `index` (`line_of` of its compact position)."""
        return bisect_left(self._newlines, index) + 1


# Whitespace by str.isspace(); no code point above U+3000 is whitespace (the last entry stands for them).
_NOT_SPACE = np.array([not chr(c).isspace() for c in range(0x3001)] + [True])
