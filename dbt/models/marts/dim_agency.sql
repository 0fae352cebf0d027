-- One row per reporting body, stable across years and renames (agency_id: see int_agency_names).
-- Name, kind, level and region come from its latest report (current version). A report that
-- never names its agency is an agency of its own (is_identified = false), never pooled.
with reports as (

    select
        reports.*,
        versions.agency_id,
        versions.is_current_version
    from {{ ref('stg_reports') }} as reports
    inner join {{ ref('int_report_versions') }} as versions on versions.report_id = reports.report_id

),

names as (

    select * from {{ ref('dim_agency_names') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

kinds as (

    select * from {{ ref('dim_agency_kind') }}

),

latest as (

    select *
    from reports
    where is_current_version
    qualify row_number() over (
        partition by agency_id
        order by report_year desc nulls last, agency_confidence desc nulls last, report_id asc
    ) = 1

),

name_history as (

    select
        agency_id,
        count(*) as n_names,
        string_agg(
            agency_name || ' (' || coalesce(first_year::varchar, '?')
            || case when last_year <> first_year then '–' || last_year else '' end || ')',
            ' → ' order by first_year, last_year, agency_name
        ) as name_history
    from names
    group by agency_id

),

report_counts as (

    select
        agency_id,
        min(report_year) as first_year,
        max(report_year) as last_year,
        count(distinct report_year) as n_report_years,
        count(*) filter (where is_current_version) as n_reports,
        count(*) as n_report_files,
        -- whole-region (汇总) reports in some year: its other years cover the region as well, even
        -- when their text says so less plainly (see region_year_summary)
        bool_or(agency_kind = 'aggregate') filter (where is_current_version) as publishes_aggregate_reports
    from reports
    group by agency_id

)

select
    latest.agency_id,
    -- a report that names no agency still needs a label to group and rank by: its file
    coalesce(latest.agency_name, '（未识别机构）' || latest.file_name) as agency_name,
    latest.agency_name is not null as is_identified,
    coalesce(name_history.n_names, 0) as n_names,
    name_history.name_history,
    latest.agency_kind,
    kinds.label_zh as agency_kind_label_zh,
    kinds.label_en as agency_kind_label_en,
    latest.agency_level,
    latest.region_code,
    own_region.region_name,
    own_region.region_level,
    place.county_code,
    place.county_name,
    place.prefecture_code,
    place.prefecture_name,
    place.province_code,
    place.province_name,
    latest.agency_confidence,
    latest.agency_evidence,
    report_counts.first_year,
    report_counts.last_year,
    report_counts.n_report_years,
    report_counts.n_reports,
    report_counts.n_report_files,
    coalesce(report_counts.publishes_aggregate_reports, false) as publishes_aggregate_reports
from latest
left join name_history on name_history.agency_id = latest.agency_id
left join report_counts on report_counts.agency_id = latest.agency_id
left join kinds on kinds.agency_kind = latest.agency_kind
left join regions as own_region on own_region.region_code = latest.region_code
-- the most specific place known: the agency's own region, else only its prefecture or province
left join regions as place
    on place.region_code = coalesce(latest.region_code, latest.prefecture_code, latest.province_code)
