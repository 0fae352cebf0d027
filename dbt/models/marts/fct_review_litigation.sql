-- 表四 in long form: one row per report × block × result (the printed total is a row too).
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with cells as (

    select * replace (value::bigint as value) from {{ changed_rows(ref('stg_cells')) }}
    where table_id = 'table4' and {{ only_changed_reports() }}

),

reports as (

    select * from {{ changed_rows(ref('stg_reports')) }}

),

blocks as (

    select * from {{ ref('dim_review_block') }}

),

results as (

    select * from {{ ref('dim_review_result') }}

)

select
    cells.report_id,
    reports.report_year,
    reports.template,
    cells.row_key as block,
    blocks.block_order,
    blocks.label_zh as block_label_zh,
    blocks.label_en as block_label_en,
    cells.col_key as result,
    results.result_order,
    results.label_zh as result_label_zh,
    results.label_en as result_label_en,
    results.is_total,
    cells.value,
    cells.value_class,
    cells.raw_text,
    cells.is_reconstructed
from cells
inner join reports on reports.report_id = cells.report_id
inner join blocks on blocks.block = cells.row_key
inner join results on results.result = cells.col_key
