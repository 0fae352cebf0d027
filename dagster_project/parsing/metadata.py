"""Who reported, for which year, on which template — read from the report itself."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from .text import to_simplified

# What a report title says it is about, with the words some titles print transposed
# (政府信息工作公开, 政府工作信息公开 for 政府信息公开工作; 信息公开政府工作 already fits).
REPORT_TOPIC = r"(?:(?:政府|政务)?(?:信息公开|政务公开|信息工作公开)|政府工作信息公开)"
# A title: "<agency><year>年(度)<…>信息公开<…>报告". The agency part may be empty.
_TITLE = re.compile(
    r"^(?P<agency>[^\d\s。，,；;:：]{0,40}?)\s*(?:关于)?(?P<year>(?:19|20)\d\d)\s*年\s*度?\s*"
    r"(?:的)?" + REPORT_TOPIC + r"[^。]{0,20}?报告"
)
# The same with the year first: "2024年上海市科委政府信息公开工作年度报告".
_TITLE_YEAR_FIRST = re.compile(
    r"^(?P<year>(?:19|20)\d\d)\s*年\s*度?\s*(?P<agency>[^\d\s。，,；;:：]{2,40}?)\s*"
    + REPORT_TOPIC
    + r"[^。]{0,20}?报告"
)
# The year of a title, as both patterns print it in a whitespace-free candidate: 年 right after
# it, ending by character 47 (an agency of at most 40 characters and 关于 before it, or none).
_TITLE_YEAR = re.compile(r"(?:19|20)\d\d年")
_YEAR_ENDS_BY = 40 + len("关于") + len("2024年")
_HEADER_TITLE = re.compile(r"^\s*(?:标题|题目|title)\s*[:：]\s*(?P<title>.+)$", re.IGNORECASE | re.MULTILINE)
# the look-behind (no digit or bracket before the year) follows the digits, so the regex engine
# tries only positions with a 1 or a 2
_YEAR = re.compile(r"((?:19|20)\d\d)(?<![\d\[(]\d\d\d\d)\s*年(?!\d*号)")
_PLACE_ONLY = re.compile(r"^.{1,12}?(省|自治区|市|县|区|旗|州|盟)$")
_STATS_PERIOD = re.compile(r"统计期限(?:为|是|自)?\s*((?:19|20)\d\d)\s*年\s*1\s*月\s*1\s*日")


def _title_lines(text: str) -> Iterator[str]:
    """Candidate title strings, in order: a crawler header's 标题, else the first lines joined
    (made one by one: the first or second is the title of most reports)."""
    head = text[:2000]
    # Every header title holds 标题, 题目 or title (any case: a T or t), a quick test; the `^`
    # pattern is tried at every character. (A one-character search is some 4× faster than a
    # two-character one: 题 is looked for first.)
    if ("题" in head and ("标题" in head or "题目" in head)) or "t" in head or "T" in head:
        yield from [m.group("title").strip() for m in _HEADER_TITLE.finditer(head)]
    lines = [ln.strip().lstrip("#").strip() for ln in text[:800].split("\n") if ln.strip()]
    # Titles often wrap and may sit below a line of page chrome: try short windows of lines.
    for i in range(min(4, len(lines))):
        for n in (1, 2, 3):
            yield "".join(lines[i : i + n])


def find_title(text: str) -> tuple[str | None, str | None, int | None]:
    """(title, agency as printed, year) from the report's title, if it has one."""
    return _find_title(text[:_TITLE_SPAN])


_TITLE_SPAN = 2000  # a title is looked for in the text's first characters only (see `_title_lines`)


def clear_caches() -> None:
    """Forget the cached titles (see `cells.clear_caches`)."""
    _find_title.cache_clear()


@lru_cache(maxsize=8)  # the report, its agency and its prose ask for the same head in turn
def _find_title(text: str) -> tuple[str | None, str | None, int | None]:
    for title in _title_lines(text):
        compact = "".join(title.split())  # (`\s` is what str.split() splits at: the same, and 4× faster)
        if _TITLE_YEAR.search(compact, 0, _YEAR_ENDS_BY) is None:
            continue  # (neither pattern can match: a quick test for the long lines of prose)
        m = _TITLE.match(compact) or _TITLE_YEAR_FIRST.match(compact)
        if m:
            agency = m.group("agency").strip("《》\"“”'()（）[]【】") or None
            return title, agency, int(m.group("year"))
    return None, None, None


def normalize_agency(agency: str | None) -> str | None:
    """Simplified characters; a bare place name (高安市) means that place's government."""
    if not agency:
        return None
    name = to_simplified(agency)
    if _PLACE_ONLY.match(name) and not re.search(
        r"(政府|办公|局|委|办|中心|院|所|站|会|队|部|厅|[验发新园范技税作]区)$", name
    ):
        name += "人民政府"
    return name


def infer_year(text: str) -> int | None:
    """The year reported on, when no title says it: the stated statistics period, else the
    year the text speaks of most (bracketed document numbers such as 〔2019〕60号 excluded)."""
    m = _STATS_PERIOD.search(text)
    if m:
        return int(m.group(1))
    counts = Counter(int(y) for y in _YEAR.findall(text))
    if not counts:
        return None
    top = max(counts.values())
    return max(y for y, c in counts.items() if c == top)
