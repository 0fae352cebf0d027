-- One row per row of a pre-2019 report's 统计表 (指标名称 | 计量单位 | 本年度 | 历年累计), values as
-- printed. A row whose run-together this-year and cumulative digits the report left open, and the
-- agency's neighbouring year decided (staging decisions, X-6), takes the decided pair and is
-- marked decided_by = 'across_years'. Blank stays null: never read as 0.
with source as (

    select * from {{ source('staging', 'pre2019_statistics') }}

),

decided_pairs as (

    select
        report_id,
        row_key,
        max(value) filter (where col_key = 'this_year') as this_year,
        max(value) filter (where col_key = 'cumulative') as cumulative
    from {{ source('staging', 'decisions') }}
    where table_id = 'pre2019_statistics'
    group by report_id, row_key

),

-- distinct: identical copies of one file yield identical rows under the same report_id.
statistics as (

    select distinct
        report_id::varchar as report_id,
        row_no::integer as row_no,
        indicator::varchar as indicator,
        indicator_key::varchar as indicator_key,
        parent_key::varchar as parent_key,
        unit::varchar as unit,
        this_year::double as this_year,
        cumulative::double as cumulative,
        has_cumulative::boolean as has_cumulative,
        raw_text::varchar as raw_text,
        status::varchar as status,
        decided_by::varchar as decided_by,
        candidates::double[][] as candidates,
        place::varchar as source_place
    from source

)

select
    statistics.report_id,
    statistics.row_no,
    statistics.indicator,
    statistics.indicator_key,
    statistics.parent_key,
    statistics.unit,
    case
        when decided_pairs.report_id is not null then decided_pairs.this_year else statistics.this_year
    end as this_year,
    case
        when decided_pairs.report_id is not null then decided_pairs.cumulative else statistics.cumulative
    end as cumulative,
    statistics.has_cumulative,
    statistics.raw_text,
    case when decided_pairs.report_id is not null then 'decided' else statistics.status end as status,
    case when decided_pairs.report_id is not null then 'across_years' else statistics.decided_by end as decided_by,
    case when decided_pairs.report_id is null then statistics.candidates end as candidates,
    statistics.source_place
from statistics
left join decided_pairs
    on decided_pairs.report_id = statistics.report_id
    and decided_pairs.row_key = statistics.indicator_key
    and statistics.status = 'open'
