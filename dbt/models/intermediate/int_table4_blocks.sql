-- 表四 per report × block: the four results, the printed total and their strict sum.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with cells as (

    select * replace (value::bigint as value) from {{ changed_rows(ref('stg_cells')) }}
    where table_id = 'table4' and {{ only_changed_reports() }}

),

results as (

    select * from {{ ref('dim_review_result') }}

)

select
    cells.report_id,
    cells.row_key as block,
    max(cells.value) filter (where cells.col_key = 'upheld') as upheld,
    max(cells.value) filter (where cells.col_key = 'corrected') as corrected,
    max(cells.value) filter (where cells.col_key = 'other') as other,
    max(cells.value) filter (where cells.col_key = 'pending') as pending,
    max(cells.value) filter (where results.is_total) as total_reported,
    {{ strict_sum('cells.value', n_expected=4, where='not results.is_total') }} as total_recomputed
from cells
inner join results on results.result = cells.col_key
group by all
