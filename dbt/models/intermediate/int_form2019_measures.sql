-- The measures of fct_disclosure_long_series that the 2019 form holds, per report × measure: the
-- 表三/表四 cells ref_pre2019_indicator_map names for each, added up (strictly: null unless every
-- cell is a number). Per report, so built by report; the mart adds the agency and version.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with indicators as (

    select * from {{ ref('ref_pre2019_indicator_map') }}
    where measure_key is not null

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
    from {{ changed_rows(ref('stg_cells')) }} as cells
    inner join form_cells
        on form_cells.form2019_table_id = cells.table_id
        and form_cells.row_key = cells.row_key
        and form_cells.form2019_col_key = cells.col_key
    inner join expected on expected.measure_key = form_cells.measure_key
    where {{ only_changed_reports('cells.report_id') }}
    group by cells.report_id, form_cells.measure_key

)

select * from form2019
