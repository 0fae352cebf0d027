"""The published reports in ../shared/corpus/real, read in place, against their manifest and the
hand-checked answer keys in ../shared/answers/real. Skipped where that folder is absent."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED, run_refresh

from dagster_project.parsing.files import parse_files, parse_safely
from dagster_project.parsing.records import to_json

CORPUS = SHARED / "corpus" / "real"
KEYS = SHARED / "answers" / "real"
pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").exists(), reason="no real corpus beside the repo")
TEMPLATES = {"2019-format": "2019", "2021-format": "2021", "pre-2019": "pre2019"}


def _manifest() -> list[dict]:
    if not (CORPUS / "MANIFEST.tsv").exists():
        return []
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    """Every corpus report, with the glued 表二 rows decided over the whole corpus (as a refresh)."""
    names = [row["file"] for row in _manifest()]
    reports = dict(zip(names, parse_files([CORPUS / n for n in names], neighbours=False), strict=True))
    return {name: to_json(report) for name, report in reports.items()}


@pytest.mark.parametrize("row", _manifest(), ids=lambda r: r["file"])
def test_every_report_is_read_with_its_year_template_and_agency(parsed, row):
    record = parsed[row["file"]]
    assert record["parse_status"] != "failed"
    assert record["year"] == int(row["year"])
    assert record["template"] == TEMPLATES[row["template"]]
    if record["template"] == "pre2019":
        assert "pre2019_template" in {i["code"] for i in record["issues"]}
    # The agency is right, or the report says why it could not be placed (e.g. an OCR'd name).
    codes = {i["code"] for i in record["issues"]}
    assert record["agency"] == row["agency"] or codes & {"agency_region_unresolved", "agency_not_named"}


def _cells(record: dict, key: dict):
    """(place, expected, got) for every cell the key counts."""
    for field in ("agency", "year", "template"):
        yield field, key[field], record.get(field)
    for row, values in key["table3"].items():
        got = (record.get("table3") or {}).get(row) or [None] * 7
        yield from ((f"table3.{row}[{i}]", v, got[i]) for i, v in enumerate(values))
    got4 = record.get("table4") or [None] * 15
    yield from ((f"table4[{i}]", v, got4[i]) for i, v in enumerate(key["table4"]))
    for item, metrics in key["table2"].items():
        for metric, v in metrics.items():
            yield f"table2.{item}.{metric}", v, ((record.get("table2") or {}).get(item) or {}).get(metric)


@pytest.mark.parametrize("key_path", sorted(KEYS.glob("*.json")) if KEYS.exists() else [], ids=lambda p: p.stem)
def test_no_cell_differs_from_the_answer_key_and_every_gap_is_flagged(parsed, key_path):
    key = json.loads(key_path.read_text(encoding="utf-8"))
    record = parsed[key["file"]]
    wrong = [
        (p, e, g)
        for p, e, g in _cells(record, key)
        if g is not None
        and e is not None
        and (abs(float(g) - float(e)) > 1e-6 if isinstance(e, (int, float)) else g != e)
    ]
    assert wrong == []  # a number the parser gives is the published number
    gaps = [p for p, e, g in _cells(record, key) if g is None and e is not None]
    if gaps:  # a cell left blank is always explained by an issue
        assert any(i["severity"] != "info" for i in record["issues"]), gaps


def test_answer_key_score_through_the_cli():
    """The official scorer over `ogi parse --json`: its figure, and no report silently wrong."""
    ogi = Path(sys.executable).with_name("ogi")
    proc = subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "score_answers.py"),
            "--answers",
            str(KEYS),
            "--files",
            str(CORPUS),
            "--cmd",
            f"{ogi} parse --json",
        ],
        capture_output=True,
        text=True,
    )
    last = proc.stdout.strip().splitlines()[-1]
    right, counted = (int(x) for x in last.split("cells right ")[1].split(" ")[0].split("/"))
    assert right == counted and proc.returncode == 0, proc.stdout
    assert "silently wrong 0" in last, last


def _ogi_parse(*args: str) -> list[dict]:
    ogi = Path(sys.executable).with_name("ogi")
    out = subprocess.run([ogi, "parse", "--json", *args], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def _codes(record: dict, item: str) -> list[str]:
    return [i["code"] for i in record["issues"] if i.get("place", "").startswith(f"table2.{item} ")]


def test_ogi_parse_decides_glued_rows_with_the_neighbouring_year_among_its_files():
    files = [str(CORPUS / "2019_pingtan_zhsyq_1.txt"), str(CORPUS / "2020_pingtan_zhsyq_1.txt")]
    [alone] = _ogi_parse("--alone", files[0])  # 行政许可3960181: only the plausibility rules speak
    assert alone["table2"]["administrative_licensing"] == {"prev_year_items": 396, "change": 0, "decisions": 181}
    assert _codes(alone, "administrative_licensing") == ["cells_chosen_by_plausibility"]
    both = _ogi_parse("--alone", *files)
    assert both[0]["table2"]["administrative_licensing"] == {"prev_year_items": 396, "change": 0, "decisions": 181}
    decided = [i for i in both[0]["issues"] if i["code"] == "cells_decided_across_years"]
    assert {i["identity"] for i in decided} == {"X-3"} and "2020_pingtan_zhsyq_1.txt" in decided[0]["message"]


def test_ogi_parse_reads_the_neighbouring_years_in_the_files_folder():
    """规范性文件8855698 in 2022: X-2 with the 2021 report beside it leaves [88, 55, 698]."""
    name = str(CORPUS / "2022_pingtan_zhsyq_1.txt")
    [record] = _ogi_parse(name)
    assert record["file"] == name
    assert record["table2"]["normative_documents"] == {"issued": 88, "repealed": 55, "in_force": 698}
    [issue] = [i for i in record["issues"] if i["code"] == "cells_decided_across_years"]
    assert issue["identity"] == "X-2" and "2021_pingtan_zhsyq_1.txt" in issue["message"]
    # alone, the report's own text decides it the same way: 制发…88件, 现行有效…698件
    [alone] = _ogi_parse("--alone", name)
    assert alone["table2"]["normative_documents"] == {"issued": 88, "repealed": 55, "in_force": 698}
    assert _codes(alone, "normative_documents") == ["cells_stated_in_text", "cells_decided_by_narrative"]


def test_a_lone_total_lifted_out_of_its_row_is_put_back_only_when_unambiguous(tmp_path):
    """The PDF conversion printed 四、结转下年度's total (1) on a line of its own."""
    source = CORPUS / "2024_shanghai_kw_1.md"
    record = to_json(parse_safely(source))
    assert record["table3"]["carried_forward"] == [1, 0, 0, 0, 0, 0, 1]
    assert [i["place"] for i in record["issues"] if i["code"] == "cell_relocated"] == ["table3.carried_forward.total"]
    # a second lone number in the table: no way to tell which one is the total
    text = source.read_text(encoding="utf-8").replace("| （七）总计 |", "7\n\n| （七）总计 |", 1)
    (tmp_path / source.name).write_text(text, encoding="utf-8")
    record = to_json(parse_safely(tmp_path / source.name))
    assert record["table3"]["carried_forward"][6] is None
    assert "cell_relocated" not in {i["code"] for i in record["issues"]}


