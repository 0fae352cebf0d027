"""Compare what the report's prose says with its own 表三 (identity X-5, see ARCHITECTURE.md).

Only direct statements are checked ("收到政府信息公开申请13件", "不予公开1件"): quoted
categories with their own wording ("“不予公开”数量为3条") often use narrative categories
that do not map one-to-one to table rows, so they are left alone rather than flagged falsely.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from . import vocabulary as V
from .catalogue import IssueCode, RowMethod
from .cells import MONEY_FACTOR
from .issues import Issue, format_values, row_issue
from .metadata import find_title, infer_year
from .tables import RowResult, TableResult

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
# "收到政府信息公开申请13件", "接收到5件依申请公开…": each alternative is spelt out with its verb
# so that every one starts with a literal character (the regex engine then skips ahead to those,
# instead of trying every position); the order is that of the two groups of verbs.
_RECEIVED = re.compile(
    "|".join(
        verb + r"(?:了)?[^。；;，,]{0,12}?(?:政府信息公开申请|依申请公开(?:申请|请求)?|信息公开申请)(?:共)?"
        rf"{_NUMBER}\s*(?:件|例|条|个|宗)"
        for verb in ("新收到?", "收到", "接收到?", "受理", "共受理", "共收到")
    )
    + "|"
    + "|".join(verb + rf"{_NUMBER}\s*(?:件|例|条|个|宗)(?:政府信息公开|依申请公开)" for verb in ("接收到?", "收到"))
)
_GROUPS = {
    # A look-behind after the words, not before them: a pattern that starts with literal text is
    # searched for that text, one that starts with a look-behind is tried at every position.
    "granted": re.compile(r"予以公开(?<![不部分]予以公开)" + _NUMBER + r"\s*件"),
    # "予以公开及部分公开42件" counts both rows together
    "granted_or_partial": re.compile(r"予以公开(?:及|和|与|、|或)部分公开" + _NUMBER + r"\s*件"),
    "partially_granted": re.compile(r"部分公开(?<![及和与、或]部分公开)" + _NUMBER + r"\s*件"),
    "withheld": re.compile(r"不予公开" + _NUMBER + r"\s*件"),
    "unable": re.compile(r"无法提供" + _NUMBER + r"\s*件"),
    "rejected": re.compile(r"不予处理" + _NUMBER + r"\s*件"),
}

# the words each pattern of `_GROUPS` needs
_GROUP_WORDS = {
    "granted": "予以公开",
    "granted_or_partial": "予以公开",
    "partially_granted": "部分公开",
    "withheld": "不予公开",
    "unable": "无法提供",
    "rejected": "不予处理",
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


def _received(prose: str) -> list[re.Match[str]]:
    """Every statement of the requests received, in order."""
    return list(_RECEIVED.finditer(prose))


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
    for m in _received(prose):
        n = cn_number(next(g for g in m.groups() if g is not None))  # (the number of the verb that matched)
        if n is not None:
            out.append(Statement("received", n, m.group(0), prose.count("\n", 0, m.start()) + 1))
    for topic, pattern in _GROUPS.items():
        if _GROUP_WORDS[topic] not in prose:  # a plain substring test is far cheaper than the scan
            continue
        for m in pattern.finditer(prose):
            n = cn_number(m.group(1))
            if n is not None:
                out.append(Statement(topic, n, m.group(0), prose.count("\n", 0, m.start()) + 1))
    return out


# ---- 表二: what the prose says of the active-disclosure rows ------------------------------------
# Crawler text glues a 表二 row's cells (``行政规范性文件5615``) and no identity inside the report
# cuts it; the report's own prose often states the numbers ("本年制发规范性文件5件，现行有效15件").
# Only clauses that name one row and one measure are read, and only figures of the year itself.

_SENTENCE_END = "。！？!?\n"
# The sentence ends of a text are found over its code points in numpy, 4× faster than a regex scan.
_IS_SENTENCE_END = np.zeros(0x10000, dtype=bool)
_IS_SENTENCE_END[[ord(c) for c in _SENTENCE_END]] = True


def _sentence_ends(text: str) -> np.ndarray:
    """Where each sentence of `text` ends: the index of its 。 (！？!? or line break)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return np.flatnonzero(_IS_SENTENCE_END.take(codes, mode="clip"))  # (an astral character is none)


