"""The text path's shortcuts give what the general code gives, on ordinary and awkward input."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from dagster_project.parsing import cells, metadata, narrative, regions, tables
from dagster_project.parsing import vocabulary as V
from dagster_project.parsing.catalogue import RowMethod
from dagster_project.parsing.cells import (
    clear_caches,
    parse_value,
    printed_cells,
    row_candidates,
    row_sum_check,
    split_at_space,
    tokenize,
    unread_lines,
)
from dagster_project.parsing.layout import canonical, fold_lines
from dagster_project.parsing.report import parse_file
from dagster_project.parsing.tables import agreed_cells, extract_table4
from dagster_project.parsing.text import Compacted, normalize

REAL = Path("/work/shared/corpus/real")

LAYOUTS = [
    "行政许可\t12\t0\t3\n行政处罚\t0\t0\t0\n",  # tab rows: already canonical
    "行政许可801000081行政处罚0000000",  # crawler text
    "收到申请\n\t1\n\t0\n\t2\n下一行\n",  # one cell per line, indented by a tab
    "| 行政许可 | 1 | 2 |\n| --- | --- | --- |\n",  # Markdown
    "行政许可 |\n1 |\n|\n2 |\n",  # a cell per line, each ending in a pipe
    "第3页\n行政许可\t1\n— 4 —\n",  # page-number lines
    "数字|　\n行政许可\t1\t \n\x1c\t1\n",  # a pipe before wide / odd whitespace
    "\t\n\t\t\n|\n",
    "",
]


@pytest.mark.parametrize("text", LAYOUTS)
def test_canonical_matches_the_line_by_line_fold(text):
    assert canonical(text) == fold_lines(text, pages=True)


def test_canonical_leaves_tab_rows_and_crawler_text_as_they_are():
    assert canonical(LAYOUTS[0]) is LAYOUTS[0]
    assert canonical("收到申请\n\t1\n\t0\n") == "收到申请\n1\t0\t\n"


@pytest.mark.parametrize(
    "segment,width,cells",
    [
        ("\t0\t0\t0\t0\t0\t0\t0\t\n", 7, ["0", "0", "0", "0", "0", "0", "0"]),
        ("\t12 3\t4\t", 3, ["12", "3", "4"]),  # one cell holding two numbers: two cells
        ("\t12 件\t4\t", 2, ["12 件", "4"]),  # a space inside a cell that is not two numbers
        ("\t1\u30002\t", 2, ["1", "2"]),  # an ideographic space splits the same as a space
        ("\t\xa0\t5\t", 2, ["", "5"]),  # a no-break space alone is a blank cell
        ("\n\t3\t4\t", 2, ["3", "4"]),  # values on the line below the label
        ("801000081", 7, ["801000081"]),
        ("3无0", 3, ["3", "无", "0"]),
        ("15-15", 2, ["15", "-15"]),
    ],
)
def test_cells_of_a_row_text(segment, width, cells):
    clear_caches()
    assert tokenize(segment, width) == cells
    assert tokenize(segment, width) == cells  # the cached reading is the same
    assert printed_cells(segment, width) == tuple(cells)


def test_long_row_texts_are_read_without_the_cache():
    long = "\t" + "\t".join(["1"] * 300) + "\t"
    assert tokenize(long, 300) == ["1"] * 300
    assert unread_lines(long + "\n7\t", 300) == "7"


def test_table4_header_words_printed_together_and_one_reading():
    # 行政复议, 结果 and 维持 run together: no text between them, no cell
    doc = Compacted(normalize("四、行政复议结果维持\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12\t13\t14\t15\t\n五、"))
    table = extract_table4(doc)
    assert table is not None
    assert [c.value for c in table.rows["review"].cells] == [1, 2, 3, 4, 5]
    assert [c.value for c in table.rows["litigation_after_review"].cells] == [11, 12, 13, 14, 15]
    assert agreed_cells([table.rows["review"].cells], 5) == table.rows["review"].cells


# The patterns as first written (a look-behind first), against the rewritten ones.
_GROUPS_BEFORE = {
    "granted": re.compile(r"(?<![不部分])予以公开" + narrative._NUMBER + r"\s*件"),
    "partially_granted": re.compile(r"(?<![及和与、或])部分公开" + narrative._NUMBER + r"\s*件"),
}
_YEAR_IN_TEXT_BEFORE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
_TITLE_YEAR_BEFORE = re.compile(r"(?<![\d\[(])((?:19|20)\d\d)\s*年(?!\d*号)")

PROSE = [
    "本年度予以公开12件，部分公开3件，不予公开1件。",
    "不予以公开2件；部予以公开4件；及部分公开5件、或部分公开6件；予以公开及部分公开42件。",
    "予以公开十二件。部分公开两件",
    "本年新收到政府信息公开申请13件，上年结转2件。共受理了依申请公开申请7件。收到5件政府信息公开申请。",
    "收到收到政府信息公开申请1件，新收政府信息公开申请，共收到政府信息公开申请３件",
    "2023年与2024年相比，2019 年\n2020\n年，12024年，〔2022〕年，(2021年)，2018年3号，١٩٩٩年",
    "",
]


@pytest.mark.parametrize("prose", PROSE)
def test_rewritten_patterns_find_what_the_original_ones_found(prose):
    def spans(matches):
        return [(m.span(), m.groups()) for m in matches]

    for topic, before in _GROUPS_BEFORE.items():
        assert spans(narrative._GROUPS[topic].finditer(prose)) == spans(before.finditer(prose))
    assert spans(narrative._YEAR_IN_TEXT.finditer(prose)) == spans(_YEAR_IN_TEXT_BEFORE.finditer(prose))
    assert spans(metadata._YEAR.finditer(prose)) == spans(_TITLE_YEAR_BEFORE.finditer(prose))
    assert spans(narrative._received(prose)) == spans(narrative._RECEIVED.finditer(prose))


def test_statements_of_the_prose():
    found = [(s.topic, s.number) for s in narrative.statements(PROSE[0] + PROSE[3])]
    assert found == [("received", 13), ("received", 7), ("received", 5), ("granted", 12),
                     ("partially_granted", 3), ("withheld", 1)]  # fmt: skip


def _this_year_by_sentence(prose: str, year: int | None) -> str:
    """The sentence-by-sentence definition `narrative._this_year` implements."""
    if year is None:
        return prose
    return "".join(
        s if all(int(y) == year for y in _YEAR_IN_TEXT_BEFORE.findall(s)) else re.sub(r"[^\n]", " ", s)
        for s in re.split(r"(?<=[。！？!?\n])", prose)
    )


@pytest.mark.parametrize("prose", [*PROSE, "2023年制发规范性文件5件！2024年废止2件？现行有效9件\n2023年", "2023"])
@pytest.mark.parametrize("year", [None, 2023, 2024])
def test_sentences_of_another_year_are_blanked(prose, year):
    assert narrative._this_year(prose, year) == _this_year_by_sentence(prose, year)


def test_sentences_of_another_year_keep_their_length_and_line_breaks():
    prose = "2023年制发规范性文件5件。\n2024年废止2件。现行有效9件"
    assert narrative._this_year(prose, 2024) == " " * 15 + "\n2024年废止2件。现行有效9件"


def test_narrative_figures_need_their_words():
    figures = narrative.table2_figures("本年制发规范性文件5件，废止2件。作出行政许可决定12件。今年共有13人。", "2021")
    assert [(f.item, f.metric, f.value) for f in figures] == [
        ("normative_documents", "issued", 5.0),
        ("normative_documents", "repealed", 2.0),
        ("administrative_licensing", "decisions", 12.0),
    ]


def test_a_report_parses_the_same_with_and_without_cached_readings():
    path = REAL / "2024_pingtan_zhsyq_1.txt"
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    clear_caches()
    first = parse_file(path)
    again = parse_file(path)  # now every row text, cell and reading is a cache hit
    assert again.table3 == first.table3 and again.table4 == first.table4 and again.table2 == first.table2
    assert again.issues == first.issues and again.checks == first.checks
    assert first.table3 is not None and first.table3.rows["new_received"].cells[6].value is not None


# --- The table readers: rows printed the common way are read at once -------------------------

REPO = Path(__file__).resolve().parent.parent


def _general_t3_row(seg: str, next_number: str, lead: bool):
    """A 表三 row's text read by the general steps: trimmed, split into cells, read."""
    values, leftover = tables._trimmed_values(seg, next_number)
    tokens = printed_cells(values, 7)
    reading = row_candidates(tokens, 7, tables._COUNTS7, row_sum_check, separated="\t" in values, lead_blank=lead)
    return values, leftover, tokens, reading.candidates, reading.method, reading.fallbacks, unread_lines(values, 7)


