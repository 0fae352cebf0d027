"""The dashboard's aggregate queries: overview, outcomes, agencies, regions, review/litigation.

Every function takes an open connection to the published warehouse (`source.Reader.con()`) and
returns a Polars frame. Values go in as parameters only; column names come from the fixed tables
below. Facts are read through the current report versions the filters keep (`Filters.where`),
a blank stays null (never 0), and the 总计 column is never added to the six applicant columns.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from .filters import Filters

# Rates of agency_year_summary an analyst can rank by: key -> (label, rate, numerator, denominator).
RATES: dict[str, tuple[str, str, str, str]] = {
    "disclosure": (
        "实质公开率",
        "disclosure_rate",
        "disclosure_rate_numerator",
        "disclosure_rate_denominator",
    ),
    "review_correction": (
        "复议纠错率",
        "review_correction_rate",
        "review_correction_rate_numerator",
        "review_correction_rate_denominator",
    ),
    "withheld": ("不予公开率", "withheld_rate", "withheld_rate_numerator", "withheld_rate_denominator"),
    "unable": ("无法提供率", "unable_rate", "unable_rate_numerator", "unable_rate_denominator"),
    "rejected": ("不予处理率", "rejected_rate", "rejected_rate_numerator", "rejected_rate_denominator"),
}
# Plain counts an analyst can rank by: key -> (label, column of agency_year_summary).
COUNTS: dict[str, tuple[str, str]] = {
    "received": ("本年新收申请", "received"),
    "handled": ("办理总计", "handled"),
    "review_total": ("行政复议总计", "review_correction_rate_denominator"),
    "litigation": ("行政诉讼（直接起诉）", "litigation_direct_total"),
}
REGION_LEVELS = ("province", "prefecture", "county")


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
    """`sql` with its parameters, as a Polars frame."""
    return con.execute(sql, params or []).pl()


def build_info(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """When the published warehouse was built, its fingerprint and report count (one row)."""
    return run(con, "select built_at, fingerprint, n_reports from meta.build_info")


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """The values the sidebar offers: years, provinces and prefectures (code, name), agency
    kinds and templates present among the current report versions."""
    return {
        "years": run(
            con,
            "select distinct report_year as year from dim_report"
            " where is_current_version and report_year is not null order by 1",
        ),
        "provinces": run(
            con,
            "select distinct r.province_code as code, g.region_name as name from dim_report r"
            " join dim_region g on g.region_code = r.province_code where r.is_current_version order by 1",
        ),
        "prefectures": run(
            con,
            "select distinct r.prefecture_code as code, g.region_name as name, r.province_code from dim_report r"
            " join dim_region g on g.region_code = r.prefecture_code where r.is_current_version order by 1",
        ),
        "kinds": run(
            con,
            "select distinct r.agency_kind as kind, k.label_zh, k.kind_order from dim_report r"
            " join dim_agency_kind k on k.agency_kind = r.agency_kind where r.is_current_version order by 3",
        ),
        "templates": run(
            con,
            "select distinct coalesce(template, 'none') as template from dim_report"
            " where is_current_version order by 1",
        ),
    }


def overview_by_year(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """Per year and template: reports, agencies, requests received and handled (printed 总计
    column), and how many reports left each of the two blank."""
    where, params = f.where()
    return run(
        con,
        f"""
        select
            r.report_year, coalesce(r.template, 'none') as template,
            count(*) as n_reports, count(distinct r.agency_id) as n_agencies,
            sum(fl.received) as received, count(*) filter (where fl.received is null) as received_blank,
            sum(fl.handled_reported) as handled,
            count(*) filter (where fl.handled_reported is null) as handled_blank
        from dim_report r
        left join fct_request_flow fl on fl.report_id = r.report_id and fl.is_total
        where {where}
        group by all order by 1, 2
        """,
        params,
    )


def overview_totals(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """One row: reports, agencies, received, handled and the quality mix over the filters."""
    where, params = f.where()
    return run(
        con,
        f"""
        select
            count(*) as n_reports, count(distinct r.agency_id) as n_agencies,
            sum(fl.received) as received, sum(fl.handled_reported) as handled,
            count(*) filter (where r.quality_status = 'consistent') as consistent,
            count(*) filter (where r.quality_status = 'inconsistent') as inconsistent,
            count(*) filter (where r.quality_status = 'not_assessable') as not_assessable
        from dim_report r
        left join fct_request_flow fl on fl.report_id = r.report_id and fl.is_total
        where {where}
        """,
        params,
    )


def quality_mix(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """Per year: reports consistent / inconsistent / not assessable."""
    where, params = f.where()
    return run(
        con,
        f"""
        select r.report_year, r.quality_status, count(*) as n_reports
        from dim_report r where {where} group by all order by 1, 2
        """,
        params,
    )


def outcome_cube(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """表三's outcomes of the current report versions summed per report year, province,
    prefecture, agency kind and template × applicant column × outcome leaf, with the reports
    printing a positive number. One pass over fct_request_outcomes (~0.9 s at 100,000 reports),
    cached per published file; `outcome_matrix` then answers any filter from it in milliseconds.
    Integer keys group fastest: (outcome_order, is the 2019 其他处理 row) names one leaf."""
    return run(
        con,
        """
        select r.report_year, r.province_code, r.prefecture_code, r.agency_kind,
               coalesce(r.template, 'none') as template,
               o.applicant_order, o.outcome_order, o.outcome_key = 'other_handling' as other_2019,
               sum(o.value) as requests, count(*) filter (where o.value > 0) as n_positive
        from fct_request_outcomes o
        join dim_report r on r.report_id = o.report_id
        where r.is_current_version
        group by all
        """,
    )


def outcome_labels(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every applicant column × outcome leaf with its labels, group and print order."""
    return run(
        con,
        """
        select a.applicant_order, a.is_total, a.label_zh as applicant_label_zh, a.class_label_zh as applicant_class,
               d.outcome_order, d.outcome_key = 'other_handling' as other_2019, d.outcome_key,
               d.label_zh as outcome_label_zh, d.group_order, d.group_label_zh
        from dim_applicant_type a cross join dim_outcome d
        """,
    )


