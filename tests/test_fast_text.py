"""The fast text path gives exactly what the general code gives: the traditional → simplified
conversion against OpenCC itself (on the corpus, and on random mixes of traditional and
simplified text with the converter's phrases in them); `canonical` against the line-by-line
`fold_lines`; the whole-report normalization against the one for short strings; the compact
view, the page markers, the pipe-layout split, the HTML reader's plain elements, the prose's
statements, the identities' batch tests, the issue constructor and the one-name mention test against the
plain code they replace."""

from __future__ import annotations

import dataclasses
import random
import re
import sys
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from opencc import OpenCC

from dagster_project.parsing import layout, metadata, narrative
from dagster_project.parsing import regions as R
from dagster_project.parsing import vocabulary as V
from dagster_project.parsing.catalogue import CATALOGUE, IssueCode, RowMethod, Severity
from dagster_project.parsing.cells import MISSING, parse_value
from dagster_project.parsing.checks import check_identities
from dagster_project.parsing.identities import Check, _total2, broken, total_of
from dagster_project.parsing.issues import Issue
from dagster_project.parsing.layout import canonical, drop_page_markers, fold_lines
from dagster_project.parsing.readers import html as html_reader
from dagster_project.parsing.tables import RowResult, TableResult
from dagster_project.parsing.text import (
    _FOLD,
    _FOLD_CHARS,
    _LONG,
    _OPENCC_SEPARATOR,
    _WIDE,
    Compacted,
    _nfkc,
    _replace_each,
    _t2s,
    normalize,
    t2s,
    to_simplified,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [ROOT / "raw", ROOT.parent / "shared" / "corpus" / "real", ROOT.parent / "shared" / "seeds"]
SIMPLIFIED = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
SEPARATORS = " \n\t\r，。、-：（）.,"


@pytest.fixture(scope="module")
def opencc() -> OpenCC:
    return OpenCC("t2s")


def corpus_texts() -> list[Path]:
    return sorted(p for d in CORPUS if d.is_dir() for p in d.iterdir() if p.suffix in (".txt", ".md", ".html"))


def test_separators_are_openccs(opencc: OpenCC) -> None:
    """The pieces are cut where OpenCC cuts its sentences, over every code point."""
    ours = {c for c in map(chr, range(sys.maxunicode + 1)) if _OPENCC_SEPARATOR.fullmatch(c)}
    theirs = {c for c in map(chr, range(sys.maxunicode + 1)) if opencc.split_chars_re.fullmatch(c)}
    assert ours == theirs
    assert "\n" in ours and "，" in ours


def test_known_conversions(opencc: OpenCC) -> None:
    # 乾 converts alone (干) but not in the phrase 乾隆; 答覆 has no traditional character yet
    # becomes 答复; in 瞭解到 the longer phrase wins over 瞭解, and 麼些族 over 么麼 though it starts later.
    for text, simplified in [
        ("政府資訊公開工作年度報告", "政府资讯公开工作年度报告"),
        ("乾隆年間，乾燥", "乾隆年间，干燥"),
        ("答覆申請人", "答复申请人"),
        ("瞭解到情況", "了解到情况"),
        ("么麼些族", "么麽些族"),
        ("", ""),
    ]:
        assert opencc.convert(text) == simplified
        assert t2s(text) == simplified


def test_longest_phrase_first_not_forward_matching(opencc: OpenCC) -> None:
    """OpenCC's Python package replaces the longest phrase of a piece first, wherever it starts
    (么麼些族 keeps 么: 麼些族 is longer than 么麼), not the longest one at each position left to
    right: two phrases overlapping by a character show which one wins."""
    tables = _t2s()
    pairs = [(a, b) for a in tables.phrases for b in tables.phrases if a[-1] == b[0] and len(b) > len(a)]
    assert pairs, "no overlapping phrases in the dictionary"
    for a, b in pairs[:200]:
        text = a + b[1:]
        assert t2s(text) == opencc.convert(text)


@pytest.mark.parametrize("path", corpus_texts(), ids=lambda p: p.name)
def test_corpus_files(opencc: OpenCC, path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    assert t2s(text) == opencc.convert(text)


def test_random_mixes(opencc: OpenCC) -> None:
    tables = _t2s()
    phrases, chars = sorted(tables.phrases), sorted(tables.chars)
    astral = [c for c in chars if c > "\uffff"]
    rng = random.Random(20191)
    pick = [
        lambda: rng.choice(phrases),
        lambda: rng.choice(phrases)[:2],
        lambda: rng.choice(phrases)[1:],
        lambda: rng.choice(chars),
        lambda: rng.choice(astral),
        lambda: rng.choice(SIMPLIFIED),
        lambda: rng.choice(SEPARATORS),
        lambda: chr(rng.randrange(0x10000, 0x20000)),
    ]
    converted = 0
    for _ in range(4000):
        text = "".join(rng.choice(pick)() for _ in range(rng.randint(1, 40)))
        expected = opencc.convert(text)
        assert t2s(text) == expected, text
        converted += expected != text
    assert converted > 3000  # the mixes do exercise the conversion


# ---- layouts: `canonical`'s block operations against `fold_lines`, its line-by-line reference ----

_CONTENT = ["12", "0", "无", "abc", "行政许可", " ", "\u3000", "\x0b", "\x1c", "1.5", "-", ":", "|", "万元", "\xa0", ""]
_CONTENT += [
    "一二三四五六七八九十" * 2 + "一二三四",
    "一二三四五六七八九十" * 2 + "一二三四五",
    "— 4 —",
    "第3页",
    "-12-",
]


def random_layout(rng: random.Random) -> str:
    """Lines of one layout (one cell per line, or pipes) among prose, blank and odd lines."""

    def words(n: int = 4) -> str:
        return "".join(rng.choice(_CONTENT) for _ in range(rng.randint(0, n)))

    def cell_line() -> str:
        return "\t" + words(3).replace("|", "")

    def pipe_line() -> str:
        return words(3) + rng.choice(["|", " |", "||", "| ", " | |"])

    def markdown() -> str:
        return "|" + "|".join(words(2) for _ in range(rng.randint(0, 3))) + "|"

    kinds = rng.choice(
        [[cell_line, words], [cell_line] * 3 + [words], [pipe_line, words, markdown], [pipe_line] * 2 + [markdown]]
    )
    return "\n".join(rng.choice(kinds)() for _ in range(rng.randint(1, 15))) + ("\n" if rng.random() < 0.3 else "")


def test_canonical_is_fold_lines_on_the_corpus() -> None:
    folded = 0
    for path in corpus_texts():
        text = normalize(drop_page_markers(path.read_text(encoding="utf-8", errors="replace"))[0])
        assert canonical(text) == fold_lines(text), path.name
        folded += canonical(text) != text
    assert folded >= 5  # the one-cell and pipe layouts are in the corpus


def test_canonical_is_fold_lines_on_random_layouts() -> None:
    rng = random.Random(7)
    for _ in range(20000):
        text = random_layout(rng)
        assert canonical(text) == fold_lines(text), repr(text)


def test_canonical_examples() -> None:
    # a wrapped label continues its cell; padded cells are stripped; a pipe run is one row
    assert canonical("收到申请\n\t本年新\n制作数量\n\t 3 \n\t0\n下一行") == "收到申请\n本年新制作数量\t3\t0\t\n下一行"
    assert canonical("规章 |\n0 |\n|\n3 |\n") == "规章\t0\t\t3\t\n"
    assert canonical("| 规章 | 1 |\n| --- | --- |\n") == "规章\t1\t\n\n"
    assert canonical("\t1\n- 4 -\n\t2") == "1\t2\t"  # a page-number line inside a row is dropped


def test_pipe_split_is_the_whole_text_split() -> None:
    """`_pipe_split` runs the pipe pattern over the lines from the first pipe to the last only."""
    rng = random.Random(13)
    pool = ["|", "||", " ", "\n", "\n|", "| ", "a", "1", "-", ":", "\t", "中", "\u3000", "| --- |"]
    texts = [normalize(drop_page_markers(p.read_text(encoding="utf-8", errors="replace"))[0]) for p in corpus_texts()]
    texts += [random_layout(rng) for _ in range(3000)]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    texts += ["", "|", "a\n| b |\nc", "x\n1 |\n\n2 |"]
    for text in texts:
        assert layout._pipe_split(text) == layout._PIPE_BLOCK.split(text), repr(text)
    assert layout._pipe_split("前言\n规章 |\n0 |\n后记") == ["前言\n", "规章 |\n0 |", None, None, "\n后记"]


# ---- HTML: plain lxml elements against lxml.html's own ----

_HTML_PIECES = ["<p>", "</p>", "<table>", "</table>", "<tr>", "<td>", "</td>", "<th>", "</tr>", "<br>", "<!-- c -->"]
_HTML_PIECES += ["<script>x</script>", "<div>", "</div>", "文本", " 1 ", "7", "\n", "<html>", "<body>", "</body>"]
_HTML_PIECES += ["<head><title>t</title></head>", "&nbsp;", "\u3000", "<b>", "</b>", "<?pi x?>", "&amp;", "<x:table>"]


def _html_texts() -> list[str]:
    rng = random.Random(17)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in corpus_texts() if p.suffix == ".html"]
    texts += ["".join(rng.choice(_HTML_PIECES) for _ in range(rng.randint(1, 25))) for _ in range(3000)]
    return texts + ["<p>a</p><p>b</p>", "<td>1</td>", "<body>a</body><body>b</body>", "<head></head><head></head>x"]


def _tree(parse, text: str) -> str:
    try:
        return lxml.etree.tostring(parse(text), encoding=str)
    except (ValueError, lxml.etree.ParserError) as error:  # an empty document, as html_to_text catches
        return repr(error)


def test_html_parsed_as_lxml_html_parses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _html_texts()
    assert len(texts) > 3000 and any("<table" in t for t in texts[:5])
    for text in texts:
        assert _tree(html_reader._parse, text) == _tree(lxml.html.fromstring, text), repr(text)
    read = [html_reader.html_to_text(t) for t in texts]
    monkeypatch.setattr(html_reader, "_PARSER", lxml.html.html_parser)
    assert [html_reader.html_to_text(t) for t in texts] == read


def test_html_cell_text_of_a_plain_cell() -> None:
    for text in ["", "0", "396", "规章", " 3 ", "1 2", "a\u3000b", "\u00a0x", "²", "Ⅻ", "行政\t许可", "x\n"]:
        cell = lxml.etree.Element("td")
        cell.text = text
        assert html_reader._cell_text(cell) == html_reader._SPACE.sub(" ", text).strip(), repr(text)


def test_title_lines_as_the_header_pattern_alone_finds_them() -> None:
    """The header title (标题：…) is looked for only in heads holding one of its words."""
    rng = random.Random(19)
    pool = ["标题", "题目", "title", "TITLE", "Tıtle", "ſ", "T", "t", "：", ":", " ", "\n", "\n\n", "\u3000", "报告"]
    pool += ["2023年", "某市人民政府", "政府信息公开工作年度报告", "标", "题", "目"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in corpus_texts()]
    for text in texts:
        plain = [m.group("title").strip() for m in metadata._HEADER_TITLE.finditer(text[:2000])]
        lines = [ln.strip().lstrip("#").strip() for ln in text[:800].split("\n") if ln.strip()]
        plain += ["".join(lines[i : i + n]) for i in range(min(4, len(lines))) for n in (1, 2, 3)]
        assert list(metadata._title_lines(text)) == plain, repr(text)
    assert next(metadata._title_lines("Title: 某市2023年报告\n正文")) == "某市2023年报告"


# ---- normalization: the code-point path for whole reports against the string path ----


def _normalize_by_strings(text: str) -> str:
    text = _replace_each(_nfkc(text), _FOLD_CHARS, _FOLD)
    return to_simplified(text).replace("\r\n", "\n").replace("\r", "\n")


def test_normalize_long_texts_as_short_ones() -> None:
    rng = random.Random(11)
    pool = [*_FOLD, *_WIDE, *"abc 123\n\r\t，。：（）的是政府資訊公開報告乾隆覆", "\r\n", "e\u0301", "\u0301", "\ufb01"]
    pool += ["𠀋", "𤑳", "\U0001f600", "\ud800", "ｶﾞ", "\u2460", "㈱"]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in corpus_texts()]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(1000, 1500))) for _ in range(300)]
    texts += ["的" * 1000 + c for c in pool]
    for text in texts:
        assert len(text) >= _LONG
        assert normalize(text) == _normalize_by_strings(text), repr(text[:60])


