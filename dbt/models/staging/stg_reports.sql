-- One row per report, typed, with the agency key every mart joins on. report_id is a content
-- hash, so the same bytes saved under two file names are one report: keep the first path.
with source as (

    select * from {{ source('staging', 'reports') }}

),

renamed as (

    select
        report_id::varchar as report_id,
        content_hash::varchar as content_hash,
        file_name::varchar as file_name,
        source_path::varchar as source_path,
        file_format::varchar as file_format,
        byte_size::bigint as byte_size,
        agency_raw::varchar as agency_raw,
        nullif(trim(agency_name), '')::varchar as agency_name,
        report_year::integer as report_year,
        template::varchar as template,
        is_hybrid::boolean as is_hybrid,
        parse_status::varchar as parse_status,
        quality_status::varchar as quality_status,
        n_issues::integer as n_issues,
        parser_version::varchar as parser_version
    from source

),

deduplicated as (

    select
        *,
        count(*) over (partition by report_id) as n_source_files
    from renamed
    qualify row_number() over (partition by report_id order by source_path, file_name) = 1

)

select
    *,
    -- An unidentified report is its own agency: grouping unrelated unnamed reports would
    -- invent an agency. The key is stable because report_id is a content hash.
    md5(
        case
            when agency_name is null then 'report:' || report_id
            else 'agency:' || agency_name
        end
    ) as agency_id
from deduplicated
