-- One row per report, typed, with the agency resolution the parser made. report_id is a content
-- hash, so the same bytes saved under two file names are one report: keep the first path.
-- (Different bytes for the same agency and year are versions: see int_report_versions.)
-- Per report, so built by report (macros/incremental_by_report.sql).
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with source as (

    select * from {{ staged('reports') }}

),

renamed as (

    select
        report_id::varchar as report_id,
        content_hash::varchar as content_hash,
        file_name::varchar as file_name,
        source_path::varchar as source_path,
        file_format::varchar as file_format,
        byte_size::bigint as byte_size,
        source_mtime::timestamp as source_mtime,
        agency_raw::varchar as agency_raw,
        nullif(trim(agency_name), '')::varchar as agency_name,
        agency_kind::varchar as agency_kind,
        agency_level::varchar as agency_level,
        region_code::varchar as region_code,
        prefecture_code::varchar as prefecture_code,
        province_code::varchar as province_code,
        agency_confidence::double as agency_confidence,
        agency_evidence::varchar as agency_evidence,
        report_year::integer as report_year,
        template::varchar as template,
        table2_variant::varchar as table2_format,
        table3_variant::varchar as table3_format,
        is_hybrid::boolean as is_hybrid,
        parse_status::varchar as parse_status,
        quality_status::varchar as quality_status,
        n_issues::integer as n_issues,
        parser_version::varchar as parser_version
    from source

)

select
    *,
    count(*) over (partition by report_id) as n_source_files
from renamed
qualify row_number() over (partition by report_id order by source_path, file_name) = 1
