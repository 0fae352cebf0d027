-- Every entry under raw/ the refresh saw, typed: the report files and the files not read.
with source as (

    select * from {{ source('staging', 'inventory') }}

)

select
    path::varchar as source_path,
    file_name::varchar as file_name,
    byte_size::bigint as byte_size,
    make_timestamp((mtime_ns // 1000)::bigint) as modified_at,
    content_hash::varchar as content_hash,
    left(content_hash, 16)::varchar as report_id,
    status::varchar as status,
    reason::varchar as reason
from source
