"""The parser on the five built-in samples: every cell exactly as published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dagster_project.parsing.records import to_json
from dagster_project.parsing.report import parse_file

REPO = Path(__file__).resolve().parent.parent
EXPECTED = sorted((REPO / "tests" / "fixtures" / "expected").glob("*.json"))


def parsed(name: str) -> dict:
    return to_json(parse_file(REPO / "raw" / name))


@pytest.mark.parametrize("key_path", EXPECTED, ids=lambda p: p.stem)
def test_every_cell_matches_the_published_report(key_path):
    key = json.loads(key_path.read_text(encoding="utf-8"))
    got = parsed(key["file"])
    assert (got["agency"], got["year"], got["template"]) == (key["agency"], key["year"], key["template"])
    assert got["table3"] == key["table3"]
    assert got["table4"] == key["table4"]
    for item, metrics in key["table2"].items():
        assert got["table2"][item] == pytest.approx(metrics, abs=1e-6), item


def codes(record: dict) -> set[str]:
    return {i["code"] for i in record["issues"]}


def test_jinzhai_values_a_user_checks():
    r = parsed("002_27a7349fbee7f2fc.txt")
    assert r["agency"] == "金寨县人民政府" and r["year"] == 2020
    assert r["table3"]["new_received"][6] == 23 and r["table3"]["granted"][6] == 16
    assert r["table2"]["administrative_licensing"] == {"prev_year_items": 156353, "change": -77992, "decisions": 78361}
    assert r["table2"]["centralized_procurement"]["amount_wan_yuan"] == pytest.approx(35339.15)
    assert r["quality_status"] == "consistent" and r["issues"] == []


def test_gaoan_city_government_review_block_and_narrative_conflict():
    r = parsed("004_d3f24f9ede323c01.txt")
    assert r["agency"] == "高安市人民政府"  # the title names only the city
    assert r["table4"][:5] == [5, 4, 24, 3, 36]
    assert r["table2"]["centralized_procurement"]["amount_wan_yuan"] == pytest.approx(44800)  # 4.48亿
    conflict = [i for i in r["issues"] if i["code"] == "narrative_table_mismatch"]
    assert conflict and "不予公开1件" in conflict[0]["message"]
    assert conflict[0]["recomputed"] == 1 and conflict[0]["reported"] == 0


def test_unnamed_town_report_keeps_blanks_and_flags_the_text_conflict():
    r = parsed("001_3e7c7203fb80667c.txt")
    assert r["agency"] is None and "agency_not_named" in codes(r)
    assert r["table3"]["granted"] == [None] * 7  # blank, never 0
    assert r["table3"]["new_received"] == [0] * 7
    assert r["table2"]["centralized_procurement"] == {"projects": 24, "amount_wan_yuan": None}
    assert r["quality_status"] == "not_assessable"
    conflict = [i for i in r["issues"] if i["code"] == "narrative_table_mismatch"]
    assert conflict and conflict[0]["recomputed"] == 2 and conflict[0]["reported"] == 0


def test_lost_cells_are_reconstructed_only_with_a_recorded_issue():
    r = parsed("003_2baf5ee0490418e5.txt")
    assert r["agency"] == "郏县人民政府"  # 郟县 in the source
    assert r["table3"]["granted"] == [14, 0, 0, 0, 0, 0, 14]
    rebuilt = [i for i in r["issues"] if i["code"] == "cell_reconstructed"]
    assert len(rebuilt) == 21  # every outcome row lost one cell
    assert r["quality_status"] == "consistent"


def test_reconstructed_cells_are_marked_in_staging_rows():
    from dagster_project.parsing.records import cell_rows

    rows = cell_rows(parse_file(REPO / "raw" / "003_2baf5ee0490418e5.txt"))
    rebuilt = [r for r in rows if r["is_reconstructed"]]
    assert len(rebuilt) == 21 and all(r["raw_text"] is None and r["value"] == 0 for r in rebuilt)


def test_a_misspelled_label_is_matched_approximately_and_said_so(tmp_path):
    text = (REPO / "raw" / "002_27a7349fbee7f2fc.txt").read_text(encoding="utf-8")
    typo = text.replace("没有现成信息需要另行制作", "没有现存信息需另行制作")  # two slips in one label
    (tmp_path / "typo.txt").write_text(typo, encoding="utf-8")
    r = to_json(parse_file(tmp_path / "typo.txt"))
    assert r["table3"] == parsed("002_27a7349fbee7f2fc.txt")["table3"]
    fuzzy = [i for i in r["issues"] if i["code"] == "label_fuzzy_match"]
    assert len(fuzzy) == 1 and "没有现存信息需另行制作" in fuzzy[0]["message"]