T3_CLEAN = [
    ("\t13\t0\t0\t0\t0\t0\t13\t\n\n\t\t2.", "2"),  # tabs, then the next label's numbering
    ("\t0\t0\t0\t0\t0\t0\t0\t\n\n\t\t12.", "12"),
    ("\t\t3\t0\t0\t0\t0\t0\t3\n\t", ""),  # a blank merged cell before the values
    ("\t7\t0\t0\t0\t0\t0\t7\t\t四、", ""),  # a padding cell, then the next section's numbering
    ("\t\t\t2\t0\t0\t0\t0\t0\t2\n二、", ""),
    ("0000000", ""),  # crawler text: one digit per cell
    ("10000012.", "2"),
    (" 1 0 0 0 0 0 1 3.", "3"),  # space-separated
    ("\t\t\t\t\t\t\t\t\n\n\t\t3.", "3"),  # blank cells only
    ("\t\t", ""),
]
T3_AWKWARD = [
    ("\t05\t0\t0\t0\t0\t0\t5\t", ""),  # a leading zero: no number is printed so
    ("\t1\t0\t0\t0\t0\t0\t1\t\n\n\t\t2、", "2"),  # 、 after a number is not the general trimming's numbering
    ("\t1\t0\t0\t0\t0\t0\t1\t\n\t\t3.", "2"),  # a numbering other than the next row's
    ("\t\t14\t0\t0\t0\t0\t14\t", ""),  # six values after a blank cell
    ("100000012.", "2"),  # more digits than cells: several cuts
    ("\t1\t0\t0\t0\t0\t0\t1 \t", ""),  # a space inside a cell
    ("\t1\t0\t0\t0\t0\t0\t1\t\n5", ""),  # a number on the next line, unread
    ("\t1\t0\t0\t0\t0\t0\t2\t(", ""),  # a character no value holds
    ("\t", ""),  # no cell at all
]


