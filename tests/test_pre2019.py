"""The statistics table of pre-2019 reports (政府信息公开情况统计表): the four real reports that
print one (crawler text, the two columns run together), a tab-layout table written here, the
bounds and the neighbouring year (X-6) that cut glued digits, and the contract around them.

The values asserted for the real reports were established by reading the files: each glued run
was cut by hand and checked against the report's prose (2012: 21 requests, 17 granted, 2026 items;
2013: 1853 items, 1713 on the internet; 2017: 2122 items; 2018: 2069 items) and across years
(2013's 历年累计 5395 = 3542 + 1853; 2018's 12106 = 10037 + 2069)."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from conftest import REPO, SHARED

from dagster_project.parsing.files import parse_files, parse_safely
from dagster_project.parsing.pre2019_series import SeriesTable, decide_pairs
from dagster_project.parsing.pre2019_vocabulary import INDICATORS, match_indicator
from dagster_project.parsing.records import frames, to_json
from dagster_project.parsing.schema import PRE2019_STATISTICS, TABLES

CORPUS = SHARED / "corpus" / "real"
needs_corpus = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").exists(), reason="no real corpus beside the repo")


def _rows(record: dict) -> dict[str, dict]:
    return {r["indicator_key"]: r for r in record["statistics"] if "indicator_key" in r}


def _pair(record: dict, key: str) -> tuple:
    row = _rows(record)[key]
    return row["this_year"], row["cumulative"], row["status"], row.get("decided_by")


def _alone(name: str) -> dict:
    return to_json(parse_files([CORPUS / name], neighbours=False)[0])


def _together(*names: str) -> list[dict]:
    return [to_json(r) for r in parse_files([CORPUS / n for n in names], neighbours=False)]


def _codes(record: dict, key: str) -> list[str]:
    return [i["code"] for i in record["issues"] if i.get("row_key") == key]


# -- the real reports -------------------------------------------------------------------------------
@needs_corpus
def test_2012_glued_pairs_are_cut_where_part_le_whole_decides_and_the_rest_stays_open():
    record = _alone("2012_pingtan_xzf_1.txt")
    rows = _rows(record)
    assert len(record["statistics"]) == 17 and len(rows) == 17
    # 受理依申请公开信息总数条2121: 2/121 or 21/21; 当面申请数 (1818: 1/818 or 18/18) fits only 21/21
    assert _pair(record, "requests_received") == (21, 21, "decided", "part_whole")
    assert rows["requests_received"]["raw_text"] == "2121" and rows["requests_received"]["unit"] == "条"
    assert _pair(record, "requests_in_person") == (18, 18, "decided", "part_whole")
    assert _pair(record, "requests_email") == (3, 3, "printed", "printed")
    assert _pair(record, "replies_total") == (21, 21, "decided", "part_whole")
    assert _pair(record, "replies_granted") == (17, 17, "decided", "part_whole")
    assert _pair(record, "replies_partly_granted") == (2, 2, "printed", "printed")
    assert _pair(record, "replies_refused") == (2, 2, "printed", "printed")
    assert _pair(record, "proactive_gazette") == (0, 7, "printed", "printed")  # 07: 0 and 7
    assert _pair(record, "review_cases") == (0, 0, "printed", "printed")
    assert _pair(record, "appeal_cases") == (0, 0, "printed", "printed")
    # 主动公开信息数条20263542 with 网站公开条17953304: two readings keep every bound
    items = rows["proactive_items"]
    assert (items["this_year"], items["cumulative"], items["status"]) == (None, None, "open")
    assert items["candidates"] == [[202, 63542], [2026, 3542]]
    [issue] = [i for i in record["issues"] if i["code"] == "cells_ambiguous" and i["row_key"] == "proactive_items"]
    assert issue["table_id"] == "pre2019_statistics" and issue["severity"] == "error"
    assert [list(c) for c in issue["candidates"]] == [[202, 63542], [2026, 3542]]
    assert rows["proactive_website"]["candidates"] == [[179, 53304], [1795, 3304]]
    assert rows["proactive_website"]["indicator"] == "其中:1.网站公开"


@needs_corpus
def test_2013_cumulative_bound_cuts_and_item_numbers_glued_to_values():
    record = _alone("2013_pingtan_xzf_1.txt")
    assert _pair(record, "requests_received") == (7, 28, "decided", "cumulative_bound")  # 728: 72/8 < bound
    assert _pair(record, "requests_in_person") == (0, 18, "printed", "printed")  # 0182.传真: 018 and item 2
    assert _pair(record, "requests_email") == (3, 6, "printed", "printed")
    assert _pair(record, "requests_online") == (4, 4, "printed", "printed")
    assert _pair(record, "replies_total") == (3, 24, "decided", "cumulative_bound")
    assert _pair(record, "replies_granted") == (2, 19, "decided", "cumulative_bound")
    assert _pair(record, "replies_partly_granted") == (1, 3, "printed", "printed")
    assert _pair(record, "replies_refused") == (0, 2, "printed", "printed")
    assert _rows(record)["proactive_items"]["candidates"] == [[1, 8535395], [18, 535395], [185, 35395], [1853, 5395]]
    [split] = [i for i in record["issues"] if i["code"] == "pre2019_pairs_split"]
    assert "受理依申请公开信息总数 728 → [7, 28] (cumulative_bound)" in split["message"]


@needs_corpus
def test_the_neighbouring_year_decides_what_the_bounds_leave_open():
    y2012, y2013 = _together("2012_pingtan_xzf_1.txt", "2013_pingtan_xzf_1.txt")
    assert _pair(y2012, "proactive_items") == (2026, 3542, "decided", "across_years")
    assert _pair(y2012, "proactive_website") == (1795, 3304, "decided", "across_years")
    assert _pair(y2013, "proactive_items") == (1853, 5395, "decided", "across_years")
    assert _pair(y2013, "proactive_website") == (1713, 5017, "decided", "across_years")
    assert _codes(y2013, "proactive_items") == ["pre2019_decided_across_years"]
    [issue] = [
        i for i in y2013["issues"] if i["code"] == "pre2019_decided_across_years" and i["row_key"] == "proactive_items"
    ]
    assert issue["identity"] == "X-6" and "2012_pingtan_xzf_1.txt (2012)" in issue["message"]
    assert "cells_ambiguous" not in {i["code"] for r in (y2012, y2013) for i in r["issues"]}


@needs_corpus
def test_2017_and_2018_decide_each_other():
    alone = _alone("2017_pingtan_zhsyq_1.txt")  # 主动公开文件数条212210037: four readings
    assert _rows(alone)["proactive_items"]["candidates"] == [[2, 12210037], [21, 2210037], [212, 210037], [2122, 10037]]
    assert _codes(alone, "proactive_items") == ["cells_ambiguous"]
    y2017, y2018 = _together("2017_pingtan_zhsyq_1.txt", "2018_pingtan_zhsyq_1.txt")
    assert _pair(y2017, "proactive_items") == (2122, 10037, "decided", "across_years")
    assert _pair(y2017, "proactive_website") == (2122, 10037, "decided", "across_years")
    assert _pair(y2018, "proactive_items") == (2069, 12106, "decided", "across_years")
    assert _pair(y2018, "proactive_website") == (2069, 12106, "decided", "across_years")
    keys = [r.get("indicator_key") for r in y2018["statistics"]]
    assert keys == [
        "proactive_items",
        "proactive_website",
        "proactive_gazette",
        "requests_received",
        "requests_in_person",
        "requests_online",
        "requests_letter_fax",
        "replies_total",
        "replies_granted",
        "replies_partly_granted",
        "replies_refused",
        "replies_other",
        "complaints_and_reports",
        "review_cases",
        "litigation_cases",
    ]
    assert all((r["this_year"], r["cumulative"]) == (0, 0) for r in y2018["statistics"][2:])
    assert [r["unit"] for r in y2018["statistics"][-3:]] == ["件", "件", "件"]
    assert _rows(y2017)["requests_received"]["indicator"] == "受理政府信息依申请公开总数"


@needs_corpus
def test_ogi_parse_reads_the_neighbouring_year_from_the_files_folder():
    [report] = parse_files([CORPUS / "2018_pingtan_zhsyq_1.txt"])  # 2017 is read beside it, not returned
    assert _pair(to_json(report), "proactive_items") == (2069, 12106, "decided", "across_years")


@needs_corpus
def test_a_narrative_only_report_says_it_has_no_table():
    record = _alone("2013_pingtan_dsj_1.txt")
    assert record["template"] == "pre2019" and record["statistics"] == []
    assert "pre2019_table_not_found" in {i["code"] for i in record["issues"]}


# -- a table printed cell by cell -----------------------------------------------------------------------
TAB_TABLE = """某县人民政府2016年政府信息公开工作年度报告
六、政府信息公开情况统计表
指标名称\t计量单位\t2016年度\t历年累计\t
一、主动公开情况\t\t\t\t
主动公开政府信息数\t条\t1,520\t9870\t
其中:1.政府网站公开数\t条\t1400\t9000\t
2.政府公报公开数\t条\t无\t12\t
受理依申请公开信息总数\t件\t30\t210\t
其中:1.当面申请数\t件\t12\t\t
2.网上申请数\t件\t31\t150\t
行政复议数量\t件\t5\t3\t
依申请公开信息收取的费用\t万元\t0.5\t1.25\t
政务公开满意度测评次数\t次\t2\t7\t
报告结束。
"""


def test_a_tab_layout_table_is_read_cell_by_cell_and_its_broken_bounds_flagged(tmp_path):
    path = tmp_path / "2016_tab.txt"
    path.write_text(TAB_TABLE, encoding="utf-8")
    record = to_json(parse_safely(path))
    got = [
        (r.get("indicator_key"), r["indicator"], r.get("unit"), r["this_year"], r["cumulative"], r["status"])
        for r in record["statistics"]
    ]
    assert got == [
        ("proactive_items", "主动公开政府信息数", "条", 1520, 9870, "printed"),
        ("proactive_website", "其中:1.政府网站公开数", "条", 1400, 9000, "printed"),
        ("proactive_gazette", "2.政府公报公开数", "条", 0, 12, "printed"),  # 无 is 0
        ("requests_received", "受理依申请公开信息总数", "件", 30, 210, "printed"),
        ("requests_in_person", "其中:1.当面申请数", "件", 12, None, "printed"),  # a blank stays null
        ("requests_online", "2.网上申请数", "件", 31, 150, "printed"),  # 31 > 30 received: flagged
        ("review_cases", "行政复议数量", "件", 5, 3, "printed"),  # cumulative below this year: flagged
        ("fees_charged", "依申请公开信息收取的费用", "万元", 0.5, 1.25, "printed"),
        (None, "政务公开满意度测评次数", "次", 2, 7, "printed"),
    ]
    assert record["statistics"][0]["place"] == "line 5"
    broken = {i["row_key"]: i["message"] for i in record["issues"] if i["code"] == "pre2019_bound_broken"}
    assert set(broken) == {"requests_online", "review_cases"}
    assert "more than its whole requests_received" in broken["requests_online"]
    assert "below this year's" in broken["review_cases"]
    [unknown] = [i for i in record["issues"] if i["code"] == "pre2019_indicator_unknown"]
    assert "政务公开满意度测评次数" in unknown["message"]


def test_a_one_column_table_has_no_cumulative_and_a_fraction_in_a_count_is_not_read(tmp_path):
    text = "统计指标\t单位\t统计数\t\n收到申请数\t件\t8\t\n当面申请数\t件\t2.5\t\n申请答复数\t件\t8\t\n"
    path = tmp_path / "2015_one_column.txt"
    path.write_text("某局2015年政府信息公开工作年度报告\n" + text, encoding="utf-8")
    rows = _rows(to_json(parse_safely(path)))
    assert (rows["requests_received"]["this_year"], rows["requests_received"]["cumulative"]) == (8, None)
    assert rows["requests_in_person"]["status"] == "unreadable"
    assert rows["replies_total"]["this_year"] == 8
    tables = frames([parse_safely(path)])["pre2019_statistics"]
    assert tables["has_cumulative"].to_list() == [False, False, False]


def test_a_glued_item_number_that_is_not_the_next_one_is_not_guessed(tmp_path):
    # after 1.当面申请数 the numbering expects 2; "…条337.网上" cannot tell the value from the number
    text = "指标名称计量单位本年度历年累计受理依申请公开信息总数条3939其中:1.当面申请数条337.网上申请数条00"
    path = tmp_path / "2014_glued.txt"
    path.write_text("某县2014年政府信息公开工作年度报告\n" + text, encoding="utf-8")
    record = to_json(parse_safely(path))
    rows = _rows(record)
    assert rows["requests_received"]["candidates"] == [[3, 939], [39, 39]]  # no part decides it
    assert rows["requests_in_person"]["status"] == "unreadable"
    assert (rows["requests_online"]["this_year"], rows["requests_online"]["cumulative"]) == (0, 0)
    assert "pre2019_row_unreadable" in _codes(record, "requests_in_person")


def test_space_separated_cells_markers_and_a_table_that_stops_being_readable(tmp_path):
    text = (
        "指标名称 计量单位 本年度 历年累计\n主动公开信息数 条 12 40\n受理依申请公开信息总数 件 无 5\n"
        "行政复议数 件 - -\n行政诉讼数量 件 1,2\n举报投诉数量 件 1,520 9,870\n注: 数据截至年底。行政申诉数 件 3 3\n"
    )
    path = tmp_path / "2011_spaced.txt"
    path.write_text("某县2011年政府信息公开工作年度报告\n" + text, encoding="utf-8")
    record = to_json(parse_safely(path))
    got = [(r["indicator_key"], r["this_year"], r["cumulative"], r["status"]) for r in record["statistics"]]
    assert got == [
        ("proactive_items", 12, 40, "printed"),
        ("requests_received", 0, 5, "printed"),  # 无 is 0
        ("review_cases", None, None, "printed"),  # - is "not applicable": no number
        ("litigation_cases", None, None, "unreadable"),  # 1,2: a comma that separates no thousands
        ("complaints_and_reports", 1520, 9870, "printed"),  # 1,520 9,870: thousands separators
    ]
    assert "pre2019_row_unreadable" in _codes(record, "litigation_cases")
    [stop] = [i for i in record["issues"] if i["code"] == "pre2019_row_unreadable" and "row_key" not in i]
    assert "after 举报投诉数量" in stop["message"] and "行政申诉数件3 3" in stop["message"]


# -- the pieces ---------------------------------------------------------------------------------------------
def _table(report, year, domains, opened, parents=None):
    return SeriesTable(report, "某县人民政府", year, domains, parents or {}, set(opened))


def test_x6_decides_only_when_the_years_agree_and_then_the_bounds_propagate():
    before = _table("a", 2016, {"proactive_items": [(2122, 10037)]}, [])
    after = _table(
        "b",
        2017,
        {
            "proactive_items": [(20, 6912106), (206, 912106), (2069, 12106)],
            "proactive_website": [(206, 912106), (2069, 12106)],
        },
        ["proactive_items", "proactive_website"],
        {"proactive_website": "proactive_items"},
    )
    decided = {(d.report, d.key): d.values for d in decide_pairs([before, after])}
    # 12106 = 10037 + 2069; then 网站公开 ≤ 主动公开 leaves one reading of the website row too
    assert decided == {("b", "proactive_items"): (2069, 12106), ("b", "proactive_website"): (2069, 12106)}
    # a year apart, or readings that never fit (a restarted count): nothing is decided
    far = _table("c", 2015, {"proactive_items": [(2122, 10037)]}, [])
    assert (
        decide_pairs([far, _table("d", 2017, {"proactive_items": [(2, 12106), (2069, 12106)]}, ["proactive_items"])])
        == []
    )
    restart = _table("e", 2017, {"proactive_items": [(2, 69), (26, 9)]}, ["proactive_items"])
    assert decide_pairs([_table("f", 2016, {"proactive_items": [(5, 100)]}, []), restart]) == []


def test_labels_match_one_indicator_in_their_section():
    assert match_indicator("其中:1、政府网站公开数", None).key == "proactive_website"
    assert match_indicator("(一)维持具体行政行为数", "review_cases").key == "review_upheld"
    assert match_indicator("(一)维持具体行政行为数", "litigation_cases").key == "litigation_upheld"
    assert match_indicator("主动公开政府信息数(不同渠道和方式公开相同信息计1条)", None).key == "proactive_items"
    assert match_indicator("信函、传真申请数", None).key == "requests_letter_fax"
    assert match_indicator("其中:被依法纠错数", None) is None  # review or litigation: not said


def test_the_seed_lists_every_indicator_of_the_vocabulary():
    with (REPO / "dbt" / "seeds" / "ref_pre2019_indicator_map.csv").open(encoding="utf-8") as f:
        seed = {r["indicator_key"]: r for r in csv.DictReader(f)}
    assert list(seed) == [i.key for i in INDICATORS]
    for i in INDICATORS:
        assert (seed[i.key]["parent_key"] or None, seed[i.key]["is_money"] == "true") == (i.parent, i.is_money)
    measures = {r["measure_key"]: r["indicator_key"] for r in seed.values() if r["measure_key"]}
    assert measures["requests_received"] == "requests_received"
    assert seed["requests_received"]["form2019_row_keys"] == "new_received"


def test_the_staging_table_follows_the_contract():
    assert TABLES["pre2019_statistics"] is PRE2019_STATISTICS
    frame = frames([])["pre2019_statistics"]
    assert frame.schema == pl.Schema(PRE2019_STATISTICS)
    sources = (REPO / "dbt" / "models" / "staging" / "_sources.yml").read_text(encoding="utf-8")
    assert "OGI_PARTS_PRE2019_STATISTICS" in sources
    for column in PRE2019_STATISTICS:
        assert f"{{name: {column}," in sources.split("- name: pre2019_statistics")[1].split("- name: decisions")[0]


@needs_corpus
def test_staged_rows_carry_the_open_readings():
    frame = frames([parse_safely(CORPUS / "2018_pingtan_zhsyq_1.txt")])["pre2019_statistics"]
    first = frame.row(0, named=True)
    assert (first["indicator_key"], first["status"], first["this_year"], first["raw_text"]) == (
        "proactive_items",
        "open",
        None,
        "206912106",
    )
    assert first["candidates"] == [[20.0, 6912106.0], [206.0, 912106.0], [2069.0, 12106.0]]
    assert frame.filter(pl.col("status") == "printed")["decided_by"].unique().to_list() == ["printed"]
