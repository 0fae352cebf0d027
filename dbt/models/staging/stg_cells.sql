-- One row per printed (or missing) cell of 表二/表三/表四. Blank stays null: never read as 0.
-- A 表二 cell the printed digits left open and a later decision settled (staging decisions:
-- the agency's neighbouring year, or the plausibility rules) takes the decided value, marked
-- with what decided it.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with source as (

    select * from {{ staged('cells') }}

),

decisions as (

    select * from {{ source('staging', 'decisions') }}
    where {{ only_changed_reports() }}

),

-- distinct: identical copies of one file yield identical rows under the same report_id.
cells as (

    select distinct
        report_id::varchar as report_id,
        table_id::varchar as table_id,
        row_key::varchar as row_key,
        col_key::varchar as col_key,
        row_label::varchar as row_label,
        raw_text::varchar as raw_text,
        value::double as value,
        value_class::varchar as value_class,
        is_reconstructed::boolean as is_reconstructed,
        place::varchar as source_place
    from source

)

select
    cells.report_id,
    cells.table_id,
    cells.row_key,
    cells.col_key,
    cells.row_label,
    cells.raw_text,
    coalesce(decisions.value::double, cells.value) as value,
    case when decisions.value is not null then 'number' else cells.value_class end as value_class,
    cells.is_reconstructed,
    decisions.identity::varchar as decided_by,
    cells.source_place
from cells
left join decisions
    on decisions.report_id = cells.report_id
    and decisions.table_id = cells.table_id
    and decisions.row_key = cells.row_key
    and decisions.col_key = cells.col_key
