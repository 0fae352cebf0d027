-- Every issue the parser recorded, with the report it belongs to. Identity breaks carry
-- the identity, its place, the printed and recomputed values and their delta; the catalogue
-- (dim_issue_code) says what each code means and what to do.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with issues as (

    select * from {{ changed_rows(ref('stg_issues')) }}
    where {{ only_changed_reports() }}

),

codes as (

    select * from {{ ref('dim_issue_code') }}

),

reports as (

    select * from {{ changed_rows(ref('stg_reports')) }}

)

select
    issues.report_id,
    reports.file_name,
    reports.agency_name,
    reports.report_year,
    reports.template,
    reports.quality_status,
    issues.identity,
    issues.place,
    issues.reported,
    issues.recomputed,
    issues.delta,
    issues.severity,
    issues.code,
    issues.message,
    issues.table_id,
    issues.row_key,
    issues.code = 'identity_broken' as is_identity_break,
    codes.meaning,
    codes.action
from issues
left join reports on reports.report_id = issues.report_id
left join codes on codes.code = issues.code
