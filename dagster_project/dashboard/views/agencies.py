"""机关与地区: a leaderboard of agencies (rates with numerator and denominator) and the region
view, where whole-region (汇总) reports and the agencies' own reports stand side by side."""

from __future__ import annotations

import polars as pl
import streamlit as st

from .. import queries, ui
from ..filters import Filters

LEVEL_ZH = {"province": "省级", "prefecture": "地级", "county": "县级"}


def _leaderboard(f: Filters) -> None:
    st.subheader("机关排行 Leaderboard")
    metrics = {k: v[0] for k, v in queries.RATES.items()} | {k: v[0] for k, v in queries.COUNTS.items()}
    c1, c2, c3 = st.columns(3)
    metric = c1.selectbox("指标 Metric", list(metrics), format_func=metrics.__getitem__, key="lb_metric")
    min_den = c2.number_input("最小分母 Minimum denominator", min_value=1, value=10, key="lb_min")
    ascending = c3.toggle("从低到高 Lowest first", key="lb_asc")
    top = ui.q(queries.leaderboard, f, metric, min_den, ascending)
    n = top["n_ranked"][0] if top.height else 0
    st.caption(f"{n} agency-years ranked; rates only where the denominator is at least {min_den}.")
    fmt = "percent" if metric in queries.RATES else "localized"
    ui.table(
        top,
        {
            "agency_name": "机关",
            "report_year": "年度",
            "region": "地区",
            "agency_kind": "类型",
            "value": metrics[metric],
            "numerator": "分子",
            "denominator": "分母",
            "received": "本年新收",
            "handled": "办理总计",
            "quality_status": "质量",
        },
        column_config={metrics[metric]: st.column_config.NumberColumn(format=fmt)},
    )


def _regions(f: Filters) -> None:
    st.subheader("地区 Regions")
    opts = ui.q_publish(queries.filter_options)
    provinces = dict(zip(opts["provinces"]["code"], opts["provinces"]["name"], strict=True))
    c1, c2 = st.columns(2)
    default = f.provinces[0] if len(f.provinces) == 1 else None
    index = list(provinces).index(default) + 1 if default in provinces else 0
    province = c1.selectbox("省份", [None, *provinces], index=index, format_func=lambda c: provinces.get(c, "全部省份"))
    prefecture = None
    if province:
        prefs = opts["prefectures"].filter(pl.col("province_code") == province)
        names = dict(zip(prefs["code"], prefs["name"], strict=True))
        prefecture = c2.selectbox("地市", [None, *names], format_func=lambda c: names.get(c, "全部地市"))
    level, parent = (
        ("county", prefecture) if prefecture else ("prefecture", province) if province else ("province", None)
    )
    rows = ui.q(queries.regions, f.years, level, parent)
    st.caption(
        f"{LEVEL_ZH[level]} regions. 汇总报告 = the whole-region reports of exactly that region; 本级报告合计 = the "
        "agencies' own reports placed in it. The two are compared, never added."
    )
    ui.table(
        rows,
        {
            "region_name": "地区",
            "report_year": "年度",
            "agg_n_reports": "汇总·报告",
            "agg_received": "汇总·本年新收",
            "agg_handled": "汇总·办理",
            "agg_disclosure_rate": "汇总·实质公开率",
            "own_n_reports": "本级·报告",
            "own_n_agencies": "本级·机关",
            "own_received": "本级·本年新收",
            "own_handled": "本级·办理",
            "own_disclosure_rate_numerator": "本级·公开",
            "own_disclosure_rate_denominator": "本级·办理总计",
            "own_disclosure_rate": "本级·实质公开率",
        },
        column_config={
            "汇总·实质公开率": st.column_config.NumberColumn(format="percent"),
            "本级·实质公开率": st.column_config.NumberColumn(format="percent"),
        },
    )
    chart = rows.group_by("region_name").agg(pl.col("own_received").sum().alias("本级报告合计 本年新收"))
    if chart.height:
        ui.bar(chart.sort("本级报告合计 本年新收", descending=True).head(30), "region_name", "本级报告合计 本年新收")


def render() -> None:
    st.title("机关与地区 Agencies and regions")
    f = ui.sidebar_filters()
    _leaderboard(f)
    _regions(f)
