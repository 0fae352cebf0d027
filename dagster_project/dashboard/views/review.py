"""复议诉讼 (表四): administrative review and litigation per year, block and result."""

from __future__ import annotations

import polars as pl
import streamlit as st

from .. import queries, ui


def render() -> None:
    st.title("复议诉讼 Review and litigation (表四)")
    f = ui.sidebar_filters()
    blocks = ui.q(queries.review_blocks, f)
    if blocks.is_empty():
        st.info("没有符合筛选条件的报告 — no report matches the filters.")
        return
    review = blocks.filter(pl.col("block") == "review")
    corrected, total = float(review["corrected"].sum()), float(review["total"].sum())
    cols = st.columns(4)
    cols[0].metric("行政复议 Reviews", ui.number(total))
    cols[1].metric("结果纠正 Corrected", ui.number(corrected))
    cols[2].metric(
        "复议纠错率 Correction rate",
        ui.rate(corrected / total if total else None),
        help=f"{corrected:.0f} / {total:.0f}",
    )
    cols[3].metric("T4-A 不成立 Breaks", ui.number(float(blocks["n_t4a_breaks"].sum())))
    st.subheader("按结果 By result")
    ui.bar(ui.q(queries.review_results, f), "block_label_zh", "cases", "result_label_zh")
    st.subheader("按年度 By year")
    ui.table(
        blocks,
        {
            "report_year": "年度",
            "block_label_zh": "类别",
            "upheld": "结果维持",
            "corrected": "结果纠正",
            "other": "其他结果",
            "pending": "尚未审结",
            "total": "总计",
            "n_reports": "报告",
            "n_t4a_breaks": "T4-A 不成立",
        },
    )
    st.subheader("复议纠错率排行 Correction rate by agency")
    min_den = st.number_input("最少复议件数 Minimum reviews", min_value=1, value=5, key="review_min")
    top = ui.q(queries.leaderboard, f, "review_correction", min_den)
    ui.table(
        top,
        {
            "agency_name": "机关",
            "report_year": "年度",
            "region": "地区",
            "value": "复议纠错率",
            "numerator": "纠正",
            "denominator": "复议总计",
        },
        column_config={"复议纠错率": st.column_config.NumberColumn(format="percent")},
    )
