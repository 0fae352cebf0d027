{#
    A rate equals numerator / denominator, and is null (never 0) when either is unknown or the
    denominator is 0. Fails on every row where the rate column says otherwise.
#}
{% test rate_is_consistent(model, column_name, numerator, denominator) %}

select
    {{ numerator }} as numerator,
    {{ denominator }} as denominator,
    {{ column_name }} as rate
from {{ model }}
where
    case
        when {{ numerator }} is null or {{ denominator }} is null or {{ denominator }} = 0
            then {{ column_name }} is not null
        else {{ column_name }} is null or abs({{ column_name }} - ({{ numerator }}) / ({{ denominator }})) > 1e-12
    end

{% endtest %}
