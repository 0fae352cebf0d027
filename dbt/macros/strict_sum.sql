{#
    Sum that refuses to guess: null unless every expected operand is a number, so a blank
    cell is never read as 0. `n_expected` defaults to the rows aggregated (use it after a left
    join to the expected operands); `where` restricts count and sum (an aggregate FILTER).
    For counts: DuckDB sums BIGINT as HUGEINT, cast back (a count never nears 2^63).
#}
{% macro strict_sum(value, n_expected=none, where=none) -%}
{%- set filter = ' filter (where ' ~ where ~ ')' if where else '' -%}
{%- set expected = n_expected if n_expected is not none else 'count(*)' ~ filter -%}
case when count({{ value }}){{ filter }} = {{ expected }} then (sum({{ value }}){{ filter }})::bigint end
{%- endmacro %}
