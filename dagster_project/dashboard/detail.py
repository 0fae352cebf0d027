"""The dashboard's detail queries: one agency over the years, data quality, one report's cells.

Like `queries`, pure functions of an open connection returning Polars frames, values always as
parameters. A search text is matched with `contains()`/`starts_with()` on a parameter, never
pasted into SQL or used as a LIKE pattern.
"""

from __future__ import annotations

import duckdb
import polars as pl

from .filters import Filters
from .queries import run

# Issues about how a table's rows were read: an identity break in a table that has one of them
# may come from the extraction; without one, the numbers were read as printed (a source error).
EXTRACTION_CODES = (
    "row_unreadable",
    "row_cut_short",
    "cells_ambiguous",
    "values_matched_by_order",
    "digits_rejoined",
    "cell_split_at_space",
    "row_extra_numbers",
    "table_unverified",
    "row_label_repeated",
    "row_not_found",
    "label_fuzzy_match",
    "cell_relocated",
)
# How a cell's value was decided, as the report page names it.
DECIDED_LABELS = {
    "printed": "按原文 printed",
    "identity": "恒等式确定读法 identity",
    "neighbouring_year": "相邻年度 neighbouring year",
    "narrative": "报告正文 narrative",
    "plausibility": "合理性规则 plausibility",
    "reconstructed": "由恒等式补出 reconstructed",
    "open": "未定（多种读法）open",
}


def find_agencies(con: duckdb.DuckDBPyConnection, text: str, limit: int = 50) -> pl.DataFrame:
    """Agencies whose name (any name they reported under) contains `text`, busiest first."""
    return run(
        con,
        """
        select a.agency_id, coalesce(a.agency_name, '（未能识别）' || a.agency_id) as agency_name,
               a.name_history, a.province_name, a.prefecture_name, a.first_year, a.last_year, a.n_reports
        from dim_agency a
        where ? = '' or contains(coalesce(a.name_history, a.agency_name, ''), ?) or a.agency_id = ?
        order by a.n_reports desc, a.agency_name
        limit ?
        """,
        [text, text, text, limit],
    )


