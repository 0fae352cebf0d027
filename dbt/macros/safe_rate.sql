{#
    A rate that never invents a value: null when the numerator is unknown or the denominator is
    unknown or 0 (a 0/0 rate is undefined, not 0). Keep the numerator and denominator as columns
    beside it so every rate can be checked by hand.
#}
{% macro safe_rate(numerator, denominator) -%}
case when ({{ denominator }}) <> 0 then ({{ numerator }}) / ({{ denominator }}) end
{%- endmacro %}

{#
    A rate as three columns, <name>_numerator, <name>_denominator and <name>, so the parts are
    never left out.
#}
{% macro rate_columns(name, numerator, denominator) -%}
{{ numerator }} as {{ name }}_numerator,
{{ denominator }} as {{ name }}_denominator,
{{ safe_rate(numerator, denominator) }} as {{ name }}
{%- endmacro %}