@pytest.mark.parametrize("seg,next_number", T3_CLEAN)
def test_table3_rows_read_at_once_as_the_general_steps_read_them(seg, next_number):
    clear_caches()
    fast = tables._clean_row(seg, next_number)
    assert fast is not None
    values, tokens, cells, method = fast
    for lead in (False, True):
        assert _general_t3_row(seg, next_number, lead) == (values, "", tokens, [cells], method, [], "")


@pytest.mark.parametrize("seg,next_number", T3_AWKWARD)
def test_awkward_table3_rows_are_left_to_the_general_steps(seg, next_number):
    assert tables._clean_row(seg, next_number) is None


def test_table3_rows_read_at_once_on_generated_texts():
    rng = random.Random(7)
    shapes = 0
    for _ in range(4000):
        values = [rng.choice(["0", "0", "1", "13", "05"]) for _ in range(rng.choice([6, 7, 7, 7]))]
        sep = rng.choice(["\t", "\t", " ", ""])
        seg = (
            rng.choice(["\t", "\t\t", "", " ", "\t\t\t"])
            + (sep.join(values) if rng.random() < 0.9 else "\t" * rng.randint(0, 9))
            + rng.choice(["\t", "", "\t\t", " "])
            + rng.choice(["", "\n", "\n\n\t\t", " \n"])
            + rng.choice(["", "2.", "12.", "四、", "2、", "\t2.", "5"])
            + rng.choice(["", "\n", "\t"])
        )
        next_number = rng.choice(["", "2", "12"])
        fast = tables._clean_row(seg, next_number)
        if fast is None:
            continue
        shapes += 1
        values_text, tokens, cells, method = fast
        for lead in (False, True):
            assert _general_t3_row(seg, next_number, lead) == (values_text, "", tokens, [cells], method, [], ""), seg
    assert shapes > 100  # the generator does reach the fast path


T2_COLUMNS = [
    (("count", "count", "count"), (None, None, None)),
    (("count", "signed", "count"), (None, None, None)),
    (("count", "money"), (None, "元")),
    (("money",), (None,)),
]
T2_ROWS = [
    "\t0\t0\t0\t\n\n",
    "\t52\t增1\t\n\n",
    "\t1030\t35339.15万元\t\n\n\n",
    "\t无\t/\t0\t",
    "\t+5\t0\t3\t",
    "\t12\t",
    "\t39732\t\t\n",  # padded with blank cells
    "\t\t0\t0\t\n",
    "\t\t\t5\t\t\t",
]
T2_LEFT = ["\t0\t0\t", "\t1\t2\t3\t4\t", "\t0\t0万\t元\t", "\t1 2\t3\t4\t", "123", "\t1\t2\t3\t\n4", "\t1\t二\t3\t"]