_DIGIT = re.compile(r"\d")
_CLAUSE_SEP = re.compile(r"[，,、；;：:]")
_REGULATION = re.compile(r"(?<!法规)规章(?!制度)")
_DOC_COUNT = re.compile(r"(?<![\d.])(\d+)\s*(?:件|部|个|份|条|篇)")
_IN_FORCE = re.compile(r"现行有效")
_REPEALED = re.compile(r"废止")
_ISSUED = re.compile(r"制发|制定|制作|出台|印发")
_REVIEWED = re.compile(r"审核")  # documents reviewed: usually those issued, not always
# Figures of another year, a change, a plan or a cumulated count: not this year's cell.
_NOT_THIS_YEAR = re.compile(
    r"上年|去年|上一年|同比|较上|比上|增长|下降|减少|增加|近[一二两三四五六七八九十\d]+年|以来|历年|拟|计划|将"
)
_CUMULATED = re.compile(r"累计")
_AMENDED = re.compile(r"修改|修订|修正|失效")  # counted with the amended ones: not one measure
_TITLED = re.compile(r"《[^》]*》")  # a document's title names no row
_DOC_FILLER = re.compile(
    r"其中|另|共计|共|合计|计|本年度?|全年|今年|年内|截至目前|截至年底|目前|年底|了|的|已|数量?|为|达|有|文件|\s"
)
_CASE_NOUNS = {  # plain words: a clause names one by holding it
    "administrative_licensing": "行政许可",
    "administrative_penalty": "行政处罚",
    "administrative_coercion": "行政强制",
}
_CASE_WORDS = re.compile("|".join(_CASE_NOUNS.values()))
_CASE_MARK = re.compile(r"作出|办理|办结|办件|实施|查处|决定|案件")
_CASE_COUNT = re.compile(r"(?<![\d.])(\d+)\s*(?:件|起|宗|个)")
_CASE_EXCLUDED = re.compile(r"类|信息|公示|公开|清单|目录|受理|申请|项目|累计|复议|诉讼|投诉|举报|信访")
_PROCUREMENT = re.compile(r"集中采购|采购总金额")
# the nouns one of the readers below needs in a sentence (procurement: the 2019 layout only)
_TABLE2_NOUNS = re.compile(f"规范性文件|规章|{_CASE_WORDS.pattern}")
_TABLE2_NOUNS_2019 = re.compile(f"{_TABLE2_NOUNS.pattern}|{_PROCUREMENT.pattern}")
_BATCHES = re.compile(r"(?<![\d.])(\d+)\s*(批次|批|个|项)")
_AMOUNT = re.compile(r"(?<![\d.])(\d+(?:\.(\d+))?)\s*(亿元|万元|元)")
_AMOUNT_MARK = re.compile(r"金额|总额|采购额|成交额|合同额|规模|资金|共计|合计")
_AMOUNT_EXCLUDED = re.compile(r"节约|节省|节支|预算|%|率")
# the measures a 表二 layout prints for documents: (issued, repealed, in force) → its metric
_DOC_METRICS = {
    "2021": {"issued": "issued", "repealed": "repealed", "in_force": "in_force"},
    "2019": {"issued": "new_made"},
}


Values = tuple[float | None, ...]


