"""Reading cells: values as printed, and identity-checked splitting of run-together digits."""

from __future__ import annotations

import pytest

from dagster_project.parsing.cells import block_sum_check, parse_value, row_candidates, row_sum_check, tokenize
from dagster_project.parsing.layout import canonical
from dagster_project.parsing.text import Compacted, normalize


@pytest.mark.parametrize(
    "raw,kind,value,cls",
    [
        ("12", "count", 12, "number"),
        ("", "count", None, "blank"),
        ("无", "count", 0, "none"),
        ("/", "count", None, "none"),
        ("减77992", "signed", -77992, "number"),
        ("增12997", "signed", 12997, "number"),
        ("+5", "signed", 5, "number"),
        ("-26", "signed", -26, "number"),
        ("4.48亿", "money", 44800, "number"),
        ("35339.15万元", "money", 35339.15, "number"),
        ("1,234", "count", 1234, "number"),
        ("见附件", "count", None, "text"),
    ],
)
def test_parse_value(raw, kind, value, cls):
    cell = parse_value(raw, kind)
    assert cell.value == (pytest.approx(value) if value is not None else None) and cell.value_class == cls


def test_money_in_yuan_normalizes_to_wan_yuan():
    assert parse_value("251000元", "money").value == pytest.approx(25.1)
    assert parse_value("251000", "money", "元").value == pytest.approx(25.1)


def test_run_together_row_is_split_by_the_row_sum():
    reading = row_candidates(tokenize("801000081", 7), 7, ("count",) * 7, row_sum_check)
    assert [[c.value for c in cand] for cand in reading.candidates] == [[80, 1, 0, 0, 0, 0, 81]]


def test_ambiguous_run_keeps_every_candidate():
    reading = row_candidates(tokenize("110100012", 7), 7, ("count",) * 7, row_sum_check)
    values = sorted(tuple(c.value for c in cand) for cand in reading.candidates)
    assert values == [(1, 1, 0, 10, 0, 0, 12), (1, 10, 1, 0, 0, 0, 12), (11, 0, 1, 0, 0, 0, 12)]


def test_table4_seventeen_digits_use_the_block_totals():
    reading = row_candidates(tokenize("10203120001200000", 15), 15, ("count",) * 15, block_sum_check)
    assert [[c.value for c in cand] for cand in reading.candidates] == [[1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]]


def test_separated_cells_are_never_recut():
    reading = row_candidates(["14", "0", "0", "0", "0", "14"], 7, ("count",) * 7, row_sum_check, separated=True)
    assert reading.method == "missing_cell"
    assert {tuple(c.value for c in cand) for cand in reading.candidates} >= {(14, 0, 0, 0, 0, 0, 14)}


def test_structural_blanks_are_trimmed_but_data_blanks_kept():
    assert [
        c.value_class
        for c in row_candidates(["5", "3", "", "", "", "", ""], 7, ("count",) * 7, row_sum_check).candidates[0]
    ] == ["number"] * 2 + ["blank"] * 5


def test_layouts_become_one_canonical_form():
    tabcell = "\t行政许可\n\t807\n\t+5\n\t15787\n\n\t其他对外管理\n服务事项\n\t102\n"
    assert [ln for ln in canonical(tabcell).split("\n") if ln] == [
        "行政许可\t807\t+5\t15787\t",
        "其他对外管理服务事项\t102\t",
    ]
    pipe = "规章 |\n0 |\n|\n3 |\n"
    assert canonical(pipe) == "规章\t0\t\t3\t\n"


def test_compacted_maps_back_to_the_original():
    doc = Compacted(normalize("三 、 本 年\n度\t结果"))
    i = doc.compact.index("本年度")
    assert doc.text[doc.origin(i)] == "本" and doc.line_of(i + 2) == 2


