-- One row per printed (or missing) cell of 表二/表三/表四. Blank stays null: never read as 0.
with source as (

    select * from {{ source('staging', 'cells') }}

)

-- distinct: identical copies of one file yield identical rows under the same report_id.
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
