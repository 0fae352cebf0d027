{#
    Every identity break recomputed in SQL must be a parser issue too (same report, identity
    and place), and its report must not be marked consistent. Guards against the parser and
    the warehouse silently disagreeing.
#}
{% test identity_breaks_are_reported(model) %}

with breaks as (

    select * from {{ model }}
    where assessable and not holds

),

listed as (

    select distinct
        report_id,
        identity,
        place
    from {{ ref('report_quality') }}

)

select
    breaks.*,  -- noqa: AM04
    reports.file_name,
    reports.quality_status,
    case
        when listed.report_id is null then 'missing from report_quality'
        else 'report marked consistent'
    end as reason
from breaks
inner join {{ ref('dim_report') }} as reports on reports.report_id = breaks.report_id
left join listed
    on listed.report_id = breaks.report_id
    and listed.identity = breaks.identity
    and listed.place = breaks.place
where
    listed.report_id is null
    or reports.quality_status = 'consistent'

{% endtest %}
