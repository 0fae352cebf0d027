{#
    A 6-digit division code agrees with its level: province codes end in 0000, prefecture codes
    in 00 (but not 0000), county-level codes never in 00. Rows without a code or level pass.
#}
{% test code_matches_level(model, column_name, level_column) %}

select
    {{ column_name }},
    {{ level_column }}
from {{ model }}
where
    {{ column_name }} is not null
    and (
        not regexp_full_match({{ column_name }}, '[0-9]{6}')
        or ({{ level_column }} = 'province' and {{ column_name }} not like '%0000')
        or ({{ level_column }} = 'prefecture' and ({{ column_name }} not like '%00' or {{ column_name }} like '%0000'))
        or ({{ level_column }} = 'county' and {{ column_name }} like '%00')
    )

{% endtest %}