@dataclass(frozen=True)
class Figure:
    """A number the prose states for one 表二 cell: item, metric, value (万元 for money)."""

    item: str
    metric: str
    value: float
    quote: str  # the clause as printed
    line: int
    tolerance: float = 0.0  # an amount stated rounded (539.44万元) agrees within half its last digit
    weak: bool = False  # documents reviewed (审核): may decide a glued row, never flag a printed one

    def agrees(self, value: float | None) -> bool:
        return value is not None and abs(value - self.value) <= self.tolerance + 1e-9


def _doc_measure(clause: str) -> tuple[str, bool] | None:
    """(measure, weak) of a clause about documents, or None when it states none or several."""
    in_force, repealed, issued = (bool(p.search(clause)) for p in (_IN_FORCE, _REPEALED, _ISSUED))
    if in_force:
        return None if repealed or issued else ("in_force", False)
    if repealed:
        return None if issued else ("repealed", False)
    if issued:
        return "issued", False
    return ("issued", True) if _REVIEWED.search(clause) else None


def _is_bare(clause: str) -> bool:
    """A clause that is only a measure and a number (``废止2件``): it speaks of the row the
    clause before it named."""
    rest = _DOC_COUNT.sub("", clause)
    for p in (_IN_FORCE, _REPEALED, _ISSUED, _REVIEWED, _DOC_FILLER):
        rest = p.sub("", rest)
    return not rest


def _document_nouns(clause: str) -> list[str]:
    """The 表二 document rows a clause names: (行政)规范性文件, 规章 (not 法规规章, 规章制度). Plain
    substring tests first; _REGULATION is searched only in a clause holding 规章."""
    nouns = ["normative_documents"] if "规范性文件" in clause else []
    if "规章" in clause and _REGULATION.search(clause):
        nouns.append("regulations")
    return nouns


def _document_figures(clauses: list[tuple[str, int]], variant: str) -> list[Figure]:
    metrics = _DOC_METRICS.get(variant, {})
    out, carried = [], None
    for clause, line in clauses:
        nouns = _document_nouns(clause)
        if "法律" in clause or "法规" in clause or len(nouns) > 1:  # laws and rules are no 表二 row
            carried = None
            continue
        carried = nouns[0] if nouns else carried
        if carried is None:  # no row named here or before
            continue
        counts = _DOC_COUNT.findall(clause)
        if len(counts) != 1 or "类" in clause or "信息" in clause:
            continue
        measure = _doc_measure(clause)
        item = nouns[0] if nouns else (carried if _is_bare(clause) else None)  # the cheap tests first
        if item is None or measure is None:
            continue
        if _NOT_THIS_YEAR.search(clause) or _AMENDED.search(clause):
            continue
        if _CUMULATED.search(clause) and measure[0] != "in_force":
            continue
        if measure[0] in metrics:
            out.append(Figure(item, metrics[measure[0]], float(counts[0]), clause, line, weak=measure[1]))
    return out


def _case_figures(clauses: list[tuple[str, int]]) -> list[Figure]:
    out = []
    for clause, line in clauses:
        items = [k for k, word in _CASE_NOUNS.items() if word in clause]
        counts = _CASE_COUNT.findall(clause)
        if len(items) != 1 or len(counts) != 1 or not _CASE_MARK.search(clause):
            continue
        if _CASE_EXCLUDED.search(clause) or _NOT_THIS_YEAR.search(clause):
            continue
        out.append(Figure(items[0], "decisions", float(counts[0]), clause, line))
    return out