def test_glued_run_one_digit_short_is_solved_by_the_row_sum():
    """`0 00000`: seven cells printed as six digits; every placement of the lost cell gives the
    same row, so it is reconstructed (and marked so)."""
    reading = row_candidates(tokenize("0 00000", 7), 7, ("count",) * 7, row_sum_check)
    assert reading.method == "missing_cell"
    assert [[c.value for c in cand] for cand in reading.candidates] == [[0] * 7]
    assert sum(c.reconstructed for c in reading.candidates[0]) == 1


def test_glued_run_short_by_one_stays_open_when_placements_disagree():
    reading = row_candidates(tokenize("110002", 7), 7, ("count",) * 7, row_sum_check)
    assert len({tuple(c.value for c in cand) for cand in reading.candidates}) > 1


def test_ambiguous_readings_keep_only_the_cells_they_agree_on():
    from dagster_project.parsing.tables import agreed_cells

    reading = row_candidates(tokenize("2648-18538", 3), 3, ("count", "signed", "count"))
    cells = agreed_cells(reading.candidates, 3)
    assert [c.value for c in cells] == [2648, None, None]
    assert [c.value_class for c in cells] == ["number", "missing", "missing"]


def test_glued_none_markers_are_one_cell_each():
    reading = row_candidates(tokenize("无无无无无无无", 7), 7, ("count",) * 7, row_sum_check)
    assert [[c.value_class for c in cand] for cand in reading.candidates] == [["none"] * 7]
    assert tokenize("3无0", 3) == ["3", "无", "0"]


def test_a_run_with_one_possible_cut_is_read_even_when_its_row_sum_breaks():
    """Seven digits for seven cells: the printed numbers, whatever the total says."""
    reading = row_candidates(tokenize("0000001", 7), 7, ("count",) * 7, row_sum_check)
    assert [[c.value for c in cand] for cand in reading.candidates] == [[0, 0, 0, 0, 0, 0, 1]]


def test_a_row_that_lost_a_cell_is_completed_only_when_the_printed_reading_breaks_the_columns():
    from dagster_project.parsing.solver import resolve_table3

    def row(*values):
        return row_candidates([str(v) for v in values], 7, ("count",) * 7, row_sum_check)

    grid = {
        "new_received": row(3, 0, 0, 0, 0, 0, 3),
        "carried_over": row(0, 0, 0, 0, 0, 0, 0),
        "granted": row(3, 0, 0, 0, 0, 0, 3),
        "total_handled": row(0, 0, 0, 0, 0, 3, ""),  # natural person lost, blank padding at the end
        "carried_forward": row(0, 0, 0, 0, 0, 0, 0),
    }
    printed = {k: r.candidates for k, r in grid.items()}
    resolved = resolve_table3(printed, ("granted",), {k: r.fallbacks for k, r in grid.items()})
    assert [c.value for c in resolved.chosen["total_handled"]] == [3, 0, 0, 0, 0, 0, 3]
    # Without the column evidence the printed reading (with its blank) stands.
    alone = resolve_table3(
        {"total_handled": printed["total_handled"]}, ("granted",), {"total_handled": grid["total_handled"].fallbacks}
    )
    assert [c.value for c in alone.chosen["total_handled"]] == [0, 0, 0, 0, 0, 3, None]


def test_page_numbers_of_converted_pdfs_are_dropped_but_bare_numbers_stay():
    text = "行政事业性收费 0\n— 4 —\n第 5 页 共 9 页\n- 6 -\n1\n"
    assert canonical(text).split("\n") == ["行政事业性收费 0", "1", ""]


def test_a_number_split_in_two_is_rejoined_only_where_the_row_sum_confirms_it():
    reading = row_candidates(["1", "2", "0", "0", "0", "0", "0", "12"], 7, ("count",) * 7, row_sum_check)
    assert reading.method == "rejoined"
    assert [[c.value for c in cand] for cand in reading.candidates] == [[12, 0, 0, 0, 0, 0, 12]]
    assert row_candidates(["1", "2", "0", "0", "0", "0", "0", "7"], 7, ("count",) * 7, row_sum_check).candidates == []
