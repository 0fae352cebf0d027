-- Every issue the parser recorded, with the report it belongs to. Identity breaks carry
-- the identity, its place, the printed and recomputed values and their delta.
with issues as (

    select * from {{ ref('stg_issues') }}

),

reports as (

    select * from {{ ref('stg_reports') }}

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
    issues.message
from issues
left join reports on reports.report_id = issues.report_id
