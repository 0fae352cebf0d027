-- One row per agency × year from its current report version: the request flow (printed 总计
-- column), outcome rates, review and litigation counts, and the change from the year before.
-- Every rate has its numerator and denominator beside it; a rate over 0 or over a blank is null.
with reports as (

    select * from {{ ref('dim_report') }}
    where is_current_version and report_year is not null

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

metrics as (

    select * from {{ ref('int_report_metrics') }}

),

yearly as (

    select
        reports.agency_id,
        reports.report_year,
        reports.report_id,
        reports.agency_name as agency_name_reported,
        reports.agency_kind,
        reports.template,
        reports.quality_status,
        reports.n_versions,
        metrics.received,
        metrics.carried_over,
        metrics.handled,
        metrics.carried_forward,
        metrics.granted,
        metrics.partially_granted,
        metrics.withheld,
        metrics.unable,
        metrics.rejected,
        metrics.other_handling,
        metrics.review_total,
        metrics.review_corrected,
        metrics.litigation_direct_total,
        metrics.litigation_after_review_total,
        {{ safe_rate('metrics.granted + metrics.partially_granted', 'metrics.handled') }} as disclosure_rate
    from reports
    inner join metrics on metrics.report_id = reports.report_id

),

with_previous as (

    select
        yearly.*,
        previous.report_id as previous_report_id,
        previous.received as received_previous_year,
        previous.handled as handled_previous_year,
        previous.disclosure_rate as disclosure_rate_previous_year
    from yearly
    left join yearly as previous
        on previous.agency_id = yearly.agency_id
        and previous.report_year = yearly.report_year - 1

)

select
    with_previous.agency_id,
    agencies.agency_name,
    with_previous.agency_name_reported,
    with_previous.report_year,
    with_previous.report_id,
    with_previous.n_versions,
    with_previous.agency_kind,
    agencies.agency_level,
    agencies.region_code,
    agencies.region_name,
    agencies.prefecture_name,
    agencies.province_name,
    with_previous.template,
    with_previous.quality_status,

    -- 表三, printed 总计 column
    with_previous.received,
    with_previous.carried_over,
    with_previous.handled,
    with_previous.carried_forward,

    -- 实质公开率 = (予以公开 + 部分公开) / 办理总计
    with_previous.granted + with_previous.partially_granted as disclosure_rate_numerator,
    with_previous.handled as disclosure_rate_denominator,
    with_previous.disclosure_rate,

    -- refusal rates by reason group: 不予公开, 无法提供, 不予处理, 其他处理 / 办理总计
    {% for group in ['withheld', 'unable', 'rejected', 'other_handling'] %}
    {{ rate_columns(group ~ '_rate', 'with_previous.' ~ group, 'with_previous.handled') }},
    {% endfor %}

    -- 表四: 复议纠错率 = 行政复议 结果纠正 / 行政复议 总计; 行政诉讼 totals
    {{ rate_columns('review_correction_rate', 'with_previous.review_corrected', 'with_previous.review_total') }},
    with_previous.litigation_direct_total,
    with_previous.litigation_after_review_total,

    -- year over year (the same agency's current report for the year before)
    with_previous.previous_report_id,
    with_previous.received_previous_year,
    with_previous.received - with_previous.received_previous_year as received_change,
    with_previous.handled_previous_year,
    with_previous.handled - with_previous.handled_previous_year as handled_change,
    with_previous.disclosure_rate_previous_year,
    with_previous.disclosure_rate - with_previous.disclosure_rate_previous_year as disclosure_rate_change
from with_previous
inner join agencies on agencies.agency_id = with_previous.agency_id
