"""单个机关: one agency over the years — every number year by year with the change, the rates
with numerator and denominator, and the X-1 / X-2 cross-year checks."""

from __future__ import annotations

import polars as pl
import streamlit as st

from .. import detail, ui


def pick_agency() -> str | None:
    """The agency of `?agency=`, or the one chosen by a name search."""
    text = st.text_input("机关名称 Search an agency", key="agency_search")
    found = ui.q(detail.find_agencies, text.strip())
    current = st.query_params.get("agency")
    ids = found["agency_id"].to_list()
    if current and current not in ids:
        ids = [current, *ids]
    if not ids:
        st.info("没有找到机关 — no agency matches.")
        return None
    names = dict(zip(found["agency_id"], found["agency_name"], strict=True))
    chosen = st.selectbox(
        "机关 Agency", ids, index=ids.index(current) if current in ids else 0, format_func=lambda a: names.get(a, a)
    )
    if chosen != current:
        st.query_params["agency"] = chosen
    return chosen


def render() -> None:
    st.title("单个机关 One agency over the years")
    agency_id = pick_agency()
    if agency_id is None:
        return
    info = ui.q(detail.agency_info, agency_id)
    if info.is_empty():
        st.warning("这个机关不在当前发布的数据中 — this agency is not in the published warehouse.")
        return
    a = info.row(0, named=True)
    st.markdown(
        f"**{a['agency_name'] or '（未能识别）'}** · {a['agency_kind_label_zh']} · "
        f"{a['province_name'] or ''}{a['prefecture_name'] or ''}{a['county_name'] or ''} · "
        f"{a['first_year']}–{a['last_year']} · {a['n_reports']} reports  \n名称沿革: {a['name_history'] or '—'}"
    )
    years = ui.q(detail.agency_years, agency_id)
    if years.height:
        chart = years.select(
            pl.col("report_year").cast(pl.String),
            pl.col("received").alias("本年新收"),
            pl.col("handled").alias("办理总计"),
        ).unpivot(index="report_year", variable_name="指标")
        ui.bar(chart, "report_year", "value", "指标", xOffset="指标")
        st.subheader("比率 Rates")
        ui.table(
            years,
            {
                "report_year": "年度",
                "quality_status": "质量",
                "received": "本年新收",
                "received_change": "Δ新收",
                "handled": "办理总计",
                "handled_change": "Δ办理",
                "disclosure_rate": "实质公开率",
                "disclosure_rate_numerator": "公开+部分公开",
                "disclosure_rate_denominator": "办理总计 ",
                "disclosure_rate_change": "Δ实质公开率",
                "review_correction_rate": "复议纠错率",
                "review_correction_rate_numerator": "纠正",
                "review_correction_rate_denominator": "复议总计",
                "report_id": "报告",
            },
            column_config={
                "实质公开率": st.column_config.NumberColumn(format="percent"),
                "Δ实质公开率": st.column_config.NumberColumn(format="percent"),
                "复议纠错率": st.column_config.NumberColumn(format="percent"),
            },
        )
        for row in years.iter_rows(named=True):
            st.page_link(
                ui.PAGES["report"],
                label=f"{row['report_year']} 年报告 {row['report_id']}",
                query_params={"report": row["report_id"]},
            )
    st.subheader("每个数字，逐年 Every number, year by year")
    wide = detail.series_wide(ui.q(detail.agency_series, agency_id))
    st.dataframe(
        wide.rename({"section": "表", "metric": "项目"}), hide_index=True, height=min(800, 36 * (wide.height + 1))
    )
    st.subheader("跨年核对 Cross-year checks (X-1, X-2)")
    checks = ui.q(detail.cross_year_checks, agency_id)
    if checks.is_empty():
        st.caption("No consecutive years to check.")
    else:
        ui.table(
            checks.with_columns(
                pl.when(pl.col("holds"))
                .then(pl.lit("✓"))
                .when(~pl.col("holds"))
                .then(pl.lit("✗"))
                .otherwise(pl.lit("无法核验"))
                .alias("status")
            ),
            {
                "check_id": "核对",
                "report_year": "年度",
                "place": "项目",
                "expected": "按上年应为",
                "reported": "本年填报",
                "delta": "差",
                "status": "结果",
            },
        )