def outcome_matrix(cube: pl.DataFrame, labels: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Per year, applicant column (the 总计 column included, as `is_total`) and outcome leaf:
    requests and reports printing a positive number, over the reports `f` keeps. The outcomes
    page derives all its views from this."""
    keys = ["applicant_order", "outcome_order", "other_2019"]
    summed = cube.filter(f.keep()).group_by("report_year", *keys).agg(pl.col("requests", "n_positive").sum())
    return summed.join(labels, on=keys).sort("report_year", "applicant_order", "outcome_order")


def outcome_groups(matrix: pl.DataFrame) -> pl.DataFrame:
    """Per year and outcome group (予以公开 … 其他处理): requests, from the printed 总计 column."""
    return (
        matrix.filter(pl.col("is_total"))
        .group_by("report_year", "group_order", "group_label_zh")
        .agg(pl.col("requests").sum())
        .sort("report_year", "group_order")
    )


def outcome_leaves(matrix: pl.DataFrame) -> pl.DataFrame:
    """Per outcome leaf (each 不予公开 / 无法提供 / 不予处理 reason …), all years: requests and
    the reports printing a positive number there, from the 总计 column."""
    return (
        matrix.filter(pl.col("is_total"))
        .group_by("group_order", "group_label_zh", "outcome_order", "outcome_key", "outcome_label_zh")
        .agg(pl.col("requests").sum(), pl.col("n_positive").sum())
        .sort("outcome_order", "outcome_key")
    )


def outcome_by_applicant(matrix: pl.DataFrame) -> pl.DataFrame:
    """Per applicant class (自然人 | 法人或其他组织) and outcome group: requests, from the six
    applicant columns (never the 总计 column)."""
    return (
        matrix.filter(~pl.col("is_total"))
        .group_by("applicant_class", "group_order", "group_label_zh")
        .agg(pl.col("requests").sum())
        .sort("applicant_class", "group_order")
    )


def received_by_applicant(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """Per applicant column (自然人, 商业企业 …): requests received, with the class it belongs to."""
    where, params = f.where()
    return run(
        con,
        f"""
        select fl.applicant_label_zh, a.class_label_zh as applicant_class, min(fl.applicant_order) as applicant_order,
               sum(fl.received) as received, sum(fl.handled_reported) as handled
        from fct_request_flow fl
        join dim_report r on r.report_id = fl.report_id
        join dim_applicant_type a on a.applicant_type = fl.applicant_type
        where not fl.is_total and {where}
        group by all order by applicant_order
        """,
        params,
    )


def leaderboard(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    metric: str,
    min_denominator: float = 1,
    ascending: bool = False,
    limit: int = 50,
) -> pl.DataFrame:
    """Agency × year rows ranked by `metric` (a key of RATES or COUNTS), each rate with its
    numerator and denominator; rates only where the denominator is at least `min_denominator`.
    `n_ranked` is the number of rows before the limit."""
    where, params = f.where()
    direction = "asc" if ascending else "desc"
    if metric in RATES:
        _, rate, num, den = RATES[metric]
        value = f"s.{rate}"
        extra = f", s.{num} as numerator, s.{den} as denominator"
        keep = f"s.{rate} is not null and s.{den} >= ?"
        params = [*params, min_denominator]
    elif metric in COUNTS:
        value = f"s.{COUNTS[metric][1]}"
        extra = ", null::double as numerator, null::double as denominator"
        keep = f"{value} is not null"
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return run(
        con,
        f"""
        select
            s.agency_id, s.agency_name, s.report_year, s.report_id,
            coalesce(s.province_name, '') || coalesce(s.prefecture_name, '') || coalesce(s.region_name, '') as region,
            k.label_zh as agency_kind, s.quality_status,
            {value} as value{extra},
            s.received, s.handled, count(*) over () as n_ranked
        from agency_year_summary s
        join dim_report r on r.report_id = s.report_id
        left join dim_agency_kind k on k.agency_kind = s.agency_kind
        where {where} and {keep}
        order by value {direction}, denominator desc nulls last, s.agency_name, s.report_year
        limit ?
        """,
        [*params, limit],
    )


def regions(
    con: duckdb.DuckDBPyConnection, years: tuple[int, ...], level: str, parent_code: str | None = None
) -> pl.DataFrame:
    """Regions of `level` (province | prefecture | county), within `parent_code` when given, per
    year: the whole-region (汇总) reports and the agencies' own reports side by side, never added
    (region_year_summary's two bases)."""
    if level not in REGION_LEVELS:
        raise ValueError(f"unknown level {level!r}")
    params: list[Any] = [level]
    cond = "y.region_level = ?"
    if years:
        cond += " and list_contains(?, y.report_year)"
        params.append(list(years))
    if parent_code:
        cond += " and (g.parent_code = ? or g.prefecture_code = ? or g.province_code = ?)"
        params += [parent_code] * 3
    cols = []
    for basis, p in (("aggregate_report", "agg"), ("agency_reports", "own")):
        for c in ("n_reports", "n_agencies", "received", "handled", "disclosure_rate_numerator",
                  "disclosure_rate_denominator", "disclosure_rate", "review_correction_rate"):  # fmt: skip
            cols.append(f"max(y.{c}) filter (where y.basis = '{basis}') as {p}_{c}")
    return run(
        con,
        f"""
        select y.region_code, y.region_name, y.report_year, g.parent_code, g.parent_name,
               {", ".join(cols)}
        from region_year_summary y
        join dim_region g on g.region_code = y.region_code
        where {cond}
        group by all
        order by y.region_code, y.report_year
        """,
        params,
    )


def review_blocks(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """表四 per year and block (行政复议, 直接起诉, 复议后起诉): results summed over the reports,
    the reports counted and those whose printed total breaks T4-A."""
    where, params = f.where()
    return run(
        con,
        f"""
        select b.report_year, b.block, b.block_label_zh, min(b.block_order) as block_order,
               sum(b.upheld) as upheld, sum(b.corrected) as corrected, sum(b.other) as other,
               sum(b.pending) as pending, sum(b.total_reported) as total,
               count(*) as n_reports, count(*) filter (where b.total_delta <> 0) as n_t4a_breaks
        from fct_review_litigation_blocks b
        join dim_report r on r.report_id = b.report_id
        where {where}
        group by all order by 1, 4
        """,
        params,
    )


def review_results(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """表四 per block and result (维持, 纠正, 其他, 尚未审结), all years filtered, long form."""
    where, params = f.where()
    return run(
        con,
        f"""
        select t.block_label_zh, min(t.block_order) as block_order, t.result_label_zh,
               min(t.result_order) as result_order, sum(t.value) as cases
        from fct_review_litigation t
        join dim_report r on r.report_id = t.report_id
        where not t.is_total and {where}
        group by all order by block_order, result_order
        """,
        params,
    )
