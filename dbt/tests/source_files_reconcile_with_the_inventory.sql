{{ config(meta={'dagster': {'ref': {'name': 'dim_source_file'}}}) }}
-- Every file the inventory lists is in dim_source_file once; every staged report comes from a
-- listed file; every report file is staged (no status `not_staged`). Returns the offending rows.
with inventory as (

    select
        source_path,
        report_id
    from {{ ref('stg_source_files') }}

),

files as (

    select
        source_path,
        status,
        report_id
    from {{ ref('dim_source_file') }}

),

reports as (

    select report_id from {{ ref('stg_reports') }}

)

select
    'listed, not in dim_source_file' as problem,
    inventory.source_path as subject
from inventory
left join files
    on files.source_path = inventory.source_path
where files.source_path is null

union all

select
    'in dim_source_file more than once' as problem,
    source_path as subject
from files
group by source_path
having count(*) > 1

union all

select
    'report file not staged' as problem,
    source_path as subject
from files
where status = 'not_staged'

union all

select
    'staged report from no listed file' as problem,
    reports.report_id as subject
from reports
left join files
    on files.report_id = reports.report_id
where files.report_id is null
