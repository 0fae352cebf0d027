"""The plausibility rules for glued 表二 rows that no identity decides."""

from dagster_project.parsing.plausibility import choose


def test_2019_documents_take_the_equal_cells():
    readings = [(8, 9, 8989), (8, 98, 989), (8, 989, 89), (89, 8, 989), (89, 89, 89), (898, 9, 89)]  # 898989
    values, rules = choose("2019", "normative_documents", readings)
    assert values == (89, 89, 89)
    assert rules == ["对外公开总数 includes this year's 本年新公开", "本年新制作 equals 本年新公开"]


def test_2019_items_prefer_no_change_within_the_bounds():
    # 行政强制126025
    readings = [(1, 2, 6025), (1, 260, 25), (12, 60, 25), (126, 0, 25), (1260, 2, 5)]
    assert choose("2019", "administrative_coercion", readings)[0] == (126, 0, 25)
    # 72171051: the one no-change reading has 51 decisions for 72171 items — out of bounds
    readings = [(7, 2, 171051), (72, 17, 1051), (721, 7, 1051), (72171, 0, 51)]
    assert choose("2019", "administrative_licensing", readings) is None
    # a change that would take the count below zero is out, whatever else holds
    assert choose("2019", "administrative_fees", [(1, -24), (12, -4)]) == (
        (12, -4),
        ["本年增/减 does not take the item count below zero"],
    )


def test_2021_documents_in_force_includes_this_years():
    assert choose("2021", "normative_documents", [(5, 0, 66), (50, 6, 6)])[0] == (5, 0, 66)
    assert choose("2021", "normative_documents", [(13, 0, 55), (1, 30, 55), (1, 305, 5), (130, 5, 5)])[0] == (13, 0, 55)


def test_the_rules_abstain_when_several_readings_stay_plausible():
    assert choose("2021", "normative_documents", [(2, 4, 33), (2, 43, 3)]) is None
    assert choose("2019", "administrative_fees", [(1, 24), (12, 4)]) is None
    assert choose("2019", "centralized_procurement", [(26, 304.2532), (2630, 4.2532)]) is None  # no rules
    assert choose("2019", "normative_documents", [(89, 89, 89)]) is None  # nothing to choose
