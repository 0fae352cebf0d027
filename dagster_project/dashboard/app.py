"""The dashboard's entry point: `streamlit run dagster_project/dashboard/app.py` (see `launch`).

Each run (one request) finds the published warehouse, stops with a clear message when there is
none, renders the chosen page and closes its connection.
"""

from __future__ import annotations

import duckdb
import streamlit as st

from dagster_project.dashboard import queries, ui
from dagster_project.dashboard.source import warehouse_path
from dagster_project.dashboard.views import agencies, agency, outcomes, overview, quality, report, review

PAGES = [
    st.Page(overview.render, title="总览 Overview", url_path="overview", default=True),
    st.Page(outcomes.render, title="办理结果 Outcomes", url_path="outcomes"),
    st.Page(agencies.render, title="机关与地区 Agencies", url_path="agencies"),
    st.Page(agency.render, title="单个机关 One agency", url_path="agency"),
    st.Page(review.render, title="复议诉讼 Review", url_path="review"),
    st.Page(quality.render, title="数据质量 Quality", url_path="quality"),
    st.Page(report.render, title="单份报告 One report", url_path="report"),
]


def main() -> None:
    st.set_page_config(page_title="OGI 政府信息公开年报", layout="wide")
    ui.PAGES.update({p.url_path: p for p in PAGES})
    page = st.navigation(PAGES)
    db = warehouse_path()
    try:
        if ui.begin(db) is None:
            st.title("OGI 政府信息公开年报")
            st.warning(f"还没有已发布的数据仓库 — no published warehouse at `{db}`: run `make run` first.")
            return
        try:
            info = ui.q(queries.build_info)
        except duckdb.Error as exc:  # unreadable, or written by another DuckDB major
            st.error(f"数据仓库无法读取 — cannot read the warehouse at `{db}`: {exc}. Run `make run` to rebuild it.")
            return
        if info.height:
            st.sidebar.caption(
                f"数据版本 built {info['built_at'][0]:%Y-%m-%d %H:%M:%S %Z} · {info['n_reports'][0]:,} reports"
            )
        st.sidebar.button("重新读取 Reload", key="reload", help="read the latest published warehouse")
        page.run()
    finally:
        ui.end()


main()
