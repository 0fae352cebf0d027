"""Who published a report: normalized agency name, kind, level and region codes.

The name comes from the caller (title / agency name), else a title found in the text or the file
name, else the signature above the closing date. The place at the front of the name is read
against the region table — full names, then short names, so a zone named after a county
(平潭综合实验区) lands on that county — and a name shared by several regions (two 朝阳区) is
settled by the enclosing prefecture or province the text mentions. What follows the place says
the kind (人民政府办公室 → general_office, …局 → department). A report that never names itself
is 'unidentified', placed in the region its text supports best, at low confidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from . import regions as R
from .metadata import REPORT_TOPIC, find_title, normalize_agency
from .text import normalize, to_simplified

GOVERNMENT = {"province": "province_government", "prefecture": "prefecture_government", "county": "county_government"}


@dataclass(slots=True)
class AgencyResolution:
    """Who published a report: normalized name, kind, level, region codes, and how sure the resolution is."""

    agency_name: str | None
    kind: str  # province/prefecture/county/township_government, general_office, department,
    # development_zone, aggregate, unidentified
    level: str  # province | prefecture | county | township | unknown
    region_code: str | None = None
    region_name: str | None = None
    prefecture_code: str | None = None
    prefecture_name: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)


_HEAD, _TAIL = 2000, 400
_TAG = re.compile(r"<[^>]{0,400}>")
# A title without a year still ends in the report words: cut them off to keep the agency.
_REPORT_WORDS = re.compile(
    r"(?:关于)?(?:(?:19|20)\d\d年度?)?(?:全[省市区县州盟旗])?(?:的)?" + REPORT_TOPIC + r".*报告.*$"
)
_SIGNATURE = re.compile(
    r"(?:^|[\s。；;：:，,！!)\]])([^\s。；;：:，,！!()\[\]\d]{3,40}?)\s*\(?\s*(?:19|20)\d\d\s*年"
    r"\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
)
_ORG_END = re.compile(r"(?:政府|办公室|办公厅|局|委员会|委|管委会|办事处|中心|院|所|站|队|厅|部|署|会)$")

_TOWN = re.compile(r"^(?:人民)?(?:政府)?(?P<town>.{1,12}?(?:镇|乡|街道|苏木))(?:人民政府|政府|办事处|办)?$")
_ZONE = re.compile(r"(?:开发区|园区|新区|实验区|试验区|示范区|保税区|合作区|高新区|管理区|度假区|风景区|自贸区)")
_ZONE_BODY = re.compile(_ZONE.pattern + r"(?:党工委|工委)?(?:管委会|管理委员会|管理局|管理办公室)?$")
_AFTER_SHORT = re.compile(
    r"(?:人民)?政府|[^局委办厅处]{0,6}?(?:开发区|园区|新区|实验区|试验区|示范区|保税区|合作区|高新区)"
)
_PLACE_HEAD = re.compile(r"^(.{2,10}?[省市县区旗州盟])(?=(?:人民)?政府|$)")
_OFFICE = re.compile(r"^(?:人民)?政府办(?:公厅|公室)?$|^办公[厅室]$")
_GOV = re.compile(r"^(?:(?:人民)?政府)?$")
_DEPT = re.compile(r"(?:局|委员会|委|办公室|办|中心|院|所|站|厅|部|署|队|会|处|馆|社|台|公司|集团)$")

# "我镇 / 本县 …": how a report refers to itself, when it never names itself.
_SELF = re.compile(r"我(镇|乡|街道|县|旗|区|市|州|盟|省|局|委|办)|本(镇|乡|街道|县|旗|区|市|省|局)(?![域级场内外])")
_SELF_LEVEL = {
    "镇": "township",
    "乡": "township",
    "街道": "township",
    "县": "county",
    "旗": "county",
    "区": "county",
    "市": "city",
    "州": "prefecture",
    "盟": "prefecture",
    "省": "province",
    "局": "department",
    "委": "department",
    "办": "department",
}

_AGG_TITLE = re.compile(r"全(?:省|市|区|县|州|盟|旗)|汇总")
_UNITS = r"各(?:有关)?(?:单位|部门|级行政机关|级各部门|县|区|乡镇|街道|地)"
# (cue, search limit in the whitespace-free text, words one of which the cue holds: a substring
# test is far cheaper than the search): phrases on how a report was compiled sit in its preamble.
_AGG_TEXT: tuple[tuple[re.Pattern[str], int | None, tuple[str, ...]], ...] = (
    (re.compile(r"汇总[^。；]{0,40}?" + _UNITS + r"[^。；]{0,40}?(?:编制|形成|而成|撰写)"), None, ()),
    (
        re.compile(
            r"(?:根据|依据|由)[^。；]{0,40}?" + _UNITS + r"[^。；]{0,30}?(?:年度报告|年报|情况)[^。；]{0,10}?汇总"
        ),
        2000,
        ("汇总",),
    ),
    (re.compile(r"全(?:省|市|区|县|州|盟|旗)各级(?:各类)?行政机关"), None, ()),
    (
        re.compile(r"(?:各乡镇|各部门|各县区|各区县|各街道|各单位)[^。；]{0,8}?(?:主动公开|受理|收到)[^。；]{0,12}?\d"),
        None,
        (),
    ),
    (
        re.compile(r"(?:我|全)(?:省|市|区|县|州|盟|旗)政府信息公开(?:单位|机构)共"),
        2000,
        ("政府信息公开单位共", "政府信息公开机构共"),
    ),
)


def resolve_agency(
    title: str | None, text: str, file_name: str, agency_name: str | None, compact: str | None = None
) -> AgencyResolution:
    """Resolve the publishing agency. `title` and `agency_name` are what the metadata step found
    (either may be None); `text` is the report text (normalized or raw); `file_name` is used
    only when it contains Chinese (crawler names such as 80725_XX县人民政府2012年…); `compact`,
    when given, is `text` without whitespace and says `text` is normalized (the parser has both)."""
    head, tail, flat = _prepare(text, compact)
    mentioned = R.Mentions(flat)  # (most reports ask only whether their enclosing regions are named)
    name, source = _name(title, head, tail, file_name, agency_name)
    ev: list[str] = []
    if name is None:
        return _unidentified(flat, mentioned.counts, ev)
    ev.append(source)
    place, rest, conf, exact = _place(name, flat, mentioned, ev)
    kind, level, kconf = _kind(rest, _head_level(name, rest, place if exact else None), name, ev)
    if place is None and kind in ("department", "township_government", "development_zone", "unidentified"):
        place = _text_region(mentioned.counts, flat, "county" if kind == "township_government" else None, ev)
        conf = 0.5 if place else 0.35
        if level == "unknown" and place and kind != "township_government":
            level = place.level
    if kind in GOVERNMENT.values() or kind in ("general_office", "development_zone"):
        kind = _aggregate(title or "", flat, kind, ev)
        if kind == "aggregate":  # own report vs whole-region summary is a matter of degree
            kconf = min(kconf, 0.85)
    return _result(name, kind, level, place, round(min(conf, kconf), 2), ev, exact)


def _prepare(text: str, compact: str | None = None) -> tuple[str, str, str]:
    """Normalized head and tail (where titles and signatures are), and the whole text without
    whitespace for mention counts. The parser passes normalized text already; normalizing only
    the ends keeps raw input (traditional characters, HTML) working at a fraction of the cost."""
    if "<" in text[:4000] and _TAG.search(text[:4000]):
        text, compact = _TAG.sub(" ", text), None
    if compact is not None:  # the parser's normalized text and its compact view
        return text[:_HEAD], text[-_TAIL:], compact
    head = _normalized(text[:_HEAD])
    tail = _normalized(text[-_TAIL:]) if len(text) > _HEAD else head[-_TAIL:]
    return head, tail, "".join((head + text[_HEAD:]).split())  # split() is 4× faster than re.sub


def _normalized(s: str) -> str:
    """`normalize(s)`, skipped (it costs ~0.25 µs a character) when it could change nothing that
    matters here: NFKC-clean text without traditional characters or CJK radical code points."""
    if unicodedata.is_normalized("NFKC", s) and not _needs_folding(s):
        return s
    return normalize(s)


def _needs_folding(s: str) -> bool:
    """GB2312 encodes neither traditional characters nor radicals, so only the few characters
    it rejects (bullets, rare names) are looked at; both checks run in C."""
    pos = 0
    for _ in range(20):
        try:
            s[pos:].encode("gb2312")
            return False
        except UnicodeEncodeError as e:
            odd = s[pos + e.start : pos + e.end]
            if to_simplified(odd) != odd or any("\u2e80" <= c <= "\u2eff" for c in odd):
                return True
            pos += e.end
    return True


def _clean(s: str) -> str:
    return "".join(normalize(s).split())


def _name(title, head, tail, file_name, agency_name) -> tuple[str | None, str]:
    cleaned = _clean(agency_name) if agency_name else ""
    if cleaned:
        return normalize_agency(cleaned), f"agency name {cleaned}"
    stem = re.sub(r"^[^\u4e00-\u9fff]*", "", file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    for label, s in (("title", title), ("file name", stem)):
        found = _from_title(_clean(s)) if s else None
        if found:
            return normalize_agency(found), f"{label} names {found}"
    _, found, _ = find_title(head)
    if found:
        return normalize_agency(_clean(found)), f"text title names {_clean(found)}"
    for m in reversed(list(_SIGNATURE.finditer(tail))):
        sig = m.group(1)
        start = next((i for i in range(len(sig) - 2) if _place_at(sig, i)[1]), None)
        if _ORG_END.search(sig) and (start is not None or _TOWN.match(sig)):
            sig = sig[start or 0 :]
            return normalize_agency(sig), f"signature {sig}"
    return None, ""


def _from_title(s: str) -> str | None:
    _, found, _ = find_title(s)
    if found:
        return _clean(found)
    cut = _REPORT_WORDS.sub("", s)
    return cut if cut != s and len(cut) >= 2 else None


def _place(name: str, flat: str, mentioned: R.Mentions, ev: list[str]) -> tuple[R.Region | None, str, float, bool]:
    """The region named at the front of `name` (or inside it: 国家税务总局XX县…), the rest of the
    name, a confidence, and whether the region is the agency's own (False: only an enclosing one
    is certain, e.g. the prefecture shared by the candidates of a repeated name)."""
    start, first = next(((i, at) for i in range(len(name) - 2) if (at := _place_at(name, i))[1]), (None, None))
    if start is None or first is None:
        return _variant(name, flat, mentioned.counts, ev)
    chain: list[tuple[str, tuple[R.Region, ...], bool]] = []
    pos = start
    while pos < len(name):
        matched, found, short = first if pos == start else _place_at(name, pos)  # (the first one is known)
        if chain and found:  # a later place must lie inside the one before it (六安市金寨县)
            outer = {r.code for r in chain[-1][1]}
            found = tuple(r for r in found if outer & set(r.ancestors()))
        if not found:
            break
        chain.append((matched, found, short))
        pos += len(matched)
    matched, cands, short = chain[-1]
    conf = 0.85 if short else 0.9
    if len(cands) > 1:
        best, top = _disambiguate(cands, mentioned.counts, flat, ev)
        if best is None:
            ev.append(f"{matched}: {len(cands)} regions, text does not decide")
            return _common_parent(top), name[pos:], 0.5, False
        return best, name[pos:], conf - 0.05, True
    r = cands[0]
    zone = _ZONE.search(name[pos:]) if short else None
    if zone:
        ev.append(f"{name[start : pos + zone.end()]} coded as {r.name} {r.code}, the {r.level} it is named after")
    elif short:
        ev.append(f"{matched}: short name of {r.name} {r.code}")
    else:
        ev.append(f"{r.name} {r.code}" + (f" (chain {''.join(c[0] for c in chain)})" if len(chain) > 1 else ""))
    parents = [R.index().regions[a].name for a in r.ancestors() if R.index().regions[a].name in mentioned]
    if len(chain) > 1 or parents:
        conf += 0.05
        if parents:
            ev.append(f"text mentions {'、'.join(parents)}")
    return r, name[pos:], conf, True


def _place_at(name: str, i: int) -> tuple[str, tuple[R.Region, ...], bool]:
    """The region name beginning at i. A short name counts only before a zone word (平潭综合实验区,
    金寨经济开发区) or 政府: elsewhere it is too often a word (荆州市公安局 is not 公安县) or a town
    named like a county (城关镇). Inside the name (国家税务总局XX县税务局) a two-character full
    name counts only right after another place (平顶山市郏县)."""
    found, regions, short = R.prefix(name, i)
    if short and not _AFTER_SHORT.match(name, i + len(found)):
        found, regions, short = R.prefix(name, i, short=False)
    if i > 0 and not short and len(found) < 3 and name[i - 1] not in "省市县区州盟旗":
        return "", (), False
    return found, regions, short


def _variant(name: str, flat: str, counts: Counter, ev: list[str]) -> tuple[R.Region | None, str, float, bool]:
    """A place-like head not in the table (OCR: 沐阳县 for 沭阳县): accept a one-character variant
    only if it is unique, or the text mentions its prefecture or province. The head must be
    followed by 人民政府/政府 or end the name, so 开发区管委会 or 市场监督管理局 are not read as places."""
    m = _PLACE_HEAD.match(name)
    if not m or _ZONE.search(m.group(1)):
        return None, name, 0.6, True
    head, cands = m.group(1), R.variants(m.group(1))
    best: R.Region | None
    if len(cands) == 1:
        best, top = cands[0], list(cands)
    else:
        best, top = _disambiguate(cands, counts, flat, []) if cands else (None, [])
    if best is None:
        parent = _common_parent(top) if len(top) < len(cands) else None
        fit = f", {'/'.join(r.name for r in top)} in {parent.name} fit the text" if parent else ", none supported"
        ev.append(f"{head} not in the reference data; {len(cands)} one-character variants{fit}")
        return parent, name[len(head) :], 0.4, False
    ev.append(f"{head} read as {best.name} {best.code} (one character differs)")
    return best, name[len(head) :], 0.6, True


def _support(r: R.Region, counts: Counter, flat: str, siblings: Counter, seen: dict[str, int]) -> float:
    """Mentions of the enclosing prefecture / province (full name 2, short name 1) and of other
    regions in the same prefecture (0.5 each). `flat` is empty when short names are not looked
    up (a substring search each; too slow for the dozens of one-character variants)."""
    s = 0.0
    for code in r.ancestors():
        if code not in seen:
            a = R.index().regions[code]
            seen[code] = 2 * counts.get(a.name, 0) + bool(flat and a.short_name != a.name and a.short_name in flat)
        s += seen[code]
    if r.prefecture_code:
        s += 0.5 * (siblings[r.prefecture_code] - (counts[r.name] if len(R.by_name(r.name)) == 1 else 0))
    return s


def _unique_mentions(counts: Counter) -> dict[str, R.Region]:
    return {rs[0].code: rs[0] for n in counts if len(rs := R.by_name(n)) == 1}


def _disambiguate(cands, counts: Counter, flat: str, ev: list[str]) -> tuple[R.Region | None, list[R.Region]]:
    """The candidate the text supports best, if one stands out, and the best-supported ones."""
    siblings: Counter = Counter()
    for m in _unique_mentions(counts).values():
        siblings[m.prefecture_code] += counts[m.name]
    seen: dict[str, int] = {}
    short_text = flat if len(cands) <= 8 else ""
    scored = [(_support(r, counts, short_text, siblings, seen), r) for r in cands]
    top_score = max(sc for sc, _ in scored)
    top = [r for sc, r in scored if sc == top_score] if top_score > 0 else list(cands)
    if len(top) == 1:
        best = top[0]
        parent = best.prefecture_name or best.province_name
        ev.append(f"{best.name}: {len(cands)} regions; text mentions {parent} → {best.code}")
        return best, top
    return None, top


def _common_parent(cands) -> R.Region | None:
    """The prefecture (else province) all candidates share, so a tie still yields what is certain."""
    for attr in ("prefecture_code", "province_code"):
        codes = {getattr(r, attr) for r in cands}
        if len(codes) == 1 and "" not in codes:
            return R.index().regions[codes.pop()]
    return None


def _head_level(name: str, rest: str, place: R.Region | None) -> str:
    """Level of the place heading the name, from its suffix when the table has no such place."""
    if place is not None:
        return place.level
    head = name[: len(name) - len(rest)]
    return {
        "省": "province",
        "州": "prefecture",
        "盟": "prefecture",
        "县": "county",
        "旗": "county",
        "区": "county",
    }.get(head[-1:], "unknown")


def _kind(rest: str, region_level: str, name: str, ev: list[str]) -> tuple[str, str, float]:
    """Kind, level and confidence from what follows the place in the name."""
    if m := _TOWN.match(rest):
        ev.append(f"{m.group('town')} → township")
        return "township_government", "township", 0.9
    # _ZONE_BODY begins with a _ZONE, so a rest it matches always has a zone to name.
    if (zone := _ZONE.search(rest or name)) and (not rest or _ZONE_BODY.search(rest)):
        ev.append(f"{zone.group()} → development_zone")
        return "development_zone", region_level, 0.9
    if _OFFICE.match(rest):
        ev.append(f"{rest or 'office'} → general_office")
        return "general_office", region_level, 0.95
    if _GOV.match(rest):
        if region_level not in GOVERNMENT:
            return "unidentified", "unknown", 0.3
        ev.append(f"{rest or 'bare place name'} → {region_level} government")
        return GOVERNMENT[region_level], region_level, 0.95
    if _DEPT.search(rest):
        zone = _ZONE.search(rest)
        owner = name[: len(name) - len(rest) + zone.end()] if zone else None
        ev.append(f"{rest[zone.end() :]} → department of {owner}" if zone else f"{rest} → department")
        return "department", region_level, 0.9
    ev.append(f"unrecognised body {rest!r}")
    return "unidentified", region_level, 0.5


def _aggregate(title: str, flat: str, kind: str, ev: list[str]) -> str:
    m = _AGG_TITLE.search(_clean(title)) if title else None
    cue = m.group() if m else None
    for pattern, end, words in _AGG_TEXT if cue is None else ():
        if words and not any(w in flat[: end or len(flat)] for w in words):
            continue
        if m := pattern.search(flat, 0, end or len(flat)):
            cue = m.group()[:24]
            break
    if cue is None:
        return kind
    ev.append(f"whole-region report: {cue}")
    return "aggregate"


def _self_level(flat: str, ev: list[str]) -> str | None:
    words = Counter(m.group() for m in _SELF.finditer(flat))
    if not words:
        return None
    levels: Counter[str] = Counter()
    for w, n in words.items():
        levels[_SELF_LEVEL[w[1:]]] += n
    level = levels.most_common(1)[0][0]
    ev.append(f"self-reference {'、'.join(f'{w}×{n}' for w, n in words.most_common(3))} → {level}")
    return level


def _text_region(counts: Counter, flat: str, hint: str | None, ev: list[str]) -> R.Region | None:
    """The region the text mentions best: counts of its name plus of its enclosing regions."""
    mentioned = _unique_mentions(counts)
    for n in counts:
        rs = R.by_name(n)
        if len(rs) > 1 and (best := _disambiguate(rs, counts, flat, [])[0]):
            mentioned[best.code] = best
    if not mentioned:
        return None
    allowed = {
        "township": ("county", "prefecture"),
        "county": ("county", "prefecture"),
        "city": ("county", "prefecture"),
        "prefecture": ("prefecture",),
        "province": ("province",),
    }
    every = ("county", "prefecture", "province")
    for levels in (allowed.get(hint or "", every), every):
        pool = [r for r in mentioned.values() if r.level in levels]
        if pool:  # ties go to the more specific region
            best = max(pool, key=lambda r: (_mention_score(r, counts), R.LEVEL_RANK[r.level], r.code))
            ev.append(f"text mentions {best.name} {counts[best.name]}×")
            return best
    return None


def _mention_score(r: R.Region, counts: Counter) -> float:
    return counts[r.name] + 0.5 * sum(counts[R.index().regions[a].name] for a in r.ancestors())


def _unidentified(flat: str, counts: Counter, ev: list[str]) -> AgencyResolution:
    ev.append("the report never names itself")
    hint = _self_level(flat, ev)
    region = _text_region(counts, flat, hint, ev)
    level = {"township": "township", "county": "county", "province": "province", "prefecture": "prefecture"}.get(
        hint or "", region.level if region and hint in ("city", "department") else "unknown"
    )
    conf = 0.0 if region is None else min(0.4, 0.2 + 0.05 * counts[region.name])
    return _result(None, "unidentified", level, region, round(conf, 2), ev)


def _result(
    name, kind, level, place: R.Region | None, conf: float, ev: list[str], exact: bool = True
) -> AgencyResolution:
    if place is None:
        return AgencyResolution(name, kind, level, confidence=conf, evidence=ev)
    if not exact:  # only the enclosing prefecture / province is known
        pref = place if place.level == "prefecture" else None
        return AgencyResolution(
            name,
            kind,
            level,
            None,
            None,
            pref.code if pref else None,
            pref.name if pref else None,
            place.province_code,
            place.province_name,
            conf,
            ev,
        )
    return AgencyResolution(
        name,
        kind,
        level,
        place.code,
        place.name,
        place.prefecture_code or None,
        place.prefecture_name or None,
        place.province_code,
        place.province_name,
        conf,
        ev,
    )
