-- One row per issue the parser recorded. The parser writes '' for "no place/identity";
-- table_id/row_key name the row an issue is about (null: the report, a table or a column).
-- A 表二 row decided after parsing (staging decisions: the agency's neighbouring year, or the
-- plausibility rules) trades its cells_ambiguous error for the decision's warning.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with source as (

    select * from {{ staged('issues') }}

),

decided_rows as (

    select distinct
        report_id,
        table_id,
        row_key,
        identity,
        code,
        message
    from {{ source('staging', 'decisions') }}
    where {{ only_changed_reports() }}

),

-- distinct: identical copies of one file yield identical rows under the same report_id.
parsed as (

    select distinct
        report_id::varchar as report_id,
        code::varchar as code,
        severity::varchar as severity,
        message::varchar as message,
        nullif(place, '')::varchar as place,
        table_id::varchar as table_id,
        row_key::varchar as row_key,
        nullif(identity, '')::varchar as identity,
        reported::double as reported,
        recomputed::double as recomputed,
        delta::double as delta
    from source

),

still_open as (

    select parsed.*
    from parsed
    left join decided_rows
        on decided_rows.report_id = parsed.report_id
        and decided_rows.table_id = parsed.table_id
        and decided_rows.row_key = parsed.row_key
        and parsed.code = 'cells_ambiguous'
    where decided_rows.report_id is null

)

select * from still_open

union all

select
    report_id::varchar as report_id,
    code::varchar as code,
    'warning' as severity,
    message::varchar as message,
    (table_id || '.' || row_key)::varchar as place,
    table_id::varchar as table_id,
    row_key::varchar as row_key,
    identity::varchar as identity,
    null::double as reported,
    null::double as recomputed,
    null::double as delta
from decided_rows