def test_one_name_is_mentioned_as_the_full_count_says() -> None:
    """`name in Mentions(text)` is `name in mentions(text)`: for every region name printed in the
    corpus texts, with the two-character names after ordinary words, inside longer names and at
    the text's start, and asked again once the full count is made."""
    rng = random.Random(3)
    names = list(R.index().by_name_)
    texts = ["".join(p.read_text(encoding="utf-8", errors="replace").split()) for p in corpus_texts()]
    two = [n for n in names if len(n) == 2]
    texts += [
        "".join(rng.choice([*rng.sample(names, 3), *two[:40], "管理", "的", "1"]) for _ in range(60))
        for _ in range(300)
    ]
    for text in texts:
        full = R.mentions(text)
        asked = {n for n in names if n in text} | set(rng.sample(names, 20))
        lazy = R.Mentions(text)
        assert {n for n in asked if n in lazy} == {n for n in asked if n in full}
        assert lazy.counts == full and {n for n in asked if n in lazy} == {n for n in asked if n in full}


def test_compact_view_drops_what_split_drops() -> None:
    rng = random.Random(5)
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()] + ["\u3000"]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in corpus_texts()[:10]]
    texts += [
        "".join(rng.choice([*spaces, "a", "的", "\ud800", "\U0001f600", "1"]) for _ in range(200)) for _ in range(200)
    ]
    for text in texts:
        doc = Compacted(text)
        assert doc.compact == "".join(text.split())
        assert all(text[doc.origin(i)] == c for i, c in enumerate(doc.compact))


