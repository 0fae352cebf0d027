-- One row per report file: what it is, whose it is, which version it is, where it came from,
-- and how far it can be trusted.
with reports as (

    select * from {{ ref('stg_reports') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}

),

formats as (

    select
        report_id,
        table2_format,
        table3_format
    from {{ ref('stg_reports') }}

),

quality as (

    select * from {{ ref('report_quality') }}

),

quality_counts as (

    select
        reports.report_id,
        count(quality.report_id) as n_quality_rows,
        count(quality.report_id) filter (where quality.severity = 'error') as n_quality_errors,
        count(quality.report_id) filter (where quality.severity = 'warning') as n_quality_warnings,
        count(quality.report_id) filter (where quality.code = 'identity_broken') as n_identity_breaks
    from reports
    left join quality on quality.report_id = reports.report_id
    group by reports.report_id

)

select
    reports.report_id,
    versions.agency_id,
    coalesce(reports.agency_name, '（未识别机构）' || reports.file_name) as agency_name,
    reports.agency_name is not null as is_agency_identified,
    reports.agency_raw,
    reports.agency_kind,
    reports.agency_level,
    reports.region_code,
    reports.prefecture_code,
    reports.province_code,
    reports.agency_confidence,
    reports.report_year,
    versions.version_rank,
    versions.n_versions,
    versions.is_current_version,
    reports.template,
    reports.is_hybrid,
    formats.table2_format,
    formats.table3_format,
    reports.file_name,
    reports.source_path,
    reports.source_mtime,
    reports.n_source_files,
    reports.content_hash,
    reports.file_format,
    reports.byte_size,
    reports.parse_status,
    reports.quality_status,
    reports.n_issues,
    quality_counts.n_quality_rows,
    quality_counts.n_quality_errors,
    quality_counts.n_quality_warnings,
    quality_counts.n_identity_breaks,
    reports.parser_version
from reports
inner join versions on versions.report_id = reports.report_id
left join formats on formats.report_id = reports.report_id
left join quality_counts on quality_counts.report_id = reports.report_id
