-- The 统计表 of pre-2019 reports (2008–2018), one row per report × printed row. Counts are BIGINT
-- (a count printed with a fraction stays null rather than rounded); money rows (收取费用, 专项经费)
-- keep their decimals in the unit printed. Its basis is not the 2019 form's: see
-- ref_pre2019_indicator_map and fct_disclosure_long_series before comparing across 2019.
with statistics as (

    select * from {{ ref('stg_pre2019_statistics') }}

),

reports as (

    select * from {{ ref('dim_report') }}

),

indicators as (

    select * from {{ ref('ref_pre2019_indicator_map') }}

)

select
    statistics.report_id,
    reports.agency_id,
    reports.agency_name,
    reports.report_year,
    reports.is_current_version,
    statistics.row_no,
    statistics.indicator,
    statistics.indicator_key,
    indicators.label_en as indicator_label_en,
    statistics.parent_key,
    statistics.unit,
    coalesce(indicators.is_money, false) as is_money,
    case
        when not coalesce(indicators.is_money, false) and statistics.this_year = trunc(statistics.this_year)
            then statistics.this_year::bigint
    end as this_year,
    case
        when not coalesce(indicators.is_money, false) and statistics.cumulative = trunc(statistics.cumulative)
            then statistics.cumulative::bigint
    end as cumulative,
    case when indicators.is_money then statistics.this_year::decimal(20, 6) end as this_year_amount,
    case when indicators.is_money then statistics.cumulative::decimal(20, 6) end as cumulative_amount,
    statistics.has_cumulative,
    statistics.raw_text,
    statistics.status,
    statistics.decided_by,
    statistics.candidates,
    indicators.measure_key,
    statistics.source_place
from statistics
inner join reports on reports.report_id = statistics.report_id
-- left join: an indicator the map does not know must surface (relationships test), not vanish
left join indicators on indicators.indicator_key = statistics.indicator_key
