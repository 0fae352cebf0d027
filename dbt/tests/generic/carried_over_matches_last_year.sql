{#
    X-1 (soft): this year's 二、上年结转 per applicant column equals the same agency's 四、结转下年度
    of the year before (current report versions, agencies matched through renames). Agencies merge,
    split and correct figures, so run this at severity warn. A pair with a blank on either side is
    not assessable and is not listed.
#}
{% test carried_over_matches_last_year(model) %}

with flow as (

    select
        flow.report_id,
        reports.agency_id,
        reports.agency_name,
        reports.report_year,
        reports.file_name,
        flow.applicant_type,
        flow.applicant_label_zh,
        flow.carried_over,
        flow.carried_forward_reported
    from {{ model }} as flow
    inner join {{ ref('dim_report') }} as reports on reports.report_id = flow.report_id
    where
        reports.agency_name is not null
        and reports.is_current_version

)

select
    this_year.agency_name,
    this_year.report_year,
    this_year.applicant_type,
    this_year.applicant_label_zh,
    this_year.carried_over as carried_over_this_year,
    last_year.carried_forward_reported as carried_forward_last_year,
    this_year.carried_over - last_year.carried_forward_reported as delta,
    this_year.file_name,
    last_year.file_name as file_name_last_year,
    this_year.report_id,
    last_year.report_id as report_id_last_year
from flow as this_year
inner join flow as last_year
    on last_year.agency_id = this_year.agency_id
    and last_year.report_year = this_year.report_year - 1
    and last_year.applicant_type = this_year.applicant_type
where this_year.carried_over <> last_year.carried_forward_reported

{% endtest %}
