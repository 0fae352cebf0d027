-- 表二 in long form: one row per report × item × metric. A metric is keyed by the layout
-- that printed it, so 2019 and 2021 facts never share a key (the formats measure different things).
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with cells as (

    select * from {{ changed_rows(ref('stg_cells')) }}
    where table_id = 'table2' and {{ only_changed_reports() }}

),

reports as (

    select * from {{ changed_rows(ref('stg_reports')) }}

),

formats as (

    select
        report_id,
        table2_format,
        table3_format
    from {{ changed_rows(ref('stg_reports')) }}

),

metrics as (

    select * from {{ ref('dim_disclosure_metric') }}

)

select
    cells.report_id,
    reports.report_year,
    reports.template,
    formats.table2_format,
    metrics.disclosure_metric_id,
    cells.row_key as item_key,
    metrics.item_order,
    metrics.item_label_zh,
    metrics.item_label_en,
    metrics.clause_zh,
    cells.col_key as metric_key,
    metrics.metric_order,
    metrics.metric_label_zh,
    metrics.metric_label_en,
    metrics.unit,
    metrics.is_signed,
    -- counts are integers; money (normalized to 万元 by the parser, up to 6 decimals for 元) is decimal
    case when metrics.unit <> '万元' then cells.value::bigint end as value,
    case when metrics.unit = '万元' then cells.value::decimal(20, 6) end as amount_wan_yuan,
    cells.value_class,
    cells.raw_text,
    cells.is_reconstructed,
    cells.decided_by
from cells
inner join reports on reports.report_id = cells.report_id
inner join formats on formats.report_id = cells.report_id
-- left join: a cell the vocabulary does not know must surface (not_null test), not vanish
left join metrics
    on metrics.table2_format = formats.table2_format
    and metrics.item_key = cells.row_key
    and metrics.metric_key = cells.col_key
