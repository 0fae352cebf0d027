-- One row per issue the parser recorded. The parser writes '' for "no place/identity".
-- A 表二 row decided after parsing (staging decisions: the agency's neighbouring year, or the
-- plausibility rules) trades its cells_ambiguous error for the decision's warning.
with source as (

    select * from {{ source('staging', 'issues') }}

),

decided_rows as (

    select distinct report_id, table_id, row_key, identity, code, message
    from {{ source('staging', 'decisions') }}

),

-- distinct: identical copies of one file yield identical rows under the same report_id.
parsed as (

    select distinct
        report_id::varchar as report_id,
        code::varchar as code,
        severity::varchar as severity,
        message::varchar as message,
        nullif(place, '')::varchar as place,
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
        and parsed.code = 'cells_ambiguous'
        and parsed.place like decided_rows.table_id || '.' || decided_rows.row_key || ' %'
    where decided_rows.report_id is null

)

select * from still_open

union all

select
    report_id::varchar,
    code::varchar,
    'warning',
    message::varchar,
    (table_id || '.' || row_key)::varchar,
    identity::varchar,
    null::double,
    null::double,
    null::double
from decided_rows
