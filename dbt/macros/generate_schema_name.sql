{#
    A layer's `+schema` is the schema's whole name (dbt would prefix the target's: main_staging).
    Readers then find the marts and seeds in `main`, and the build's layers in `staging` and
    `intermediate`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
{{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
