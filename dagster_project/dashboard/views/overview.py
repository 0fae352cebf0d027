"""总览: reports, agencies, requests received and handled per year and template; quality mix."""

from __future__ import annotations

import polars as pl
import streamlit as st

from .. import queries, ui

QUALITY_ZH = {"consistent": "一致 consistent", "inconsistent": "不一致 inconsistent", "not_assessable": "无法核验 n/a"}


def render() -> None:
    st.title("总览 Overview")
    f = ui.sidebar_filters()
    tot = ui.q(queries.overview_totals, f).row(0, named=True)
    cols = st.columns(7)
    cols[0].metric("报告 Reports", ui.number(tot["n_reports"]))
    cols[1].metric("机关 Agencies", ui.number(tot["n_agencies"]))
    cols[2].metric("本年新收申请 Received", ui.number(tot["received"]))
    cols[3].metric("办理总计 Handled", ui.number(tot["handled"]))
    cols[4].metric("一致 Consistent", ui.number(tot["consistent"]))
    cols[5].metric("不一致 Inconsistent", ui.number(tot["inconsistent"]))
    cols[6].metric("无法核验 Not assessable", ui.number(tot["not_assessable"]))

    by_year = ui.q(queries.overview_by_year, f)
    left, right = st.columns(2)
    with left:
        st.subheader("申请量 Requests per year")
        long = by_year.unpivot(index=["report_year", "template"], on=["received", "handled"]).with_columns(
            pl.col("variable").replace({"received": "本年新收", "handled": "办理总计"}).alias("指标"),
            pl.col("report_year").cast(pl.String),
        )
        ui.bar(long, "report_year", "sum(value)", "指标", xOffset="指标")
    with right:
        st.subheader("报告质量 Quality per year")
        mix = ui.q(queries.quality_mix, f).with_columns(
            pl.col("quality_status").replace(QUALITY_ZH).alias("质量"), pl.col("report_year").cast(pl.String)
        )
        ui.bar(mix, "report_year", "n_reports", "质量")
    st.subheader("按年度和模板 By year and template")
    ui.table(
        by_year,
        {
            "report_year": "年度",
            "template": "模板",
            "n_reports": "报告",
            "n_agencies": "机关",
            "received": "本年新收",
            "received_blank": "新收空白",
            "handled": "办理总计",
            "handled_blank": "办理空白",
        },
    )
    st.caption("Sums skip blank cells (a blank is never 0); the blank columns count the reports that left it blank.")
