-- A few measures drawn across the 2019 reform, one row per report × measure: requests received,
-- handled, granted, partly granted and refused, review and litigation cases. Up to 2018 they come
-- from the report's 统计表 (basis 'pre2019_statistics'), from 2019 from 表三/表四 of the 2019 or
-- 2021 form (basis '2019_form'); ref_pre2019_indicator_map says which cells correspond. The two
-- bases count differently (pre-2019 tables often count items of information requested, the 2019
-- form counts applications): compare within a basis, and mark the break when drawing both.
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

-- the 2019 form's cells of each measure (a measure may add up several rows, e.g. both litigation blocks)
form_cells as (

    select distinct
        measure_key,
        measure_label_en,
        form2019_table_id,
        unnest(string_split(form2019_row_keys, '|')) as row_key,
        form2019_col_key,
        form2019_label_zh
    from indicators
    where form2019_table_id is not null

),

expected as (

    select
        measure_key,
        count(*) as n_cells
    from form_cells
    group by measure_key

),

form2019 as (

    select
        cells.report_id,
        form_cells.measure_key,
        any_value(form_cells.measure_label_en) as measure_label_en,
        any_value(form_cells.form2019_label_zh) as source_label,
        -- null unless every cell of the measure is printed as a number
        {{ strict_sum('cells.value', n_expected='any_value(expected.n_cells)') }} as value
    from {{ ref('stg_cells') }} as cells
    inner join form_cells
        on form_cells.form2019_table_id = cells.table_id
        and form_cells.row_key = cells.row_key
        and form_cells.form2019_col_key = cells.col_key
    inner join expected on expected.measure_key = form_cells.measure_key
    group by cells.report_id, form_cells.measure_key

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
