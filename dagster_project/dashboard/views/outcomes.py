"""办理结果: the mix by outcome group and by leaf (the 不予公开 / 不予处理 reasons), by applicant."""

from __future__ import annotations

import polars as pl
import streamlit as st

from .. import queries, ui


def render() -> None:
    st.title("办理结果 Outcomes")
    f = ui.sidebar_filters()
    matrix = queries.outcome_matrix(ui.q_publish(queries.outcome_cube), ui.q_publish(queries.outcome_labels), f)
    if matrix.is_empty():
        st.info("没有符合筛选条件的报告 — no report matches the filters.")
        return
    groups = queries.outcome_groups(matrix).with_columns(pl.col("report_year").cast(pl.String))
    left, right = st.columns(2)
    with left:
        st.subheader("按办理结果 By outcome group (总计)")
        ui.bar(groups, "report_year", "requests", "group_label_zh")
    with right:
        st.subheader("按申请人 By applicant")
        ui.bar(queries.outcome_by_applicant(matrix), "applicant_class", "requests", "group_label_zh")
    leaves = queries.outcome_leaves(matrix)
    st.subheader("不予公开、无法提供、不予处理的理由 Reasons")
    reasons = leaves.filter(pl.col("group_label_zh").is_in(["不予公开", "无法提供", "不予处理", "其他处理"]))
    ui.bar(reasons, "outcome_label_zh", "requests", "group_label_zh", horizontal=True)
    ui.table(
        leaves,
        {
            "group_label_zh": "办理结果",
            "outcome_label_zh": "细项",
            "requests": "件数",
            "n_positive": "报告数（>0）",
        },
    )
    st.subheader("本年新收，按申请人 Received by applicant column")
    ui.table(
        ui.q(queries.received_by_applicant, f),
        {"applicant_class": "申请人", "applicant_label_zh": "栏目", "received": "本年新收", "handled": "办理总计"},
    )
    st.caption(
        "From the printed 总计 column for groups and leaves, from the six applicant columns for the applicant "
        "mix — never both. 2021's three 其他处理 rows and 2019's one stay separate leaves."
    )
