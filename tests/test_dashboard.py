"""The analysts' dashboard: its queries against a real warehouse built from the samples, and
the Streamlit app in headless Chromium — every page, a report's cell provenance, and a refresh
published while the page is open."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, REPO, copy_samples, playwright_or_skip, run_refresh

from dagster_project.connect import connect
from dagster_project.dashboard import bench, detail, queries
from dagster_project.dashboard.filters import Filters
from dagster_project.dashboard.form import Form

LATER = "003_"  # 郏县人民政府 2021 (14 received): published by the refresh made while the page is open
JINZHAI = "金寨县人民政府"


@pytest.fixture(scope="module")
def root(tmp_path_factory, manifest) -> Path:
    """A warehouse built by a real refresh from the samples but one (LATER)."""
    root = tmp_path_factory.mktemp("dash")
    raw = root / "raw"
    raw.mkdir()
    copy_samples(raw)
    (raw / next(p.name for p in raw.iterdir() if p.name.startswith(LATER))).unlink()
    assert run_refresh(root).success
    return root


@pytest.fixture
def con(root):
    c = connect(root / "warehouse" / "ogi.duckdb")
    yield c
    c.close()


def test_overview_counts_the_samples(con):
    tot = queries.overview_totals(con, Filters()).row(0, named=True)
    assert (tot["n_reports"], tot["n_agencies"], tot["received"], tot["handled"]) == (4, 4, 37, 37)
    assert (tot["consistent"], tot["inconsistent"], tot["not_assessable"]) == (3, 0, 1)
    by_year = queries.overview_by_year(con, Filters())
    assert by_year.select("report_year", "n_reports", "received").rows() == [(2019, 1, 1.0), (2020, 3, 36.0)]
    # 宜兴 2020 leaves its 办理总计 blank: summed as blank, never as 0, and counted
    assert by_year.filter(report_year=2020)["handled_blank"].item() == 1


def test_filters_are_parameters(con):
    anhui = Filters(provinces=("340000",), years=(2020,), templates=("2019",))
    assert queries.overview_totals(con, anhui)["received"].item() == 23
    assert queries.overview_totals(con, Filters(years=(2031,)))["n_reports"].item() == 0
    hostile = "'; drop table dim_report; --"
    assert detail.find_agencies(con, hostile).is_empty()
    assert detail.find_reports(con, hostile).is_empty()
    assert queries.overview_totals(con, Filters(kinds=(hostile,)))["n_reports"].item() == 0
    assert con.execute("select count(*) from dim_report").fetchone() == (4,)
    with pytest.raises(ValueError):
        Filters().where("r; select 1")


def test_leaderboard_shows_numerator_and_denominator(con):
    top = queries.leaderboard(con, Filters(), "disclosure", 1)
    row = top.filter(agency_name=JINZHAI).row(0, named=True)
    assert (row["report_year"], row["numerator"], row["denominator"]) == (2020, 16, 23)
    assert row["value"] == pytest.approx(16 / 23)
    assert top["value"].to_list() == sorted(top["value"].to_list(), reverse=True)
    review = queries.leaderboard(con, Filters(), "review_correction", 1)
    assert review.select("agency_name", "numerator", "denominator").rows() == [("高安市人民政府", 4, 36)]
    assert queries.leaderboard(con, Filters(), "received", 1)["value"].max() == 23


def test_outcomes_split_groups_leaves_and_applicants(con):
    cube, labels = queries.outcome_cube(con), queries.outcome_labels(con)
    assert queries.outcome_matrix(cube, labels, Filters(provinces=("410000",))).is_empty()  # 郏县 comes later
    matrix = queries.outcome_matrix(cube, labels, Filters(years=(2020,)))
    groups = dict(queries.outcome_groups(matrix).select("group_label_zh", "requests").rows())
    assert groups == {"予以公开": 19, "部分公开": 2, "不予公开": 2, "无法提供": 8, "不予处理": 5, "其他处理": 0}
    leaves = queries.outcome_leaves(matrix)
    assert leaves.filter(outcome_key="withheld_query_matter")["requests"].item() == 2
    by_applicant = queries.outcome_by_applicant(matrix)
    assert by_applicant.filter(applicant_class="自然人")["requests"].sum() == 36  # 2020: 23 + 13 + 0
    assert by_applicant.filter(applicant_class="法人或其他组织")["requests"].sum() == 0


def test_regions_keep_the_two_bases_apart(con):
    provinces = queries.regions(con, (), "province")
    anhui = provinces.filter(region_name="安徽省").row(0, named=True)
    assert (anhui["own_n_reports"], anhui["own_received"], anhui["agg_n_reports"]) == (1, 23, None)
    counties = queries.regions(con, (2020,), "county", "341500")
    assert counties.select("region_name", "own_received").rows() == [("金寨县", 23.0)]


def test_one_agency_and_its_report(con):
    agency_id = detail.find_agencies(con, "金寨")["agency_id"].item()
    wide = detail.series_wide(detail.agency_series(con, agency_id))
    assert wide.filter(metric="一、本年新收")["2020"].item() == 23
    assert wide.filter(metric="（一）予以公开")["2020"].item() == 16
    assert detail.cross_year_checks(con, agency_id).is_empty()  # one year only
    report_id = detail.agency_years(con, agency_id)["report_id"].item()
    cells = detail.report_cells(con, report_id)
    received = cells.filter(table_id="table3", row_key="new_received", col_key="total").row(0, named=True)
    assert (received["value"], received["raw_text"], received["decided"]) == (23, "23", "printed")
    assert received["row_label"] == "本年新收政府信息公开申请数量"
    labels = detail.form_labels(con, detail.report_header(con, report_id)["table2_format"].item())
    html = Form(report_id, cells).table3(labels["outcomes"], labels["applicants"])
    assert 'data-cell="table3.new_received.total"' in html and "（三）不予公开" in html
    assert "（六）其他处理" in html  # the 2019 layout's single row


def test_form_escapes_report_text(con):
    cells = detail.report_cells(con, "none").vstack(
        detail.report_cells(con, detail.find_reports(con, "金寨")["report_id"].item()).head(1)
    )
    cells = cells.with_columns(cells["raw_text"].str.replace(r"^.*$", "<script>x</script>"))
    html = Form("r", cells).td(cells["table_id"][0], cells["row_key"][0], cells["col_key"][0])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_quality_pages_queries(con):
    flagged = detail.flagged_reports(con, Filters())
    assert flagged["n_flagged"].max() == flagged.height == 2
    codes = dict(detail.issue_counts(con, Filters()).select("code", "n_issues").rows())
    assert codes["narrative_table_mismatch"] == 2 and codes["agency_not_named"] == 1
    assert detail.identity_breaks(con, Filters()).is_empty()
    decided = detail.decided_all(con)
    assert decided.is_empty()  # the four samples print every cell
    assert detail.decided_counts(decided, Filters()).is_empty()


def test_page_query_times(root):
    from dagster_project.dashboard import ui

    assert set(bench.PER_PUBLISH) == set(ui.PER_PUBLISH)  # the benchmark caches what the app caches
    times = bench.page_query_times(root / "warehouse" / "ogi.duckdb", repeats=2)
    assert set(times) == set(bench.PAGES)
    assert all(0 < t["p50_ms"] <= t["p95_ms"] < 5000 and t["first_view_ms"] > 0 for t in times.values())


def test_missing_or_unreadable_warehouse_is_a_message(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dagster_project.dashboard.launch import APP

    monkeypatch.setenv("OGI_WAREHOUSE_DIR", str(tmp_path))
    # AppTest runs the script as this process's __main__; put pytest's back afterwards, or every
    # later process pool (spawn re-imports __main__ in its workers) would start the dashboard
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    app = AppTest.from_file(str(APP)).run(timeout=30)
    assert not app.exception
    assert "run `make run` first" in app.warning[0].value
    (tmp_path / "ogi.duckdb").write_bytes(b"not a database")
    app = AppTest.from_file(str(APP)).run(timeout=30)
    assert not app.exception
    assert "cannot read the warehouse" in app.error[0].value


# -- the app in a browser ------------------------------------------------------------------------


_playwright = playwright_or_skip


def _wait_text(page, text: str, timeout_s: float = 20) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout_s * 1000)


def _main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, _main_text(page)


def test_dashboard_in_a_browser(root, tmp_path):
    sync_playwright = _playwright()
    from dagster_project.dashboard.launch import free_port, serve, wait_ready

    shots = root / "warehouse" / "screenshots"
    shots.mkdir(exist_ok=True)
    port = free_port()
    started = time.monotonic()
    proc = serve(port, root / "warehouse", quiet=True)
    try:
        wait_ready(port, proc=proc)
        print(f"dashboard up in {time.monotonic() - started:.1f} s")
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            offline: list[str] = []
            page.on(
                "request",
                lambda r: None if r.url.startswith(base) or r.url.startswith("data:") else offline.append(r.url),
            )

            page.goto(base + "/")
            _wait_text(page, "本年新收申请 Received")
            page.locator("canvas, svg.marks").first.wait_for()  # the Vega-Lite charts drew
            metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
            assert metrics[:4] == ["4", "4", "37", "37"] and metrics[4:] == ["3", "0", "1"]
            # the year × template grid draws on a canvas once its data has arrived: let it paint
            page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
            page.wait_for_timeout(1500)
            page.screenshot(path=shots / "overview.png")

            for path, text in [
                ("outcomes", "不予公开、无法提供、不予处理的理由"),
                ("agencies", "机关排行 Leaderboard"),
                ("review", "复议纠错率"),
                ("quality", "需要查看的报告 Flagged reports (2)"),
            ]:
                page.goto(f"{base}/{path}")
                _wait_text(page, text)
                page.wait_for_timeout(500)
                _no_exception(page)
                page.screenshot(path=shots / f"{path}.png")
            page.goto(f"{base}/review")
            _wait_text(page, "11.1%")  # 高安市 2019: 4 of 36 reviews corrected
            assert page.locator('[data-testid="stMetricValue"]').all_inner_texts()[:2] == ["36", "4"]

            # one agency → its report → a cell's provenance
            page.goto(f"{base}/agency")
            page.get_by_label("机关名称 Search an agency").fill("金寨")
            page.keyboard.press("Enter")
            _wait_text(page, "名称沿革: 金寨县人民政府 (2020)")
            _wait_text(page, "每个数字，逐年")
            _no_exception(page)
            page.screenshot(path=shots / "agency.png")
            page.get_by_text("2020 年报告").click()
            _wait_text(page, "三、收到和处理政府信息公开申请情况")
            cell = page.locator('td[data-cell="table3.new_received.total"]')
            assert cell.inner_text().strip() == "23"
            assert "原文标签 label: 本年新收政府信息公开申请数量" in cell.get_attribute("title")
            assert "确定方式 decided: 按原文 printed" in cell.get_attribute("title")
            granted = page.locator('td[data-cell="table3.granted.total"]').inner_text().strip()
            assert granted == "16"
            cell.locator("a").click()
            _wait_text(page, "单元格 Cell table3 · new_received · total")
            _wait_text(page, "原文标签 Label as printed: 本年新收政府信息公开申请数量")
            _wait_text(page, "下载源文件 002_")  # the source file …
            _wait_text(page, "▶   71")  # … and its line 71, marked
            _wait_text(page, "问题 Issues")  # the page has finished
            _no_exception(page)
            page.set_viewport_size({"width": 1400, "height": 3000})
            page.screenshot(path=shots / "report.png")
            page.set_viewport_size({"width": 1400, "height": 1800})

            # a refresh publishes while the overview is open: it keeps answering, then shows the new build
            page.goto(base + "/")
            _wait_text(page, "本年新收申请 Received")
            copy_samples(root / "raw", [LATER])
            home = tmp_path / "dagster_home"
            home.mkdir()
            env = {
                **os.environ,
                "OGI_RAW_DIR": str(root / "raw"),
                "OGI_WAREHOUSE_DIR": str(root / "warehouse"),
                "DAGSTER_HOME": str(home),
            }
            env.pop("OGI_STAGING_DIR", None)
            refresh = subprocess.Popen(
                [str(Path(sys.executable).with_name("ogi")), "refresh"],
                env=env,
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            seen = set()
            while refresh.poll() is None:
                page.get_by_role("button", name="重新读取 Reload").click()
                page.wait_for_timeout(1500)
                _no_exception(page)
                seen.add(page.locator('[data-testid="stMetricValue"]').nth(2).inner_text())
            assert refresh.returncode == 0
            assert seen <= {"37", "51"}, seen
            page.get_by_role("button", name="重新读取 Reload").click()
            _wait_text(page, "51")
            page.wait_for_timeout(1000)
            metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
            assert metrics[:4] == ["5", "5", "51", "51"], metrics
            assert "2021" in _main_text(page)
            page.screenshot(path=shots / "overview_after_refresh.png")
            assert offline == [], offline  # nothing fetched from outside 127.0.0.1
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for name in ("overview.png", "report.png"):
        assert (shots / name).stat().st_size > 20_000
    if os.environ.get("OGI_DASHBOARD_SCREENSHOTS"):  # refresh the README's pictures on request
        _save_small(shots / "overview.png", REPO / "docs" / "img" / "dashboard-overview.png", 1000)
        _save_small(shots / "report.png", REPO / "docs" / "img" / "dashboard-report.png", 2300)


def _save_small(src: Path, dst: Path, height: int) -> None:
    """`src` cut to `height` pixels and reduced to 32 colours: a small PNG for the README."""
    from PIL import Image

    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as im:
        im.crop((0, 0, im.width, min(height, im.height))).convert("RGB").quantize(colors=32).save(dst, optimize=True)
