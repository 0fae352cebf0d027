{#
    An agency's level agrees with the level of the region it is coded to: a county body sits in a
    county-level region, a township in the county-level region around it, and so on. Agencies of
    unknown level or without an own region code are not checked.
#}
{% test agency_level_matches_region(model, column_name, region_level_column) %}

select
    agency_id,
    agency_name,
    agency_kind,
    {{ column_name }},
    region_code,
    {{ region_level_column }}
from {{ model }}
where
    region_code is not null
    and {{ column_name }} <> 'unknown'
    and {{ region_level_column }} <> case {{ column_name }} when 'township' then 'county' else {{ column_name }} end

{% endtest %}
