"""Damage as PDF conversions and crawlers do it, inside the tables: a number is exact or it is
flagged. The mutation fuzz over the keyed reports (`dagster_project.synth.damage`) needs the
answer keys in ../shared; the unit checks below read the seed reports in raw/ and short fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED

from dagster_project.parsing.catalogue import IssueCode, Severity
from dagster_project.parsing.cells import parse_value
from dagster_project.parsing.files import parse_files
from dagster_project.parsing.records import to_json
from dagster_project.synth import damage

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
needs_keys = pytest.mark.skipif(
    not (SHARED / "answers" / "seeds").exists(), reason="no answer keys in ../shared/answers (the fuzz needs them)"
)

CRAWLER_2021 = (
    "某县人民政府办公室2022年政府信息公开工作年度报告\n一、总体情况\n二、主动公开政府信息情况"
    "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件417"
    "第二十条第（五）项信息内容本年处理决定数量行政许可1396"
    "第二十条第（六）项信息内容本年处理决定数量行政处罚30行政强制{coercion}"
    "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0"
    "三、收到和处理政府信息公开申请情况\n"
)
CRAWLER_2019_FEES = (
    "某县人民政府2020年政府信息公开工作年度报告\n二、主动公开政府信息情况"
    "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件335"
    "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费{fees}"
    "第二十条第（九）项信息内容采购项目数量采购总金额（元）政府集中采购263\n"
    "三、收到和处理政府信息公开申请情况\n"
)


def _parse(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    report = parse_files([path], neighbours=False)[0]
    return report, to_json(report)


def _loud(report, table: str, row: str) -> set[str]:
    return {
        i.code
        for i in report.issues
        if i.severity != Severity.INFO and i.table_id == table and i.row_key in (None, row)
    }


def _seed(name: str) -> str:
    return next(RAW.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def test_a_number_split_over_two_lines_is_flagged_not_truncated(tmp_path):
    text = _seed("000").replace("\t规范性文件\n\t71\n\t71\n\t71", "\t规范性文件\n\t7\n1\n\t71\n\t71", 1)
    report, got = _parse(tmp_path, "split.txt", text.encode())
    assert IssueCode.ROW_EXTRA_NUMBERS in _loud(report, "table2", "normative_documents")
    assert got["table2"]["regulations"] == {"new_made": 0, "new_published": 0, "total_published": 0}


def test_a_wrapped_big_number_is_flagged(tmp_path):
    text = _seed("002").replace("\xa0117028", "11\n7028", 1)
    report, _ = _parse(tmp_path, "wrapped.txt", text.encode())
    assert IssueCode.ROW_EXTRA_NUMBERS in _loud(report, "table2", "administrative_penalty")


def test_a_label_printed_twice_and_a_lost_row_are_reported(tmp_path):
    text = _seed("000")
    doubled, _ = _parse(tmp_path, "doubled.txt", text.replace("\t规章\n", "\t规章\n\t规章\n", 1).encode())
    assert IssueCode.ROW_LABEL_REPEATED in _loud(doubled, "table2", "regulations")
    lost, got = _parse(tmp_path, "lost.txt", text.replace("\t行政强制\n", "\n", 1).encode())
    assert "administrative_coercion" not in got["table2"]
    assert IssueCode.ROW_NOT_FOUND in _loud(lost, "table2", "administrative_coercion")


def test_a_leading_zero_run_is_never_one_number(tmp_path):
    report, got = _parse(tmp_path, "zero.txt", CRAWLER_2021.format(coercion="029").encode())
    assert got["table2"]["administrative_coercion"]["decisions"] is None
    assert IssueCode.ROW_UNREADABLE in _loud(report, "table2", "administrative_coercion")
    _, clean = _parse(tmp_path, "clean.txt", CRAWLER_2021.format(coercion="29").encode())
    assert clean["table2"]["administrative_coercion"]["decisions"] == 29


def test_page_markers_inside_a_row_are_dropped_or_flagged(tmp_path):
    _, got = _parse(tmp_path, "p1.txt", CRAWLER_2019_FEES.format(fees="15第7页-15").encode())
    assert got["table2"]["administrative_fees"] == {"prev_year_items": 15, "change": -15}
    _, got = _parse(tmp_path, "p2.txt", CRAWLER_2021.format(coercion="— 23 —29").encode())
    assert got["table2"]["administrative_coercion"]["decisions"] == 29
    glued, _ = _parse(tmp_path, "p3.txt", CRAWLER_2019_FEES.format(fees="1第7页5-15").encode())
    assert IssueCode.ROW_EXTRA_NUMBERS in _loud(glued, "table2", "administrative_fees")


def test_a_stray_byte_in_utf8_keeps_the_report_utf8(tmp_path):
    data = _seed("000").encode()
    at = data.index("行政处罚".encode())
    report, got = _parse(tmp_path, "stray.txt", data[:at] + b"\xff" + data[at:])
    assert report.parse_status != "failed"
    assert IssueCode.ENCODING_UNDECODABLE in {i.code for i in report.issues}
    assert got["table2"]["normative_documents"]["total_published"] == 71
    assert got["table3"]["new_received"][6] == 13


@needs_keys
def test_mutants_of_the_keyed_reports_are_exact_or_flagged():
    """A bounded sample in the default run: every mutation kind over every keyed report."""
    sources = damage.load_sources(SHARED)
    outcomes = damage.run(sources, 400, seed=0)
    kinds = {o.mutant.kind for o in outcomes}
    assert kinds == set(damage.KINDS)
    counts = {c: sum(o.category == c for o in outcomes) for c in damage.CATEGORIES}
    assert counts["exact"] > 0 and counts["flagged"] > 0
    bad = [damage.describe(o, 0) for o in outcomes if o.category == "silently_wrong"]
    assert not bad, "\n".join(bad)


@needs_keys
def test_a_mutant_reading_a_different_number_unflagged_is_silently_wrong():
    """The classifier itself: a damaged number with no issue naming its row is caught."""
    sources = damage.load_sources(SHARED)
    src = next(s for s in sources if s.name.startswith("000"))
    mutant = damage.Mutant(0, src, "test", "manual", text=src.text)
    report = damage.parse_mutant(mutant)
    assert damage.classify(mutant, report).category == "exact"
    assert report.table2 is not None
    row = report.table2.rows["normative_documents"]
    row.cells = (row.cells[0], row.cells[1], parse_value("7"))
    report.issues = [i for i in report.issues if i.table_id != "table2"]
    assert damage.classify(mutant, report).category == "silently_wrong"


@needs_keys
@pytest.mark.slow
def test_thousands_of_mutants_are_exact_or_flagged():
    sources = damage.load_sources(SHARED)
    outcomes = damage.run(sources, 6000, seed=11)
    assert len(outcomes) >= 5000
    bad = [damage.describe(o, 11) for o in outcomes if o.category == "silently_wrong"]
    assert not bad, "\n".join(bad)
