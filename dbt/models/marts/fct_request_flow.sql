-- 表三 per report × applicant column: the request flow, printed and recomputed side by side.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with table3_columns as (

    select * from {{ changed_rows(ref('int_table3_columns')) }}
    where {{ only_changed_reports() }}

),

reports as (

    select * from {{ changed_rows(ref('stg_reports')) }}

),

applicant_types as (

    select * from {{ ref('dim_applicant_type') }}

),

flow as (

    select
        report_id,
        applicant_type,
        new_received as received,
        carried_over,
        total_handled as handled_reported,
        outcome_leaves_sum as handled_recomputed,
        carried_forward as carried_forward_reported,
        new_received + carried_over - total_handled as carried_forward_recomputed
    from table3_columns

)

select
    flow.report_id,
    reports.report_year,
    reports.template,
    flow.applicant_type,
    applicant_types.applicant_order,
    applicant_types.label_zh as applicant_label_zh,
    applicant_types.label_en as applicant_label_en,
    applicant_types.is_total,
    flow.received,
    flow.carried_over,
    flow.handled_reported,
    flow.handled_recomputed,
    flow.handled_reported - flow.handled_recomputed as handled_delta,
    flow.carried_forward_reported,
    flow.carried_forward_recomputed,
    flow.carried_forward_reported - flow.carried_forward_recomputed as carried_forward_delta
from flow
inner join reports on reports.report_id = flow.report_id
inner join applicant_types on applicant_types.applicant_type = flow.applicant_type
