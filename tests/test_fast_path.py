"""The text path's shortcuts give what the general code gives, on ordinary and awkward input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dagster_project.parsing import metadata, narrative
from dagster_project.parsing.cells import clear_caches, printed_cells, tokenize, unread_lines
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