@pytest.mark.parametrize("seg", T2_ROWS + T2_LEFT)
@pytest.mark.parametrize("columns", T2_COLUMNS, ids=lambda c: "-".join(c[0]))
def test_table2_rows_read_at_once_as_the_general_steps_read_them(seg, columns):
    clear_caches()
    kinds, units = columns
    fast = tables._clean_t2_row(seg, columns)
    values, leftover = tables._trimmed_values(seg, "")
    tokens = tokenize(values, len(kinds))
    reading = row_candidates(tokens, len(kinds), kinds, None, separated="\t" in values, units=units)
    if fast is None:  # left to the general steps (tested with the tables below)
        assert seg in T2_LEFT or len(reading.candidates) != 1 or "" in tokens or len(tokens) != len(kinds)
        return
    cells, method, signed = fast
    assert (reading.candidates, reading.method, leftover, unread_lines(values, len(kinds))) == ([cells], method, "", "")
    assert not split_at_space(values, len(kinds))
    assert signed == tuple(j for j, c in enumerate(cells) if kinds[j] != "signed" and c.raw[0] in "增减+")


def test_table2_rows_printed_the_common_way_are_read_at_once():
    cells, method, signed = tables._clean_t2_row("\t52\t增1\t\n\n", (("count", "signed"), (None, None)))
    assert [c.value for c in cells] == [52.0, 1.0] and (method, signed) == (RowMethod.POSITIONAL, ())
    cells, method, signed = tables._clean_t2_row("\t1030\t35339.15万元\t\n\n\n", T2_COLUMNS[2])
    assert [c.value for c in cells] == [1030.0, 35339.15] and signed == ()
    assert tables._clean_t2_row("\t+5\t0\t3\t", T2_COLUMNS[0])[2] == (0,)  # a sign in a count column
    cells, method, signed = tables._clean_t2_row("\t39732\t\t\n", T2_COLUMNS[3])  # a padding cell after it
    assert [c.value for c in cells] == [39732.0] and method == RowMethod.TRIMMED
    for seg in T2_LEFT:
        assert tables._clean_t2_row(seg, T2_COLUMNS[0]) is None


def _general_tables(monkeypatch):
    """Make the table readers take the general steps for every row and label."""
    monkeypatch.setattr(tables, "_clean_row", lambda seg, number: None)
    monkeypatch.setattr(tables, "_clean_t2_row", lambda seg, columns: None)
    monkeypatch.setattr(tables, "_TWO_TABS", re.compile(""))  # 表四: read every gap between header words
    monkeypatch.setattr(
        tables,
        "_t3_labels",
        lambda doc, variant, start, end, fuzzy: tables._reanchor(
            doc, V.T3_ROWS[variant], tables._find_rows(doc, V.T3_ROWS[variant], start, end, fuzzy=fuzzy)
        ),
    )


def _both_ways(read, monkeypatch):
    """`read()` with the fast reads, then with the general steps only (caches emptied before each)."""
    clear_caches()
    fast = read()
    with monkeypatch.context() as m:
        _general_tables(m)
        clear_caches()
        return fast, read()


