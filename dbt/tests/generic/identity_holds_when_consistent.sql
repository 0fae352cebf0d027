{#
    Fails on every assessable instance of `identity` that does not hold in a report the
    parser marked consistent. Not assessable instances (a blank operand) never pass or fail.
#}
{% test identity_holds_when_consistent(model, identity) %}

select
    checks.*,  -- noqa: AM04
    reports.file_name,
    reports.quality_status
from {{ model }} as checks
inner join {{ ref('dim_report') }} as reports on reports.report_id = checks.report_id
where
    checks.identity = '{{ identity }}'
    and reports.quality_status = 'consistent'
    and checks.assessable
    and not checks.holds

{% endtest %}
