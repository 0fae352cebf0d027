{# Fails on values below zero. Nulls (blank cells) are not values and pass.
   With `consistent_in`, only rows of reports that relation marks consistent are checked: a
   negative count in the source is the parser's to flag (negative_count), not a reason to
   block the whole warehouse. (The {% if %} ends a line rather than starting one: on a line of
   its own, sqlfluff wants it indented in one rendering and not in the other.) #}
{% test not_negative(model, column_name, consistent_in=none) %}

select *  -- noqa: AM04
from {{ model }}
where
    {{ column_name }} < 0 {% if consistent_in is not none %}
    and report_id in (
        select consistent_reports.report_id
        from {{ consistent_in }} as consistent_reports
        where consistent_reports.quality_status = 'consistent'
    )
{% endif %}

{% endtest %}