PRE2019_FILES = (
    "2012_pingtan_xzf_1.txt",
    "2013_pingtan_dsj_1.txt",
    "2013_pingtan_xzf_1.txt",
    "2017_pingtan_zhsyq_1.txt",
    "2018_pingtan_zhsyq_1.txt",
)


@pytest.fixture(scope="module")
def pingtan_warehouse(manifest, tmp_path_factory) -> Path:
    """One refresh over 平潭's 2019 and 2020 reports and its pre-2019 ones (one dbt build)."""
    import shutil

    root = tmp_path_factory.mktemp("pingtan")
    (root / "raw").mkdir()
    for name in ("2019_pingtan_zhsyq_1.txt", "2020_pingtan_zhsyq_1.txt", *PRE2019_FILES):
        shutil.copy(CORPUS / name, root / "raw" / name)
    assert run_refresh(root).success
    return root / "warehouse" / "ogi.duckdb"


def test_a_refresh_decides_them_across_the_warehouse(pingtan_warehouse):
    import duckdb

    db = pingtan_warehouse
    with duckdb.connect(str(db), read_only=True) as con:

        def cells(item):
            return con.execute(
                """
                select metric_key, value, decided_by from fct_active_disclosure join dim_report using (report_id)
                where file_name = '2019_pingtan_zhsyq_1.txt' and item_key = ? order by metric_order""",
                [item],
            ).fetchall()

        licensing, normative = cells("administrative_licensing"), cells("normative_documents")
        codes = con.execute("""
            select split_part(place, ' ', 1), code from report_quality
            where file_name = '2019_pingtan_zhsyq_1.txt' and place like 'table2.%' and severity <> 'info'
            order by all""").fetchall()
    assert licensing == [("prev_year_items", 396, "X-3"), ("change", 0, "X-3"), ("decisions", 181, "X-3")]
    assert normative == [
        ("new_made", 89, "plausibility"),
        ("new_published", 89, "plausibility"),
        ("total_published", 89, "plausibility"),
    ]
    assert codes == [
        ("table2.administrative_coercion", "cells_chosen_by_plausibility"),
        ("table2.administrative_fees", "cells_decided_across_years"),
        ("table2.administrative_licensing", "cells_decided_across_years"),
        ("table2.administrative_penalty", "cells_decided_across_years"),
        ("table2.centralized_procurement", "cells_ambiguous"),  # 13575394432.52元: projects and amount glued
        ("table2.normative_documents", "cells_chosen_by_plausibility"),
        ("table2.other_external_services", "cells_decided_across_years"),
    ]