# ---- narrative: the rewritten patterns against the ones they replace ----

_NUMBER = r"(\d+|[零〇一二两三四五六七八九十百]+)"
_RECEIVED_BEFORE = re.compile(
    r"(?:新收到?|收到|接收到?|受理|共受理|共收到)(?:了)?[^。；;，,]{0,12}?"
    r"(?:政府信息公开申请|依申请公开(?:申请|请求)?|信息公开申请)(?:共)?" + _NUMBER + r"\s*(?:件|例|条|个|宗)"
    r"|(?:接收到?|收到)" + _NUMBER + r"\s*(?:件|例|条|个|宗)(?:政府信息公开|依申请公开)"
)
_WORDS = [
    "新收",
    "新收到",
    "收到",
    "接收",
    "接收到",
    "受理",
    "共受理",
    "共收到",
    "了",
    "政府信息公开申请",
    "依申请公开",
]
_WORDS += [
    "依申请公开申请",
    "请求",
    "信息公开申请",
    "共",
    "12",
    "三",
    "十二",
    " ",
    "件",
    "例",
    "宗",
    "政府信息公开",
    "，",
    "。",
]


def test_received_statements_as_the_original_pattern_finds_them() -> None:
    def found(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], str]]:
        return [(m.span(), next(g for g in m.groups() if g is not None)) for m in matches]

    rng = random.Random(3)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in corpus_texts()]
    texts += ["".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 12))) for _ in range(10000)]
    for _ in range(10000):  # statements, with a word or two anywhere
        parts = [
            rng.choice(_WORDS[:8]),
            rng.choice(["", "了", "各类"]),
            rng.choice(_WORDS[9:14]),
            "共" * rng.randint(0, 1),
        ]
        parts += [rng.choice(["12", "三", "十二", "x"]), " " * rng.randint(0, 1), rng.choice(["件", "例", "宗", "份"])]
        for _ in range(rng.randint(0, 2)):
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(_WORDS))
        texts.append("".join(parts))
    statements = 0
    for text in texts:
        expected = found(list(_RECEIVED_BEFORE.finditer(text)))
        assert found(narrative._received(text)) == expected, text
        statements += len(expected)
    assert statements > 1000


