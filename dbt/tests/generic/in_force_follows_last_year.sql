{#
    X-2 (soft), 2021 表二 layout: this year's 现行有效件数 equals the same agency's 现行有效件数 of the
    year before + this year's 本年制发件数 − 本年废止件数, per item (规章, 行政规范性文件). Both years
    must print the 2021 layout; current report versions only. Blank operands: not listed.
#}
{% test in_force_follows_last_year(model) %}

with disclosure as (

    select
        reports.agency_id,
        reports.agency_name,
        reports.report_year,
        reports.file_name,
        reports.report_id,
        facts.item_key,
        facts.item_label_zh,
        max(facts.value) filter (where facts.metric_key = 'issued') as issued,
        max(facts.value) filter (where facts.metric_key = 'repealed') as repealed,
        max(facts.value) filter (where facts.metric_key = 'in_force') as in_force
    from {{ model }} as facts
    inner join {{ ref('dim_report') }} as reports on reports.report_id = facts.report_id
    where
        facts.table2_format = '2021'
        and facts.item_key in ('regulations', 'normative_documents')
        and reports.agency_name is not null
        and reports.is_current_version
    group by all

)

select
    this_year.agency_name,
    this_year.report_year,
    this_year.item_key,
    this_year.item_label_zh,
    this_year.in_force as in_force_this_year,
    last_year.in_force as in_force_last_year,
    this_year.issued,
    this_year.repealed,
    last_year.in_force + this_year.issued - this_year.repealed as in_force_expected,
    this_year.in_force - (last_year.in_force + this_year.issued - this_year.repealed) as delta,
    this_year.file_name,
    last_year.file_name as file_name_last_year
from disclosure as this_year
inner join disclosure as last_year
    on last_year.agency_id = this_year.agency_id
    and last_year.report_year = this_year.report_year - 1
    and last_year.item_key = this_year.item_key
where this_year.in_force <> last_year.in_force + this_year.issued - this_year.repealed

{% endtest %}
