-- 表三 三、本年度办理结果: one row per report × applicant column × outcome leaf, as printed.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with cells as (

    select * replace (value::bigint as value) from {{ changed_rows(ref('stg_cells')) }}
    where table_id = 'table3' and {{ only_changed_reports() }}

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

outcomes as (

    select * from {{ ref('dim_outcome') }}

),

applicant_types as (

    select * from {{ ref('dim_applicant_type') }}

)

select
    cells.report_id,
    reports.report_year,
    reports.template,
    formats.table3_format,
    cells.col_key as applicant_type,
    applicant_types.applicant_order,
    applicant_types.label_zh as applicant_label_zh,
    applicant_types.label_en as applicant_label_en,
    applicant_types.is_total,
    outcomes.outcome_key,
    outcomes.outcome_order,
    outcomes.label_zh as outcome_label_zh,
    outcomes.label_en as outcome_label_en,
    outcomes.group_key as outcome_group,
    outcomes.group_label_zh as outcome_group_label_zh,
    outcomes.group_label_en as outcome_group_label_en,
    outcomes.comparable_outcome_key,
    cells.value,
    cells.value_class,
    cells.raw_text,
    cells.is_reconstructed
from cells
inner join outcomes on outcomes.outcome_key = cells.row_key
inner join applicant_types on applicant_types.applicant_type = cells.col_key
inner join reports on reports.report_id = cells.report_id
left join formats on formats.report_id = cells.report_id
