-- Each report's agency and its version: files reporting on the same agency and year are versions
-- of one report, and the newest file (modification time) is the current one.
with reports as (

    select * from {{ ref('stg_reports') }}

),

agency_names as (

    select * from {{ ref('int_agency_names') }}

),

keyed as (

    select
        reports.report_id,
        reports.report_year,
        reports.source_mtime,
        -- An unnamed report is its own agency: pooling unrelated unnamed reports would invent one.
        md5(
            case
                when reports.agency_name is null then 'report:' || reports.report_id
                else 'agency:' || agency_names.first_name
            end
        ) as agency_id
    from reports
    left join agency_names on agency_names.agency_name = reports.agency_name

),

ranked as (

    select
        report_id,
        agency_id,
        report_year,
        row_number() over (
            partition by agency_id, report_year
            order by source_mtime desc nulls last, report_id asc
        ) as version_rank,
        count(*) over (partition by agency_id, report_year) as n_versions
    from keyed

)

select
    *,
    version_rank = 1 as is_current_version
from ranked
