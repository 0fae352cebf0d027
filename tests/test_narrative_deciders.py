"""Glued 表二 rows decided by what the report's own prose states, after the neighbouring years
and before the plausibility rules; plausibility choices that a neighbouring year contradicts;
titles with their words transposed."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

from dagster_project.parsing import vocabulary as V
from dagster_project.parsing.records import frames, to_json
from dagster_project.parsing.report import ParsedReport, parse_text
from dagster_project.parsing.series import decide_staged, link_reports

AGENCY = "铜鼓县人民政府"

# 表二 as crawler text prints it (cells glued to their labels), one sub-table per line.
TABLE2 = {
    "2021": (
        "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件{normative}\n"
        "第二十条第（五）项信息内容本年处理决定数量行政许可3\n"
        "第二十条第（六）项信息内容本年处理决定数量行政处罚{penalty}行政强制0\n"
        "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0\n"
    ),
    "2019": (
        "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件{normative}\n"
        "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可500其他对外管理服务事项000\n"
        "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚000行政强制{coercion}\n"
        "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费00\n"
        "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购{procurement}\n"
    ),
}


def report_text(year: int, prose: str, template: str = "2021", title: str | None = None, **table2: str) -> str:
    """A small report in the canonical layout: title, prose, 表二 glued as crawlers print it,
    表三 and 表四 one row a line with every cell ending in a tab (all zero)."""
    cells = {"normative": "000", "penalty": "0", "coercion": "000", "procurement": "00"} | table2
    table3 = "".join(row.label + "\t" + "0\t" * 7 + "\n" for row in V.T3_ROWS[template])
    table4 = "行政复议\t行政诉讼\t\n" + "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t" * 3 + "\n" + "0\t" * 15 + "\n"
    return (
        f"{title or f'{AGENCY}{year}年政府信息公开工作年度报告'}\n"
        f"一、总体情况\n{prose}\n"
        f"二、主动公开政府信息情况\n{TABLE2[template].format(**cells)}"
        "三、收到和处理政府信息公开申请情况\n"
        f"申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\t\n{table3}"
        f"四、政府信息公开行政复议、行政诉讼情况\n{table4}"
        "五、存在的主要问题及改进情况\n无。\n"
    )


def parsed(text: str, name: str) -> ParsedReport:
    data = text.encode()
    report = ParsedReport(name, f"/reports/{name}", hashlib.sha256(data).hexdigest(), "txt", len(data))
    return parse_text(report, text)


def issues(report: ParsedReport, item: str) -> dict[str, dict]:
    return {i["code"]: i for i in to_json(report)["issues"] if i.get("row_key") == item}


def test_a_glued_row_is_decided_by_the_sentence_that_states_it():
    """行政规范性文件5115 reads [5, 1, 15], [5, 11, 5] or [51, 1, 5]; the text states all three cells."""
    sentence = "本年度制定行政规范性文件5件，废止1件，现行有效15件"
    report = parsed(report_text(2023, f"2023年，{sentence}。", normative="5115"), "a.txt")
    # parsing alone leaves the row open and records what the text says, with the one reading it agrees with
    stated = issues(report, "normative_documents")
    assert set(stated) == {"cells_ambiguous", "cells_stated_in_text"}
    assert stated["cells_stated_in_text"]["severity"] == "info"
    assert stated["cells_stated_in_text"]["candidates"] == ((5, 1, 15),)
    assert "制定行政规范性文件5件" in stated["cells_stated_in_text"]["message"]

    # the deciders of `ogi parse` and of a refresh (over the staged tables) decide it the same way
    tables = frames([report])
    decided = decide_staged(tables["reports"], tables["cells"], tables["issues"])
    assert decided.select("col_key", "value", "identity").rows() == [
        ("issued", 5, "narrative"),
        ("repealed", 1, "narrative"),
        ("in_force", 15, "narrative"),
    ]
    assert link_reports([report]) == 1
    record = to_json(report)
    assert record["table2"]["normative_documents"] == {"issued": 5, "repealed": 1, "in_force": 15}
    decision = issues(report, "normative_documents")
    assert set(decision) == {"cells_stated_in_text", "cells_decided_by_narrative"}
    assert decision["cells_decided_by_narrative"]["identity"] == "narrative"
    assert decision["cells_decided_by_narrative"]["severity"] == "warning"
    message = decision["cells_decided_by_narrative"]["message"]
    assert "[5, 1, 15] is the only one the report's text agrees with" in message
    assert "废止1件" in message and "[5, 11, 5]" in message  # the sentence, and the readings set aside


def test_two_readings_that_agree_with_the_text_leave_the_row_open():
    """The text states only 本年制发 (5): [5, 1, 15] and [5, 11, 5] both agree, and the
    plausibility rules cannot choose between them either."""
    report = parsed(report_text(2023, "2023年，制发行政规范性文件5件。", normative="5115"), "a.txt")
    assert issues(report, "normative_documents")["cells_stated_in_text"]["candidates"] == ((5, 1, 15), (5, 11, 5))
    assert link_reports([report]) == 0
    assert to_json(report)["table2"]["normative_documents"] == {"issued": None, "repealed": None, "in_force": None}
    assert set(issues(report, "normative_documents")) == {"cells_ambiguous", "cells_stated_in_text"}


def test_figures_of_another_year_or_a_change_decide_nothing():
    prose = "2022年，制定行政规范性文件5件，废止1件，现行有效15件。本年度制发数量较上年增加5件。"
    report = parsed(report_text(2023, prose, normative="5115"), "a.txt")
    assert set(issues(report, "normative_documents")) == {"cells_ambiguous"}


def test_the_text_never_overrides_a_printed_value_and_is_flagged_instead():
    """行政处罚1282 has one cell: printed, whatever the text says; the contradiction is a warning."""
    report = parsed(report_text(2023, "2023年，全年作出行政处罚决定1280件。", penalty="1282"), "a.txt")
    link_reports([report])
    assert to_json(report)["table2"]["administrative_penalty"] == {"decisions": 1282}
    [issue] = issues(report, "administrative_penalty").values()
    assert (issue["code"], issue["severity"], issue["identity"]) == ("narrative_table_mismatch", "warning", "X-5")
    assert (issue["reported"], issue["recomputed"]) == (1282, 1280)
    assert "作出行政处罚决定1280件" in issue["message"]
    agreeing = parsed(report_text(2023, "2023年，全年作出行政处罚决定1282件。", penalty="1282"), "b.txt")
    assert issues(agreeing, "administrative_penalty") == {}


@pytest.mark.parametrize(
    "sentence",
    ["完成政府集中采购12批次，采购总金额305000元", "全年政府集中采购金额30.5万元", "政府集中采购项目12个"],
    ids=["batches-and-yuan", "amount-in-wan-yuan", "projects-only"],
)
def test_a_count_glued_to_an_amount_in_yuan_is_split_by_the_text(sentence):
    """政府集中采购12305000元: 12 projects and 305000元 (30.5万元), or 1 and 2305000元, or …"""
    report = parsed(report_text(2020, f"2020年，{sentence}。", "2019", procurement="12305000元"), "a.txt")
    [open_row] = [i for i in report.issues if i.code == "cells_ambiguous"]
    assert (1, 230.5) in open_row.candidates and (12, 30.5) in open_row.candidates
    link_reports([report])
    assert to_json(report)["table2"]["centralized_procurement"] == {"projects": 12, "amount_wan_yuan": 30.5}
    assert issues(report, "centralized_procurement")["cells_decided_by_narrative"]["identity"] == "narrative"


def test_without_a_sentence_the_glued_amount_stays_open():
    report = parsed(report_text(2020, "2020年，加强政府采购信息公开。", "2019", procurement="12305000元"), "a.txt")
    link_reports([report])
    assert to_json(report)["table2"]["centralized_procurement"] == {"projects": None, "amount_wan_yuan": None}
    assert set(issues(report, "centralized_procurement")) == {"cells_ambiguous"}


def test_the_neighbouring_year_decides_before_the_text():
    """规范性文件12315 (2022): X-2 with 2021's 6 in force leaves [12, 3, 15]; the text, which
    states 1 issued and 23 repealed, decides only when the 2021 report is not at hand."""
    prose = "2022年，制发行政规范性文件1件，废止23件。"
    before = parsed(report_text(2021, "2021年。", normative="006"), "2021.txt")

    alone = parsed(report_text(2022, prose, normative="12315"), "2022.txt")
    link_reports([alone])
    assert to_json(alone)["table2"]["normative_documents"] == {"issued": 1, "repealed": 23, "in_force": 15}

    both = parsed(report_text(2022, prose, normative="12315"), "2022.txt")
    link_reports([before, both])
    assert to_json(both)["table2"]["normative_documents"] == {"issued": 12, "repealed": 3, "in_force": 15}
    decision = issues(both, "normative_documents")["cells_decided_across_years"]
    assert decision["identity"] == "X-2"
    assert "the report's text agrees with other readings only" in decision["message"]
    assert "废止23件" in decision["message"]


def test_a_plausibility_choice_the_neighbouring_year_contradicts_is_flagged():
    """行政强制802566 (2019) and 8205 (2020): chosen apart, each by 本年增/减 is 0, they read
    [8, 0, 2566] and [82, 0, 5] — but X-3 then needs 2020's 上一年项目数量 to be 8."""
    reports = [
        parsed(report_text(2019, "2019年。", "2019", coercion="802566"), "2019.txt"),
        parsed(report_text(2020, "2020年。", "2019", coercion="8205"), "2020.txt"),
    ]
    assert link_reports(reports) == 2
    first, second = (to_json(r) for r in reports)
    assert first["table2"]["administrative_coercion"] == {"prev_year_items": 8, "change": 0, "decisions": 2566}
    assert second["table2"]["administrative_coercion"] == {"prev_year_items": 82, "change": 0, "decisions": 5}
    for report, other in ((reports[0], "2020.txt (2020)"), (reports[1], "2019.txt (2019)")):
        [issue] = issues(report, "administrative_coercion").values()
        assert (issue["code"], issue["severity"], issue["identity"]) == (
            "choice_contradicted_across_years",
            "warning",
            "plausibility",
        )
        assert f"breaks X-3 with {other}" in issue["message"]
    # the staged decisions say the same: decided_by stays plausibility, the issue is the warning
    tables = frames([parsed(report_text(2019, "2019年。", "2019", coercion="802566"), "2019.txt")])
    tables2 = frames([parsed(report_text(2020, "2020年。", "2019", coercion="8205"), "2020.txt")])
    staged = {k: pl.concat([tables[k], tables2[k]]) for k in tables}
    decided = decide_staged(staged["reports"], staged["cells"], staged["issues"])
    assert set(decided["identity"]) == {"plausibility"}
    assert set(decided["code"]) == {"choice_contradicted_across_years"}


@pytest.mark.parametrize(
    "title",
    [
        f"{AGENCY}2021年政府信息工作公开年度报告",
        f"2021年{AGENCY}政府信息工作公开年度报告",
        f"{AGENCY}2021年度政府工作信息公开年度报告",
    ],
    ids=["信息工作公开", "year-first", "工作信息公开"],
)
def test_a_title_with_its_words_transposed_still_gives_agency_and_year(title):
    report = parsed(report_text(2021, "本报告统计期限为2021年1月1日至2021年12月31日。", title=title), "a.txt")
    assert (report.agency_name, report.year) == (AGENCY, 2021)
    assert report.agency is not None and report.agency.region_code == "360926"
    assert not {i.code for i in report.issues} & {"year_inferred", "agency_not_named"}
