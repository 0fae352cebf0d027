-- One row per issue the parser recorded. The parser writes '' for "no place/identity".
with source as (

    select * from {{ source('staging', 'issues') }}

)

-- distinct: identical copies of one file yield identical rows under the same report_id.
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