def agency_info(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """The agency's dim_agency row."""
    return run(con, "select * from dim_agency where agency_id = ?", [agency_id])


def agency_years(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """The agency's agency_year_summary rows, oldest first (rates with numerator, denominator
    and the change from the year before)."""
    return run(con, "select * from agency_year_summary where agency_id = ? order by report_year", [agency_id])


def _current_reports(con: duckdb.DuckDBPyConnection, agency_id: str) -> list[str]:
    """The agency's current report versions: facts are then read by `list_contains(ids, report_id)`,
    which DuckDB answers from a scan of one column, far faster than a join over the whole fact."""
    row = con.execute(
        "select coalesce(list(report_id), []) from dim_report where agency_id = ? and is_current_version", [agency_id]
    ).fetchone()
    return list(row[0]) if row else []


def agency_series(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """Every number of the agency's current reports, long: section (and its order), order, metric,
    year, value.
    表三 by comparable outcome (2021's three 其他处理 rows as one, strictly: null if one is blank),
    表四 block × result, 表二 per layout metric."""
    ids = _current_reports(con, agency_id)
    return run(
        con,
        """
        with reports as (
            select report_id, report_year from dim_report where list_contains($ids, report_id)
        ),
        flow as (
            select 2 as sec, '表三 申请' as section, m.ord as ord, m.label as metric, r.report_year,
                   case m.ord when 1 then f.received when 2 then f.carried_over
                              when 3 then f.handled_reported else f.carried_forward_reported end as value
            from fct_request_flow f
            join reports r using (report_id)
            cross join (values (1, '一、本年新收'), (2, '二、上年结转'), (3, '三、（七）办理总计'),
                               (4, '四、结转下年度')) as m(ord, label)
            where f.is_total and list_contains($ids, f.report_id)
        ),
        outcomes as (
            select 3 as sec, '表三 办理结果' as section, min(d.outcome_order) as ord, d.label_zh as metric, r.report_year,
                   case when count(o.value) = count(*) then sum(o.value) end as value
            from fct_request_outcomes o
            join reports r using (report_id)
            join dim_outcome d on d.outcome_key = o.comparable_outcome_key
            where o.is_total and list_contains($ids, o.report_id)
            group by all
        ),
        review as (
            select 4 as sec, '表四 复议诉讼' as section, t.block_order * 10 + t.result_order as ord,
                   t.block_label_zh || ' · ' || t.result_label_zh as metric, r.report_year, t.value
            from fct_review_litigation t join reports r using (report_id)
            where list_contains($ids, t.report_id)
        ),
        disclosure as (
            select 1 as sec, '表二 主动公开（' || a.table2_format || '）' as section, a.item_order * 10 + a.metric_order as ord,
                   a.item_label_zh || ' · ' || a.metric_label_zh as metric, r.report_year,
                   coalesce(a.value::double, a.amount_wan_yuan::double) as value
            from fct_active_disclosure a join reports r using (report_id)
            where list_contains($ids, a.report_id)
        )
        select * from flow union all select * from outcomes union all select * from review
        union all select * from disclosure
        order by sec, section, ord, metric, report_year
        """,
        {"ids": ids},
    )


def series_wide(long: pl.DataFrame) -> pl.DataFrame:
    """`agency_series` with one column per year and, after each year but the first, its change
    (`Δ2021`: the value minus the year before's, null when either is blank or that year is absent)."""
    if long.is_empty():
        return pl.DataFrame({"section": [], "metric": []})
    years = sorted(long["report_year"].unique().to_list())
    index = ["sec", "section", "ord", "metric"]
    wide = long.pivot(on="report_year", index=index, values="value", sort_columns=True)
    wide = wide.sort(["sec", "section", "ord"]).drop("sec", "ord")
    cols: list[pl.Expr] = [pl.col("section"), pl.col("metric")]
    for i, year in enumerate(years):
        cols.append(pl.col(str(year)))
        if i and years[i - 1] == year - 1:
            cols.append((pl.col(str(year)) - pl.col(str(year - 1))).alias(f"Δ{year}"))
    return wide.select(cols)


def cross_year_checks(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """X-1 (上年结转 = last year's 结转下年度, per applicant column) and X-2 (2021 表二: 现行有效 =
    last year's 现行有效 + 本年制发 − 本年废止, per item) for every pair of consecutive years of the
    agency: expected, reported, delta and `holds` (null: not assessable)."""
    ids = _current_reports(con, agency_id)
    return run(
        con,
        """
        with reports as (
            select report_id, report_year from dim_report where list_contains($ids, report_id)
        ),
        flow as (
            select r.report_year, f.applicant_type, f.applicant_order, f.applicant_label_zh,
                   f.carried_over, f.carried_forward_reported
            from fct_request_flow f join reports r using (report_id)
            where list_contains($ids, f.report_id)
        ),
        x1 as (
            select 'X-1' as check_id, t.report_year, t.applicant_order as ord,
                   '上年结转 · ' || t.applicant_label_zh as place,
                   l.carried_forward_reported as expected, t.carried_over as reported
            from flow t join flow l on l.report_year = t.report_year - 1 and l.applicant_type = t.applicant_type
        ),
        disclosure as (
            select r.report_year, a.item_key, min(a.item_order) as item_order, any_value(a.item_label_zh) as label,
                   max(a.value) filter (where a.metric_key = 'issued') as issued,
                   max(a.value) filter (where a.metric_key = 'repealed') as repealed,
                   max(a.value) filter (where a.metric_key = 'in_force') as in_force
            from fct_active_disclosure a join reports r using (report_id)
            where list_contains($ids, a.report_id) and a.table2_format = '2021'
                and a.item_key in ('regulations', 'normative_documents')
            group by all
        ),
        x2 as (
            select 'X-2' as check_id, t.report_year, 100 + t.item_order as ord, '现行有效件数 · ' || t.label as place,
                   l.in_force + t.issued - t.repealed as expected, t.in_force as reported
            from disclosure t join disclosure l on l.report_year = t.report_year - 1 and l.item_key = t.item_key
        )
        select check_id, report_year, place, expected, reported, reported - expected as delta,
               reported = expected as holds
        from (select * from x1 union all select * from x2)
        order by report_year, check_id, ord
        """,
        {"ids": ids},
    )


def quality_summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """Reports per parse status × quality status."""
    where, params = f.where()
    sql = f"select parse_status, quality_status, count(*) as n_reports from dim_report r where {where} group by all"
    return run(con, sql + " order by 1, 2", params)


def flagged_reports(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 500) -> pl.DataFrame:
    """Reports flagged, failed or not consistent, most errors first; `n_flagged` counts them all."""
    where, params = f.where()
    return run(
        con,
        f"""
        select r.report_id, r.agency_name, r.report_year, r.template, r.file_name, r.parse_status,
               r.quality_status, r.n_quality_errors, r.n_quality_warnings, r.n_identity_breaks,
               count(*) over () as n_flagged
        from dim_report r
        where {where} and (r.parse_status <> 'parsed' or r.quality_status <> 'consistent')
        order by r.n_quality_errors desc, r.n_identity_breaks desc, r.n_quality_warnings desc, r.report_id
        limit ?
        """,
        [*params, limit],
    )


def issue_counts(con: duckdb.DuckDBPyConnection, f: Filters) -> pl.DataFrame:
    """Per issue code: issues, reports, and what the code means and what to do (dim_issue_code)."""
    where, params = f.where()
    return run(
        con,
        f"""
        select q.code, c.meaning_zh, q.severity, count(*) as n_issues, count(distinct q.report_id) as n_reports,
               c.meaning, c.action
        from report_quality q
        join dim_report r on r.report_id = q.report_id
        left join dim_issue_code c on c.code = q.code
        where {where}
        group by all order by n_issues desc, q.code
        """,
        params,
    )


def identity_breaks(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 500) -> pl.DataFrame:
    """Identity breaks with reported, recomputed and delta, and `cause`: `as_printed` (the table
    was read without an extraction issue: a source error kept as printed) or `extraction` (the
    same table carries an issue of EXTRACTION_CODES, listed in `extraction_issues`)."""
    where, params = f.where()
    return run(
        con,
        f"""
        with breaks as (
            select q.* from report_quality q join dim_report r on r.report_id = q.report_id
            where q.is_identity_break and {where}
        ),
        reading as (
            select q.report_id, q.table_id, list(distinct q.code order by q.code) as codes
            from report_quality q semi join breaks b on b.report_id = q.report_id
            where list_contains(?, q.code)
            group by all
        )
        select b.report_id, b.agency_name, b.report_year, b.file_name, b.identity, b.table_id, b.place,
               b.reported, b.recomputed, b.delta,
               case when x.codes is null then 'as_printed' else 'extraction' end as cause,
               array_to_string(x.codes, ', ') as extraction_issues, count(*) over () as n_breaks
        from breaks b
        left join reading x on x.report_id = b.report_id and x.table_id is not distinct from b.table_id
        order by cause, b.identity, abs(b.delta) desc nulls last, b.report_id
        limit ?
        """,
        [*params, list(EXTRACTION_CODES), limit],
    )


def open_cells(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 500) -> pl.DataFrame:
    """Rows left open (cells_ambiguous): the message lists the candidate readings."""
    where, params = f.where()
    return run(
        con,
        f"""
        select q.report_id, q.agency_name, q.report_year, q.file_name, q.table_id, q.row_key, q.place,
               q.message, count(*) over () as n_open
        from report_quality q join dim_report r on r.report_id = q.report_id
        where q.code = 'cells_ambiguous' and {where}
        order by q.report_year, q.agency_name, q.place
        limit ?
        """,
        [*params, limit],
    )


def decided_all(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every cell of a current report decided after parsing — by the neighbouring year (X-2/X-3)
    or by plausibility (`decided_by`) — or reconstructed from the identities, with its report's
    filter columns and the decision's message. One pass over staging.stg_cells, cached per published
    file; `decided_counts` and `decided_cells` filter it."""
    return run(
        con,
        """
        with c as (
            select report_id, table_id, row_key, row_label, col_key, raw_text, value, is_reconstructed,
                   coalesce(decided_by, 'reconstructed') as decided_by
            from staging.stg_cells where decided_by is not null or is_reconstructed
        )
        select c.*, r.agency_name, r.report_year, r.province_code, r.prefecture_code, r.agency_kind,
               coalesce(r.template, 'none') as template, i.message
        from c
        join dim_report r on r.report_id = c.report_id
        left join report_quality i on i.report_id = c.report_id and i.table_id = c.table_id and i.row_key = c.row_key
            and i.code in ('cells_decided_across_years', 'cells_decided_by_narrative', 'cells_chosen_by_plausibility',
                           'cell_reconstructed')
        where r.is_current_version
        """,
    )


def decided_counts(decided: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Cells and reports per `decided_by` (X-2, X-3, plausibility, reconstructed)."""
    return (
        decided.filter(f.keep())
        .group_by("decided_by")
        .agg(pl.len().alias("n_cells"), pl.col("report_id").n_unique().alias("n_reports"))
        .sort("decided_by")
    )


def decided_cells(decided: pl.DataFrame, f: Filters, limit: int = 500) -> pl.DataFrame:
    """The decided cells `f` keeps (neighbouring year and plausibility first), `limit` of them."""
    kept = decided.filter(f.keep())
    rank = pl.col("decided_by").replace_strict({"X-2": 0, "X-3": 1, "narrative": 2, "plausibility": 3}, default=4)
    ordered = kept.sort(rank, "report_year", "agency_name", "row_key", "col_key", nulls_last=True)
    return ordered.head(limit).with_columns(pl.lit(kept.height).alias("n_decided"))


def find_reports(con: duckdb.DuckDBPyConnection, text: str, limit: int = 50) -> pl.DataFrame:
    """Reports (every version) whose agency, file name or report id contains `text`."""
    return run(
        con,
        """
        select report_id, agency_name, report_year, file_name, quality_status, is_current_version
        from dim_report
        where ? = '' or contains(coalesce(agency_name, ''), ?) or contains(file_name, ?) or starts_with(report_id, ?)
        order by report_year desc, agency_name, report_id
        limit ?
        """,
        [text, text, text, text, limit],
    )


def report_header(con: duckdb.DuckDBPyConnection, report_id: str) -> pl.DataFrame:
    """The report's dim_report row, with its agency's name history and region names."""
    return run(
        con,
        """
        select r.*, a.name_history, a.agency_kind_label_zh, a.region_name, a.prefecture_name, a.province_name
        from dim_report r left join dim_agency a on a.agency_id = r.agency_id
        where r.report_id = ?
        """,
        [report_id],
    )


def report_cells(con: duckdb.DuckDBPyConnection, report_id: str) -> pl.DataFrame:
    """Every cell of the report with its provenance: label as printed, raw text, value, value
    class, place, `decided` (a key of DECIDED_LABELS) and the issues of its row."""
    return run(
        con,
        """
        with issues as (
            select table_id, row_key, list(distinct code order by code) as codes,
                   string_agg(code || ': ' || message, chr(10) order by code) as issues
            from report_quality where report_id = ? and row_key is not null
            group by all
        )
        select c.table_id, c.row_key, c.col_key, c.row_label, c.raw_text, c.value, c.value_class,
               c.is_reconstructed, c.decided_by, c.source_place, i.issues,
               case
                   when c.decided_by in ('X-2', 'X-3') then 'neighbouring_year'
                   when c.decided_by = 'narrative' then 'narrative'
                   when c.decided_by = 'plausibility' then 'plausibility'
                   when c.is_reconstructed then 'reconstructed'
                   when c.value is null and list_contains(i.codes, 'cells_ambiguous') then 'open'
                   when list_has_any(i.codes, ['digits_split', 'digits_rejoined']) then 'identity'
                   else 'printed'
               end as decided
        from staging.stg_cells c
        left join issues i on i.table_id = c.table_id and i.row_key = c.row_key
        where c.report_id = ?
        order by c.table_id, c.row_key, c.col_key
        """,
        [report_id, report_id],
    )


def report_issues(con: duckdb.DuckDBPyConnection, report_id: str) -> pl.DataFrame:
    """Every recorded issue of the report."""
    return run(
        con,
        """
        select severity, code, identity, table_id, row_key, place, reported, recomputed, delta, message, action
        from report_quality where report_id = ?
        order by case severity when 'error' then 0 when 'warning' then 1 else 2 end, code, place
        """,
        [report_id],
    )


def form_labels(con: duckdb.DuckDBPyConnection, table2_format: str | None) -> dict[str, pl.DataFrame]:
    """The official rows and columns to lay a report out on: 表二 metrics of its layout, 表三
    outcome leaves and applicant columns, 表四 blocks and results."""
    return {
        "table2": run(
            con,
            "select clause_zh, item_key, item_order, item_label_zh, metric_key, metric_order, metric_label_zh, unit"
            " from dim_disclosure_metric where table2_format = ? order by item_order, metric_order",
            [table2_format or "2021"],
        ),
        "outcomes": run(
            con,
            "select outcome_key, outcome_order, label_zh, group_key, group_order, group_label_zh, in_2019_format,"
            " in_2021_format"
            " from dim_outcome order by outcome_order, outcome_key",
        ),
        "applicants": run(
            con,
            "select applicant_type, applicant_order, label_zh, class_label_zh from dim_applicant_type order by 2",
        ),
    }