# the five samples (tab-separated rows, blank rows, a merged label column) and crawler text (glued, spaced)
SAMPLES = sorted((REPO / "raw").glob("*.txt")) + sorted(REAL.glob("202[0-5]_pingtan_*_1.txt"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_reports_parse_the_same_with_the_general_table_steps(path, monkeypatch):
    fast, general = _both_ways(lambda: parse_file(path), monkeypatch)
    assert fast.table3 is not None and fast.table2 is not None
    assert (fast.table3, fast.table2, fast.table4) == (general.table3, general.table2, general.table4)
    assert fast.issues == general.issues and fast.checks == general.checks


TABLE3_LAYOUTS = {
    "tabs": "\t{}\t0\t0\t0\t0\t0\t{}\t\n",
    "padded": "\t\t{}\t0\t0\t0\t0\t0\t{}\t\t\n",
    "spaced": " {} 0 0 0 0 0 {}\n",
}


@pytest.mark.parametrize("layout", TABLE3_LAYOUTS)
@pytest.mark.parametrize("variant", ["2019", "2021"])
def test_a_table3_read_at_once_is_the_table_the_general_steps_read(layout, variant, monkeypatch):
    # received 5 + carried over 1 = handled 4 + carried forward 2; handled = granted 3 + partly 1
    values = {"new_received": 5, "carried_over": 1, "granted": 3, "partially_granted": 1, "total_handled": 4}
    values["carried_forward"] = 2
    text = "三、收到和处理政府信息公开申请情况\n" + "".join(
        f"{row.label}{TABLE3_LAYOUTS[layout].format(values.get(row.key, 0), values.get(row.key, 0))}"
        for row in V.T3_ROWS[variant]
    )
    doc = Compacted(normalize(text + "四、政府信息公开行政复议、行政诉讼情况\n"))
    fast, general = _both_ways(lambda: tables.extract_table3(doc), monkeypatch)
    assert fast == general
    assert fast is not None and fast.variant == variant
    assert [c.value for c in fast.rows["new_received"].cells] == [5, 0, 0, 0, 0, 0, 5]
    assert fast.rows["carried_forward"].cells[6].value == 2


_T4_HEAD = (
    "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\t\n\n"
    "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉\t\n\n"
    "\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t\n\n"
)
TABLE4_LAYOUTS = {
    "tabs": _T4_HEAD + "5\t4\t24\t3\t36\t0\t0\t13\t2\t15\t0\t1\t0\t2\t3\t\n\n五、存在的主要问题",
    "spaced values": _T4_HEAD + "5 4 24 3 36 0 0 13 2 15 0 1 0 2 3\n五、存在的主要问题",
    # separators only between the header words: the digits are not cut
    "glued values": _T4_HEAD.rstrip("\t\n") + "\n100010000000000\n五、",
    "crawler": "四、行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉"
    "复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计25380363300630003五、",
    "blank cells between header words": _T4_HEAD.replace("总计\t未经", "总计\t\t未经") + "0\t" * 15 + "\n五、",
}


@pytest.mark.parametrize("layout", TABLE4_LAYOUTS)
def test_a_table4_read_at_once_is_the_table_the_general_steps_read(layout, monkeypatch):
    doc = Compacted(normalize(TABLE4_LAYOUTS[layout]))
    fast, general = _both_ways(lambda: extract_table4(doc), monkeypatch)
    assert fast == general and fast is not None
    if layout == "tabs":
        assert [c.value for c in fast.rows["litigation_direct"].cells] == [0, 0, 13, 2, 15]


def _distribute_as_first_written(tokens, width, max_digits, amount_last=False):
    """`cells._distribute` before it skipped the cuts of a token the tokens after it cannot follow."""
    splits: dict = {}
    memo: dict = {}

    def rec(i, left):
        if (i, left) in memo:
            return memo[(i, left)]
        out = []
        if i == len(tokens):
            out = [()] if left == 0 else []
            memo[(i, left)] = out
            return out
        tok = tokens[i]
        remaining = len(tokens) - i - 1
        sign, digits = (tok[0], tok[1:]) if tok[:1] in "+-" else ("", tok)
        amount = cells._AMOUNT_RUN.match(tok) if amount_last and not remaining else None
        if amount and len(amount.group(1)) > 1:
            run = amount.group(1)
            whole = [] if run.startswith("0") else [(tok,)]
            for k in range(1, min(len(run), left) + 1):
                for cut in cells._amount_splits(run, tok[len(run) :], k, max_digits, splits) if k > 1 else whole:
                    out.extend(cut + rest for rest in rec(i + 1, left - k))
        elif digits.isdigit() and len(digits) > 1:
            for k in range(1, min(len(digits), left - remaining) + 1):
                for cut in cells._splits(digits, k, max_digits, splits):
                    out.extend((sign + cut[0],) + cut[1:] + rest for rest in rec(i + 1, left - k))
        elif left >= 1:
            out.extend((tok,) + rest for rest in rec(i + 1, left - 1))
        memo[(i, left)] = out
        return out

    return rec(0, width)


def test_glued_digits_are_cut_as_first_written():
    rng = random.Random(3)
    for _ in range(200):
        tokens = [
            rng.choice(["0", "1", "-2", "+3", "无", "/"])
            + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 8)))
            for _ in range(rng.randint(1, 4))
        ]
        if rng.random() < 0.3:
            tokens[-1] += rng.choice(["万元", ".5", "元"])
        width, amount_last = rng.randint(1, 15), rng.random() < 0.3
        assert cells._distribute(tokens, width, 7, amount_last) == _distribute_as_first_written(
            tokens, width, 7, amount_last
        ), (tokens, width)
    assert cells._distribute(["25380363300630003"], 15, 7)  # 表四 in crawler text: cut, and fast


