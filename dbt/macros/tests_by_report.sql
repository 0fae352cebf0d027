{#
  Data tests in an incremental build (see incremental_by_report.sql). The published build passed
  every error-severity test, and an incremental build keeps the unchanged reports' rows as they
  were, so an error-severity test of an incremental model reads only the rows this build
  inserted (schema `delta`). Warn-severity tests count what they find across all rows (their
  counts are reported), so they always read everything. A build is incremental when dbt runs
  without --full-refresh and the model has a delta table (the refresh drops schema `delta` when
  it publishes, and a full build starts from an empty file): both known when the test runs, so
  nothing that changes from build to build reaches dbt's parse.
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
{%- set severity = (config.get('severity') if config.get is defined else none) or 'error' -%}
{%- if execute and not flags.FULL_REFRESH and severity | lower == 'error' -%}
{%- if relation.identifier in incremental_models() -%}
{#- asked of the catalog, not dbt's cache: the cache listed schema `delta` before the models filled it -#}
{%- set found = run_query(
    "select count(*) from information_schema.tables where table_schema = 'delta' and table_name = '"
    ~ relation.identifier ~ "'"
) -%}
{%- if found.columns[0].values()[0] > 0 -%}
{%- do return(delta_relation(relation)) -%}
{%- endif -%}
{%- endif -%}
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