# ---- identities: the batch test of the checks and the sum, against `Check.holds` ----


def test_broken_checks_are_those_that_do_not_hold() -> None:
    values = [None, 0.0, 1.0, 1.0 + 1e-12, 2.0, -3.0, float("inf"), float("-inf"), float("nan"), 1e308]
    checks = [Check.of("T3-C", "p", a, b) for a in values for b in values]
    assert broken(checks) == [c for c in checks if c.holds is False]
    assert len(broken(checks)) > 50


def test_total_of() -> None:
    assert total_of([1.0, 2.0, 3.0]) == 6.0 and isinstance(total_of((1, 2)), float)
    assert total_of([1.0, None, 3.0]) is None and total_of(v for v in (None, 1.0)) is None
    assert total_of([]) == 0.0
    with pytest.raises(TypeError):
        total_of([1.0, "2"])  # type: ignore[list-item]


def test_pair_total_is_total_of() -> None:
    values = [None, 0.0, -0.0, 1.0, 2.5, -3.0, 7, float("inf"), float("-inf"), float("nan"), 1e308]
    for a in values:
        for b in values:
            ours, theirs = _total2(a, b), total_of((a, b))
            assert repr(ours) == repr(theirs) and type(ours) is type(theirs), (a, b)


def test_blank_cells_counted_only_where_a_value_is_null() -> None:
    """check_identities counts blank cells (BLANK_CELLS) as the plain count over every cell does."""
    blank, zero, missing = parse_value(""), parse_value("0"), MISSING
    assert blank.value is None and blank.value_class == "blank"

    def t3(cells: tuple) -> TableResult:
        rows = {
            key: RowResult(key, cells if key == "granted" else (zero,) * 7, method=RowMethod.POSITIONAL)
            for key in (r.key for r in V.T3_ROWS["2019"])
        }
        return TableResult(rows, 0, 1, "2019")

    for cells, blanks in (((zero,) * 7, 0), ((blank,) * 2 + (zero,) * 5, 2), ((missing,) * 7, 0)):
        _, issues = check_identities({"table2": None, "table3": t3(cells), "table4": None})
        found = [i.message for i in issues if i.code == IssueCode.BLANK_CELLS]
        assert found == (
            [f"{blanks} cells of 表三/表四 are blank (kept as null, not 0); identities over them are not assessable"]
            if blanks
            else []
        )