def _procurement_figures(clauses: list[tuple[str, int]]) -> list[Figure]:
    if not any(_PROCUREMENT.search(c) for c, _ in clauses):
        return []
    out = []
    for clause, line in clauses:
        if _NOT_THIS_YEAR.search(clause) or _CUMULATED.search(clause):
            continue
        amounts = _AMOUNT.findall(clause)
        if amounts:
            if len(amounts) == 1 and _AMOUNT_MARK.search(clause) and not _AMOUNT_EXCLUDED.search(clause):
                number, decimals, unit = amounts[0]
                factor = MONEY_FACTOR[unit]
                tolerance = 0.5 * 10 ** -len(decimals) * factor if decimals else 0.0
                value = round(float(number) * factor, 6)
                out.append(Figure("centralized_procurement", "amount_wan_yuan", value, clause, line, tolerance))
            continue
        batches = _BATCHES.findall(clause)
        if (
            len(batches) == 1
            and ("采购" in clause or batches[0][1].startswith("批"))
            and not re.search(r"信息|条", clause)
        ):
            out.append(Figure("centralized_procurement", "projects", float(batches[0][0]), clause, line))
    return out


def table2_figures(prose: str, variant: str) -> list[Figure]:
    """Every figure `prose` states for a 表二 cell of the given layout (2019 | 2021)."""
    out: list[Figure] = []
    # Each reader needs its nouns in the sentence, and most sentences have none: only the
    # sentences around the nouns are looked at, in order.
    nouns = _TABLE2_NOUNS_2019 if variant == "2019" else _TABLE2_NOUNS
    ends: list[int] = []  # where each sentence ends (its 。 or line break), found on first need
    line, counted = 1, 0  # the line number at `counted`
    pos = 0  # the next noun is looked for after the sentence of the last one
    while (noun := nouns.search(prose, pos)) is not None:
        ends = ends or [*_sentence_ends(prose).tolist(), len(prose)]
        i = bisect_right(ends, noun.start())
        start, pos = ends[i - 1] + 1 if i else 0, ends[i]
        sentence = prose[start:pos]
        if not _DIGIT.search(sentence):
            continue
        documents = "规范性文件" in sentence or "规章" in sentence
        cases = _CASE_WORDS.search(sentence) is not None
        procurement = variant == "2019" and _PROCUREMENT.search(sentence) is not None
        line, counted = line + prose.count("\n", counted, start), start
        clauses = [(c.strip(), line) for c in _CLAUSE_SEP.split(_TITLED.sub("《》", sentence))]
        out += (_document_figures(clauses, variant) if documents else []) + (_case_figures(clauses) if cases else [])
        if procurement:
            out += _procurement_figures(clauses)
    return out


def usable_figures(figures: list[Figure], metrics: tuple[str, ...]) -> list[Figure]:
    """The figures one row can be held to: a metric stated twice with different values (another
    scope, another unit) says nothing, and a reviewed count gives way to a stated one."""
    by_metric: dict[str, list[Figure]] = {}
    for f in figures:
        if f.metric in metrics:
            by_metric.setdefault(f.metric, []).append(f)
    out = []
    for found in by_metric.values():
        strong = [f for f in found if not f.weak] or found
        if len({f.value for f in strong}) == 1:
            out.append(strong[0])
    return out


def agreeing(figures: list[Figure], metrics: tuple[str, ...], readings: list[Values]) -> list[Values]:
    """The readings of a row that every figure agrees with (a reviewed count that no reading
    agrees with is set aside rather than allowed to veto the stated ones)."""

    def holds(reading: Values, found: list[Figure]) -> bool:
        return all(f.agrees(reading[metrics.index(f.metric)]) for f in found)

    found = [r for r in readings if holds(r, figures)]
    strong = [f for f in figures if not f.weak]
    if not found and strong and len(strong) < len(figures):
        found = [r for r in readings if holds(r, strong)]
    return found


def _quotes(figures: list[Figure]) -> str:
    return "; ".join(f"“{f.quote}” (line {f.line}: {f.metric} {f.value:g})" for f in figures)


