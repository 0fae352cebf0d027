{# Fails on the rows of a pre-2019 statistics model whose cumulative count (历年累计) is below
   this year's, where both are numbers. `statuses` restricts the rows checked: a reading the
   parser chose ('decided') keeps the bound by construction, while a printed pair that breaks it
   is the source's own number, kept as printed and flagged (pre2019_bound_broken). #}
{% test cumulative_not_below_this_year(model, statuses=none) %}

select *  -- noqa: AM04
from {{ model }}
where
    cumulative < this_year {% if statuses is not none %}
    and status in ('{{ statuses | join("', '") }}')
{% endif %}

{% endtest %}