@dataclasses.dataclass(frozen=True)
class _PlainIssue:
    """`Issue` as the generated dataclass __init__ and a __post_init__ build it."""

    code: IssueCode
    message: str
    place: str = ""
    table_id: str | None = None
    row_key: str | None = None
    identity: str | None = None
    reported: float | None = None
    recomputed: float | None = None
    delta: float | None = None
    candidates: tuple | None = None
    severity: Severity | None = None

    def __post_init__(self) -> None:
        info = CATALOGUE[IssueCode(self.code)]
        object.__setattr__(self, "code", IssueCode(self.code))
        object.__setattr__(self, "severity", Severity(self.severity or info.severity))
        if self.severity not in info.severities:
            raise ValueError(f"{self.code} is never {self.severity} (catalogue: {info.severities})")


def test_issue_built_as_the_plain_dataclass_builds_it() -> None:
    severities = [None, *Severity, *(str(s) for s in Severity), "fatal"]
    codes = [*IssueCode, "row_not_found", "no_such_code"]
    for code in codes:
        for severity in severities:
            kwargs = {"place": "table3.granted", "row_key": "granted", "reported": 1.0, "severity": severity}
            try:
                plain = dataclasses.asdict(_PlainIssue(code, "m", **kwargs))  # type: ignore[arg-type]
            except ValueError as error:
                with pytest.raises(ValueError) as ours:
                    Issue(code, "m", **kwargs)  # type: ignore[arg-type]
                assert str(ours.value) == str(error)
                continue
            issue = Issue(code, "m", **kwargs)  # type: ignore[arg-type]
            assert dataclasses.asdict(issue) == plain and list(vars(issue)) == list(plain)
            assert type(issue.code) is IssueCode and type(issue.severity) is Severity
    issue = Issue(IssueCode.ROW_NOT_FOUND, "m", "p", "table3", "granted")
    assert dataclasses.replace(issue, message="x").message == "x" and hash(issue) == hash(
        Issue(*dataclasses.astuple(issue))
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.message = "y"  # type: ignore[misc]


_SENTENCES = [
    "本年制定规范性文件5件，废止1件，现行有效15件。",
    "2022年制定规范性文件3件。",
    "2023年作出行政处罚决定120件；",
    "作出行政许可决定20件。",
    "政府集中采购12批次，采购总金额305万元。",
    "较上年增长10%。",
    "规章2件\n",
    "全年未出现行政复议。",
    "2023年\n",
]


def test_other_years_only_take_figures_away() -> None:
    """`table2_issues` looks for the report's year only when the whole prose states a 表二
    figure: leaving out the sentences of other years never adds one, and keeps the others."""
    rng = random.Random(13)
    proses = [p.read_text(encoding="utf-8", errors="replace")[:6000] for p in corpus_texts()]
    proses += ["".join(rng.choice(_SENTENCES) for _ in range(rng.randint(1, 8))) for _ in range(400)]
    kept = 0
    for prose in proses:
        for variant in ("2019", "2021"):
            everywhere = [
                (f.item, f.metric, f.value, f.quote, f.line) for f in narrative.table2_figures(prose, variant)
            ]
            for year in (2022, 2023):
                left = narrative.table2_figures(narrative._this_year(prose, year), variant)
                assert all((f.item, f.metric, f.value, f.quote, f.line) in everywhere for f in left)
                kept += len(left)
    assert kept > 100


def test_page_markers_dropped_as_by_the_whole_pattern() -> None:
    whole = re.compile("|".join(branch for _, branch in layout._INLINE_PAGE_BRANCHES))

    def reference(text: str) -> tuple[str, int]:
        marks = [m for m in whole.finditer(text)]
        count = len(marks)

        def drop(m: re.Match[str]) -> str:
            before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
            return layout.UNREADABLE_MARK if before.isdigit() and after.isdigit() else ""

        return whole.sub(drop, text), count

    rng = random.Random(17)
    pieces = ["第", "页", "共", "3", "12", "123", "1234", " ", "\u3000", "—", "―", "-", "\t", "\n", "，", "/", "许可"]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in corpus_texts()]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    dropped = 0
    for text in texts:
        assert drop_page_markers(text) == reference(text), repr(text)
        dropped += drop_page_markers(text)[1]
    assert dropped > 500
