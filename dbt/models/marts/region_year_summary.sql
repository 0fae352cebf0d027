-- One row per region (province / prefecture / county) × year × basis, from current report
-- versions. The two bases are never mixed, so nothing is counted twice:
--   aggregate_report  a whole-region report (全市/全县 汇总) of exactly this region: agency_kind =
--                     aggregate, or any report of an agency that publishes such reports in other
--                     years (a zone's or county's yearly summary does not always say so);
--   agency_reports    the own reports of every agency placed in the region, at any depth below it
--                     (aggregate reports excluded: they repeat what these report).
with reports as (

    select * from {{ ref('dim_report') }}
    where is_current_version and report_year is not null

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}

),

-- the most specific place each report is known to belong to
placed as (

    select
        reports.report_id,
        reports.agency_id,
        reports.report_year,
        reports.agency_kind = 'aggregate' or agencies.publishes_aggregate_reports as is_aggregate,
        reports.region_code,
        place.county_code,
        place.prefecture_code,
        place.province_code
    from reports
    inner join agencies on agencies.agency_id = reports.agency_id
    inner join regions as place
        on place.region_code = coalesce(reports.region_code, reports.prefecture_code, reports.province_code)

),

memberships as (

    select
        report_id,
        agency_id,
        report_year,
        region_code,
        'aggregate_report' as basis
    from placed
    where is_aggregate and region_code is not null

    union all

    select
        report_id,
        agency_id,
        report_year,
        county_code as region_code,
        'agency_reports' as basis
    from placed
    where not is_aggregate and county_code is not null

    union all

    select
        report_id,
        agency_id,
        report_year,
        prefecture_code as region_code,
        'agency_reports' as basis
    from placed
    where not is_aggregate and prefecture_code is not null

    union all

    select
        report_id,
        agency_id,
        report_year,
        province_code as region_code,
        'agency_reports' as basis
    from placed
    where not is_aggregate

),

summed as (

    select
        memberships.region_code,
        memberships.report_year,
        memberships.basis,
        count(*) as n_reports,
        count(distinct memberships.agency_id) as n_agencies,
        list_sort(list(memberships.report_id)) as report_ids,
        -- strict: one blank in one report makes the region's figure unknown, not smaller
        {{ strict_sum('metrics.received') }} as received,
        {{ strict_sum('metrics.carried_over') }} as carried_over,
        {{ strict_sum('metrics.handled') }} as handled,
        {{ strict_sum('metrics.carried_forward') }} as carried_forward,
        {{ strict_sum('metrics.granted + metrics.partially_granted') }} as disclosed,
        {{ strict_sum('metrics.review_total') }} as review_total,
        {{ strict_sum('metrics.review_corrected') }} as review_corrected,
        {{ strict_sum('metrics.litigation_direct_total') }} as litigation_direct_total,
        {{ strict_sum('metrics.litigation_after_review_total') }} as litigation_after_review_total
    from memberships
    inner join metrics on metrics.report_id = memberships.report_id
    group by all

)

select
    summed.region_code,
    regions.region_name,
    regions.region_level,
    regions.region_level_label_zh,
    regions.prefecture_name,
    regions.province_name,
    summed.report_year,
    summed.basis,
    case summed.basis
        when 'aggregate_report' then '全地区汇总报告'
        else '各机关本级报告合计'
    end as basis_label_zh,
    summed.n_reports,
    summed.n_agencies,
    summed.report_ids,
    summed.received,
    summed.carried_over,
    summed.handled,
    summed.carried_forward,
    {{ rate_columns('disclosure_rate', 'summed.disclosed', 'summed.handled') }},
    {{ rate_columns('review_correction_rate', 'summed.review_corrected', 'summed.review_total') }},
    summed.litigation_direct_total,
    summed.litigation_after_review_total
from summed
inner join regions on regions.region_code = summed.region_code
