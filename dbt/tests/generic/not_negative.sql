{# Fails on values below zero. Nulls (blank cells) are not values and pass.
   With `consistent_in`, only rows of reports that relation marks consistent are checked: a
   negative count in the source is the parser's to flag (negative_count), not a reason to
   block the whole warehouse. #}
{% test not_negative(model, column_name, consistent_in=none) %}

select *
from {{ model }}
where {{ column_name }} < 0
{% if consistent_in is not none %}
  and report_id in (select report_id from {{ consistent_in }} where quality_status = 'consistent')
{% endif %}

{% endtest %}
