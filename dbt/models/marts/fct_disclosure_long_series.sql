-- A few measures drawn across the 2019 reform, one row per report × measure: requests received,
-- handled, granted, partly granted and refused, review and litigation cases. Up to 2018 they come
-- from the report's 统计表 (basis 'pre2019_statistics'), from 2019 from 表三/表四 of the 2019 or
-- 2021 form (basis '2019_form'); ref_pre2019_indicator_map says which cells correspond. The two
-- bases count differently (pre-2019 tables often count items of information requested, the 2019
-- form counts applications): compare within a basis, and mark the break when drawing both.
-- A view: it only joins tables of this build (the measures per report and dim_report), which is
-- quick to read, while storing it would rewrite its ~7 rows per report at every refresh.
{{ config(materialized='view') }}
with indicators as (

    select * from {{ ref('ref_pre2019_indicator_map') }}
    where measure_key is not null

),

statistics as (

    select * from {{ ref('fct_pre2019_statistics') }}
    where status in ('printed', 'decided')

),

reports as (

    select * from {{ ref('dim_report') }}

),

form2019 as (

    select * from {{ ref('int_form2019_measures') }}

),

long_rows as (

    select
        statistics.report_id,
        indicators.measure_key,
        indicators.measure_label_en,
        'pre2019_statistics' as basis,
        statistics.this_year as value,
        statistics.decided_by,
        statistics.indicator as source_label
    from statistics
    inner join indicators on indicators.indicator_key = statistics.indicator_key

    union all

    select
        form2019.report_id,
        form2019.measure_key,
        form2019.measure_label_en,
        '2019_form' as basis,
        form2019.value,
        null as decided_by,
        form2019.source_label
    from form2019

)

select
    long_rows.report_id,
    reports.agency_id,
    reports.agency_name,
    reports.report_year,
    reports.is_current_version,
    long_rows.measure_key,
    long_rows.measure_label_en,
    long_rows.basis,
    long_rows.value::bigint as value,
    long_rows.decided_by,
    long_rows.source_label
from long_rows
inner join reports on reports.report_id = long_rows.report_id
