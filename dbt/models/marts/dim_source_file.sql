-- One row per file under raw/, and what became of it: parsed, flagged or failed (the report's
-- status), a duplicate of another file with the same bytes (staged once, under the first path),
-- or rejected with the reason. Nothing that entered raw/ is missing from here.
with files as (

    select * from {{ ref('stg_source_files') }}

),

reports as (

    select
        report_id,
        parse_status
    from {{ ref('stg_reports') }}

),

ranked as (

    select
        *,
        first_value(source_path) over (
            partition by content_hash order by source_path
        ) as first_path
    from files

)

select
    ranked.source_path,
    ranked.file_name,
    ranked.byte_size,
    ranked.modified_at,
    ranked.content_hash,
    case when ranked.status = 'report' then ranked.report_id end as report_id,
    case
        when ranked.status = 'rejected' then 'rejected'
        when ranked.source_path <> ranked.first_path then 'duplicate'
        else coalesce(reports.parse_status, 'not_staged')
    end as status,
    ranked.reason,
    case
        when ranked.status = 'report' and ranked.source_path <> ranked.first_path then ranked.first_path
    end as duplicate_of,
    reports.parse_status
from ranked
left join reports
    on reports.report_id = ranked.report_id
