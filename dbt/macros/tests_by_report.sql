{#
  Data tests in an incremental build (see incremental_by_report.sql). The published build passed
  every error-severity test, and an incremental build keeps the unchanged reports' rows as they
  were, so an error-severity test of an incremental model reads only the rows this build
  inserted (schema `delta`). Warn-severity tests count what they find across all rows (their
  counts are reported), so they always read everything. The refresh says which build it runs in
  OGI_BUILD_MODE.
#}

{#
  dbt's own macro that hands a generic test its model (and applies the test's `where`): the
  model's delta in an incremental build. The subquery has no alias: the tests give their own.
#}
{% macro default__get_where_subquery(relation) -%}
{%- set tested = tested_relation(relation) -%}
{%- if config.get('where') -%}
{%- do return('(select * from ' ~ tested ~ ' where ' ~ config.get('where') ~ ')') -%}
{%- endif -%}
{%- do return(tested) -%}
{%- endmacro %}

{#
  The rows of `relation` a test reads: the ones this build inserted when the build is
  incremental, the relation is built by report and the test has error severity; else all.
#}
{% macro tested_relation(relation) -%}
{%- set incremental = env_var('OGI_BUILD_MODE', 'full') == 'incremental' -%}
{%- set severity = (config.get('severity') if config.get is defined else none) or 'error' -%}
{%- if incremental and severity | lower == 'error' and relation.identifier in incremental_models() -%}
{%- do return(delta_relation(relation)) -%}
{%- endif -%}
{%- do return(relation) -%}
{%- endmacro %}

{# The names of the models built by report. #}
{% macro incremental_models() -%}
{%- set names = [] -%}
{%- for node in graph.get('nodes', {}).values() if node.resource_type == 'model' -%}
{%- if node.config.materialized == 'incremental' -%}
{%- do names.append(node.alias) -%}
{%- endif -%}
{%- endfor -%}
{%- do return(names) -%}
{%- endmacro %}