def table2_issues(t2: TableResult, prose: str) -> list[Issue]:
    """What the prose says of 表二 (X-5 for 表二): for a glued row, the readings its figures agree
    with (`cells_stated_in_text`, which the deciders use after the neighbouring years); for a
    printed row, any figure its cell contradicts (`narrative_table_mismatch`). Values are never
    changed here."""
    if not t2.variant or not table2_figures(prose, t2.variant):
        # Leaving out the sentences of other years only takes figures away (the sentences left
        # are read as they were): with none in the whole prose there is no year to look for.
        return []
    year = find_title(prose)[2] or infer_year(prose)
    figures = table2_figures(_this_year(prose, year), t2.variant)
    issues: list[Issue] = []
    stated = {f.item for f in figures}
    for item in V.T2_ITEMS[t2.variant] if figures else ():
        if item.key not in stated:
            continue  # (no figure: nothing to say)
        row = t2.rows.get(item.key)
        found = usable_figures([f for f in figures if f.item == item.key], item.metrics)
        if row is None or not found:
            continue
        if row.method == RowMethod.UNRESOLVED:
            readings = [tuple(c.value for c in cand) for cand in row.candidates]
            agree = agreeing(found, item.metrics, readings)
            if agree:
                issues.append(
                    row_issue(
                        IssueCode.CELLS_STATED_IN_TEXT,
                        "table2",
                        item.key,
                        f"table2 row {item.key}: the text states {_quotes(found)}; of the readings the printed "
                        f"digits allow, {'; '.join(format_values(r) for r in agree)} agree",
                        row.place,
                        candidates=tuple(agree),
                    )
                )
                continue
        issues += _contradicted(item.key, row, [f for f in found if not f.weak], item.metrics)
    return issues


def _contradicted(key: str, row: RowResult, figures: list[Figure], metrics: tuple[str, ...]) -> list[Issue]:
    """`narrative_table_mismatch` for each figure the row's printed cell (or, for a glued row,
    every reading) contradicts; the cells stay as printed."""
    out = []
    for f in figures:
        col = metrics.index(f.metric)
        glued = row.method == RowMethod.UNRESOLVED
        printed = row.cells[col].value
        if glued and not any(f.agrees(c[col].value) for c in row.candidates):
            shown, reported = "no reading of its printed digits gives it", None
        elif not glued and row.method in _PRINTED and printed is not None and not f.agrees(printed):
            shown, reported = f"表二 gives {printed:g}", printed
        else:
            continue
        out.append(
            row_issue(
                IssueCode.NARRATIVE_TABLE_MISMATCH,
                "table2",
                key,
                f"the text says “{f.quote}” (line {f.line}: {f.metric} {f.value:g}) but {shown}",
                row.place,
                identity="X-5",
                reported=reported,
                recomputed=f.value,
                delta=None if reported is None else reported - f.value,
            )
        )
    return out


# how a row was read when its cells are the printed ones (a row read otherwise is left to its own issue)
_PRINTED = (RowMethod.POSITIONAL, RowMethod.TRIMMED, RowMethod.SPLIT, RowMethod.REJOINED)
_YEAR_IN_TEXT = re.compile(r"((?:19|20)\d\d)(?<!\d\d\d\d\d)\s*年")  # no digit before the year


def _this_year(prose: str, year: int | None) -> str:
    """`prose` without the sentences that name another year than the report's (their figures are
    of that year, or compare with it)."""
    if year is None:
        return prose
    out, done = [], 0  # the prose up to `done` is in `out`
    ends: list[int] = []  # where each sentence ends (after its 。 or line break), found on first need
    for m in _YEAR_IN_TEXT.finditer(prose):
        # a year printed across a line end ("2023\n年") belongs to no one sentence
        if m.start() < done or int(m.group(1)) == year or "\n" in m.group():
            continue
        ends = ends or [*(_sentence_ends(prose) + 1).tolist(), len(prose)]
        i = bisect_right(ends, m.start())
        start, end = ends[i - 1] if i else 0, ends[i]
        sentence = prose[start:end]
        out += [prose[done:start], " " * len(sentence.rstrip("\n")), "\n" if sentence.endswith("\n") else ""]
        done = end
    return "".join(out) + prose[done:] if out else prose