def test_a_refresh_stages_the_pre2019_statistics_and_decides_them_across_years(pingtan_warehouse):
    """The 统计表 of the pre-2019 reports reach fct_pre2019_statistics; X-6 over the staged warehouse
    decides the glued 主动公开 pairs (2012↔2013, 2017↔2018), and the long series carries requests
    received on both bases."""
    import duckdb

    with duckdb.connect(str(pingtan_warehouse), read_only=True) as con:
        facts = con.execute("""
            select file_name, indicator_key, this_year, cumulative, status, decided_by
            from fct_pre2019_statistics join dim_report using (report_id)
            where indicator_key in ('proactive_items', 'requests_received', 'replies_granted')
            order by file_name, row_no""").fetchall()
        series = con.execute("""
            select report_year, basis, value, decided_by from fct_disclosure_long_series
            where measure_key = 'requests_received' and agency_name = '平潭综合实验区' order by report_year""").fetchall()
        warnings = con.execute("""
            select file_name, place from report_quality
            where code = 'pre2019_decided_across_years' order by all""").fetchall()
        still_open = con.execute("""
            select count(*) from report_quality
            where code = 'cells_ambiguous' and place like 'pre2019_statistics.%'""").fetchone()
    assert facts == [
        ("2012_pingtan_xzf_1.txt", "proactive_items", 2026, 3542, "decided", "across_years"),
        ("2012_pingtan_xzf_1.txt", "requests_received", 21, 21, "decided", "part_whole"),
        ("2012_pingtan_xzf_1.txt", "replies_granted", 17, 17, "decided", "part_whole"),
        ("2013_pingtan_xzf_1.txt", "proactive_items", 1853, 5395, "decided", "across_years"),
        ("2013_pingtan_xzf_1.txt", "requests_received", 7, 28, "decided", "cumulative_bound"),
        ("2013_pingtan_xzf_1.txt", "replies_granted", 2, 19, "decided", "cumulative_bound"),
        ("2017_pingtan_zhsyq_1.txt", "proactive_items", 2122, 10037, "decided", "across_years"),
        ("2017_pingtan_zhsyq_1.txt", "requests_received", 0, 0, "printed", "printed"),
        ("2017_pingtan_zhsyq_1.txt", "replies_granted", 0, 0, "printed", "printed"),
        ("2018_pingtan_zhsyq_1.txt", "proactive_items", 2069, 12106, "decided", "across_years"),
        ("2018_pingtan_zhsyq_1.txt", "requests_received", 0, 0, "printed", "printed"),
        ("2018_pingtan_zhsyq_1.txt", "replies_granted", 0, 0, "printed", "printed"),
    ]
    assert series == [
        (2017, "pre2019_statistics", 0, "printed"),
        (2018, "pre2019_statistics", 0, "printed"),
        (2019, "2019_form", 23, None),
        (2020, "2019_form", 21, None),
    ]
    assert len(warnings) == 8 and ("2018_pingtan_zhsyq_1.txt", "pre2019_statistics.proactive_items") in warnings
    assert still_open == (0,)


def test_a_row_printed_short_keeps_its_edge_cells_and_says_which_placements_exist(parsed):
    """2025 上海市政府办公厅: 规章's wrapped 废止 cell floated out of the converted table."""
    record = parsed["2025_shanghai_szfbgt_1.md"]
    assert record["table2"]["regulations"] == {"issued": 22, "repealed": None, "in_force": 235}
    assert record["table2"]["normative_documents"] == {"issued": 34, "repealed": None, "in_force": 189}
    [issue] = [i for i in record["issues"] if i["code"] == "row_cut_short" and "regulations" in i["place"]]
    assert [list(c) for c in issue["candidates"]] == [[22, 235, None], [22, None, 235], [None, 22, 235]]
