-- Name history: one row per agency × name it reported under (normalized), with the years each
-- name was used and the rename (dbt seed agency_renames) that links it to the next name.
with reports as (

    select * from {{ ref('stg_reports') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}

),

renames as (

    select * from {{ ref('agency_renames') }}

),

names as (

    select
        versions.agency_id,
        reports.agency_name,
        list_sort(list(distinct reports.agency_raw) filter (where reports.agency_raw is not null))
            as names_as_printed,
        min(reports.report_year) as first_year,
        max(reports.report_year) as last_year,
        count(*) as n_reports
    from reports
    inner join versions on versions.report_id = reports.report_id
    where reports.agency_name is not null
    group by versions.agency_id, reports.agency_name

)

select
    names.agency_id,
    names.agency_name,
    names.names_as_printed,
    names.first_year,
    names.last_year,
    names.n_reports,
    renames.new_name as renamed_to,
    renames.effective_year as renamed_in,
    renames.note as rename_note
from names
left join renames on renames.old_name = names.agency_name
