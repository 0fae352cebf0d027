-- 表四 per report × block: printed total next to the strict sum of its four results.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with table4_blocks as (

    select * from {{ changed_rows(ref('int_table4_blocks')) }}
    where {{ only_changed_reports() }}

),

reports as (

    select * from {{ changed_rows(ref('stg_reports')) }}

),

blocks as (

    select * from {{ ref('dim_review_block') }}

)

select
    table4_blocks.report_id,
    reports.report_year,
    reports.template,
    table4_blocks.block,
    blocks.block_order,
    blocks.label_zh as block_label_zh,
    blocks.label_en as block_label_en,
    table4_blocks.upheld,
    table4_blocks.corrected,
    table4_blocks.other,
    table4_blocks.pending,
    table4_blocks.total_reported,
    table4_blocks.total_recomputed,
    table4_blocks.total_reported - table4_blocks.total_recomputed as total_delta
from table4_blocks
inner join reports on reports.report_id = table4_blocks.report_id
inner join blocks on blocks.block = table4_blocks.block
