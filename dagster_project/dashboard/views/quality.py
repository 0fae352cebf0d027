"""数据质量: flagged reports, identity breaks (source error as printed vs extraction issue),
open cells with their candidate readings, and cells decided by neighbouring years or plausibility."""

from __future__ import annotations

import polars as pl
import streamlit as st

from .. import detail, ui

CAUSE_ZH = {"as_printed": "原文如此 source error as printed", "extraction": "可能是提取问题 extraction issue"}


def _open_report(frame: pl.DataFrame, key: str) -> None:
    """A chooser of the frame's reports and a link to the report page."""
    if frame.is_empty():
        return
    ids = frame["report_id"].unique(maintain_order=True).to_list()
    names = {r["report_id"]: f"{r['agency_name'] or '（未能识别）'} {r['report_year']} · {r['report_id']}"
             for r in frame.iter_rows(named=True)}  # fmt: skip
    rid = st.selectbox("打开报告 Open a report", ids, format_func=names.__getitem__, key=key)
    st.page_link(ui.PAGES["report"], label=f"→ {names[rid]}", query_params={"report": rid})


def render() -> None:
    st.title("数据质量 Data quality")
    f = ui.sidebar_filters()
    summary = ui.q(detail.quality_summary, f)
    ui.bar(summary, "parse_status", "n_reports", "quality_status")

    flagged = ui.q(detail.flagged_reports, f)
    st.subheader(f"需要查看的报告 Flagged reports ({flagged['n_flagged'][0] if flagged.height else 0})")
    ui.table(
        flagged,
        {
            "agency_name": "机关",
            "report_year": "年度",
            "file_name": "文件",
            "parse_status": "解析",
            "quality_status": "质量",
            "n_quality_errors": "错误",
            "n_quality_warnings": "警告",
            "n_identity_breaks": "恒等式不成立",
            "report_id": "报告",
        },
    )
    _open_report(flagged, "quality_flagged")

    breaks = ui.q(detail.identity_breaks, f)
    st.subheader(f"恒等式不成立 Identity breaks ({breaks['n_breaks'][0] if breaks.height else 0})")
    if breaks.height:
        by_cause = breaks.group_by("identity", "cause").len("n").with_columns(pl.col("cause").replace(CAUSE_ZH))
        ui.bar(by_cause, "identity", "n", "cause")
        ui.table(
            breaks.with_columns(pl.col("cause").replace(CAUSE_ZH)),
            {
                "agency_name": "机关",
                "report_year": "年度",
                "identity": "恒等式",
                "place": "位置",
                "reported": "填报",
                "recomputed": "重算",
                "delta": "差",
                "cause": "原因",
                "extraction_issues": "提取问题",
                "report_id": "报告",
            },
        )
        _open_report(breaks, "quality_breaks")
    st.caption(
        "A break in a table read without any extraction issue is the report's own arithmetic, kept as printed; "
        f"with one of {', '.join(detail.EXTRACTION_CODES)} on the same table it may come from the reading."
    )

    opened = ui.q(detail.open_cells, f)
    st.subheader(f"未定的单元格 Open cells ({opened['n_open'][0] if opened.height else 0})")
    ui.table(
        opened,
        {
            "agency_name": "机关",
            "report_year": "年度",
            "place": "位置",
            "message": "候选读法 candidates",
            "report_id": "报告",
        },
    )

    st.subheader("跨年、按正文或按合理性确定的单元格 Cells decided by neighbouring years, the text or plausibility")
    decided = ui.q_publish(detail.decided_all)
    ui.table(detail.decided_counts(decided, f), {"decided_by": "decided_by", "n_cells": "单元格", "n_reports": "报告"})
    ui.table(
        detail.decided_cells(decided, f),
        {
            "agency_name": "机关",
            "report_year": "年度",
            "decided_by": "decided_by",
            "row_label": "行",
            "col_key": "列",
            "raw_text": "原文",
            "value": "值",
            "message": "说明",
            "report_id": "报告",
        },
    )

    st.subheader("问题代码 Issue codes")
    ui.table(
        ui.q(detail.issue_counts, f),
        {
            "code": "代码",
            "meaning_zh": "含义",
            "severity": "级别",
            "n_issues": "问题",
            "n_reports": "报告",
            "action": "处理",
        },
    )
