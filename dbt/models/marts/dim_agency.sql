-- One row per reporting body (normalized name). A report that never names its agency gets
-- a row of its own (is_identified = false) rather than being pooled with other unnamed reports.
with reports as (

    select * from {{ ref('stg_reports') }}

)

select
    agency_id,
    agency_name,
    agency_name is not null as is_identified,
    list_sort(list(distinct agency_raw) filter (where agency_raw is not null)) as names_as_reported,
    min(report_year) as first_year,
    max(report_year) as last_year,
    count(*) as n_reports,
    count(distinct report_year) as n_report_years
from reports
group by agency_id, agency_name