def test_plain_whole_numbers_read_as_the_general_steps_read_them():
    for raw in ["0", "7", "10", "123456", "1" * 20]:
        for kind in ("count", "signed", "money"):
            cell, general = parse_value(raw, kind), parse_value(f" {raw}", kind)  # a space: the general steps
            assert (cell.raw, cell.value, cell.value_class) == (raw, general.value, general.value_class)
    assert parse_value("05").value_class == "text" and parse_value("٣").value == 3.0  # not plain ASCII: general


def _mentions_as_first_written(text: str) -> Counter:
    """`regions.mentions` scanning for the suffix characters with a character-class pattern."""
    idx = regions.index()
    found: Counter = Counter()
    for m in re.compile(f"[{idx.anchors}]").finditer(text, 1):
        end = m.end()
        for n in idx.ends.get(text[end - 2 : end], ()):
            if n > end:
                continue
            name = text[end - n : end]
            if name in idx.by_name_:
                if n == 2 and end > 2 and regions._CJK.match(text[end - 3]) and text[end - 3] not in "省市县区州盟旗":
                    break
                found[name] += 1
                break
    return found


@pytest.mark.parametrize("path", SAMPLES[:5], ids=lambda p: p.name)
def test_region_mentions_are_found_as_first_written(path):
    text = Compacted(normalize(path.read_text(encoding="utf-8"))).compact
    for probe in (text, "县" + text[:300] + "市", "平潭县平潭县朝阳区管理县", "区", ""):
        got = regions.mentions(probe)
        assert got == _mentions_as_first_written(probe) and list(got) == list(_mentions_as_first_written(probe))


def _lost_cell_readings_as_first_written(shorter, width, kinds, units, row_check):
    """`cells._lost_cell_readings` before it read each printed piece once per column it can fill."""
    found: dict = {}
    for printed in shorter:
        for gap in range(width):
            pieces = list(printed[:gap]) + [None] + list(printed[gap:])
            row = [parse_value(p, kinds[j], units[j]) if p is not None else cells.MISSING for j, p in enumerate(pieces)]
            others = [c.value for i, c in enumerate(row) if i != gap]
            if None in others:
                continue
            value = sum(others) if gap == width - 1 else others[-1] - sum(others[:-1])
            if value < 0:
                continue
            row[gap] = cells.Cell(None, float(value), "number", reconstructed=True)
            if row_check([c.value for c in row]) is not False:
                found.setdefault(tuple(c.value for c in row), tuple(row))
    return list(found.values())


def test_a_lost_cell_is_solved_as_first_written():
    rng = random.Random(5)
    for _ in range(300):
        width, check = rng.choice([(7, row_sum_check), (15, cells.block_sum_check)])
        printed = [rng.choice(["0", "0", "1", "2", "5", "12", "", "无", "/", "x"]) for _ in range(width - 1)]
        kinds, units = ("count",) * width, (None,) * width
        assert cells._lost_cell_readings([printed], width, kinds, units, check) == _lost_cell_readings_as_first_written(
            [printed], width, kinds, units, check
        ), printed
    readings = cells._lost_cell_readings([["3", "0", "0", "0", "0", "0"]], 7, kinds[:7], units[:7], row_sum_check)
    assert [c.value for c in readings[-1]] == [3, 0, 0, 0, 0, 0, 3] and readings[-1][6].reconstructed


def test_the_staged_cells_frame_holds_exactly_the_cell_rows():
    """records.frames builds the cells table from tuples; it must equal cell_rows, row for row."""
    import polars as pl

    from dagster_project.parsing.files import parse_files
    from dagster_project.parsing.records import cell_rows, frames
    from dagster_project.parsing.schema import CELLS

    raw = Path(__file__).resolve().parent.parent / "raw"
    reports = list(parse_files(sorted(p for p in raw.iterdir() if p.is_file())))
    built = frames(reports)["cells"]
    expected = pl.DataFrame([c for r in reports for c in cell_rows(r)], schema=CELLS, orient="row")
    assert built.height > 900 and built.schema == expected.schema
    assert built.equals(expected)
