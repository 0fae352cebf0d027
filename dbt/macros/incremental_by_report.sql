{#
  Incremental models by report. A refresh that starts from the published warehouse redoes only
  the reports added, changed or removed since it was built (dagster_project/pipeline/incremental.py
  lists them): an incremental model deletes their rows and inserts them anew, and reads only their
  rows upstream. In a full build (a fresh build file, or --full-refresh) these macros are no-ops.

    {{ config(materialized='incremental', incremental_strategy='by_report') }}
    select … from {{ ref('stg_cells') }} where {{ only_changed_reports() }}
#}

{#
  The strategy: delete the changed reports' rows (a removed report's rows are deleted and none
  come back), then insert what the model selected for them. The inserted rows are also kept in
  schema `delta` for the data tests (tests_by_report.sql); the refresh creates that schema in
  the build and drops it when publishing.
#}
{% macro get_incremental_by_report_sql(arg_dict) -%}
{%- set target = arg_dict['target_relation'] -%}
{%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
delete from {{ target }} where report_id in (select report_id from {{ changed_reports() }});
insert into {{ target }} ({{ columns }}) select {{ columns }} from {{ arg_dict['temp_relation'] }};
create or replace table {{ delta_relation(target) }} as
select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{# Where an incremental build keeps the rows it inserted into `relation`. #}
{% macro delta_relation(relation) -%}
{%- do return(api.Relation.create(database=relation.database, schema='delta', identifier=relation.identifier)) -%}
{%- endmacro %}

{# The report_ids this build redoes (the refresh writes the file before dbt runs). #}
{% macro changed_reports() -%}
read_parquet('{{ env_var("OGI_CHANGED_REPORTS", "../warehouse/build/changes/changed_reports.parquet") }}')
{%- endmacro %}

{#
  A predicate on `column`: true for every row in a full build, only the changed reports' rows
  in an incremental one. Every upstream read of an incremental model needs it: a row read for
  an unchanged report would be inserted a second time.
#}
{% macro only_changed_reports(column='report_id') -%}
{%- if is_incremental() -%}
{{ column }} in (select report_id from {{ changed_reports() }})
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#
  A staging table: every part in a full build, only the parts holding the changed reports'
  rows in an incremental one. The refresh lists them in build/changes/changed_parts.parquet;
  they are read when the model runs, not when dbt parses the project, so a new list does not
  make dbt parse again.
#}
{% macro staged(table) -%}
{%- set relation = source('staging', table) -%}
{%- if execute and is_incremental() -%}
(
    select * from read_parquet({{ changed_parts(table) }}, union_by_name = true)
    where {{ only_changed_reports() }}
)
{%- else -%}
{{ relation }}
{%- endif -%}
{%- endmacro %}

{#
  The changed parts of staging table `table`, as a SQL list of string literals; all its parts
  when there is no list (a model compiled outside a refresh's build, e.g. by `ogi docs`).
#}
{% macro changed_parts(table) -%}
{%- set listed = env_var('OGI_CHANGED_PARTS', '../warehouse/build/changes/changed_parts.parquet') -%}
{%- if run_query("select count(*) from glob('" ~ listed ~ "')").columns[0].values()[0] == 0 -%}
'{{ env_var('OGI_PARTS_' ~ (table | upper), '../warehouse/staging/' ~ table ~ '/part-*.parquet') }}'
{%- else -%}
{%- set rows = run_query(
    "select path from read_parquet('" ~ listed ~ "') where table_name = '" ~ table ~ "' order by path"
) -%}
[{%- for path in rows.columns[0].values() -%}
'{{ path | replace("'", "''") }}'{{ ", " if not loop.last }}
{%- endfor -%}]
{%- endif -%}
{%- endmacro %}

{#
  An upstream model's rows for this build: in an incremental build, only the rows an upstream
  incremental model inserted for the changed reports (its `delta` table, a few thousand rows
  instead of millions to filter); else the whole relation.
#}
{% macro changed_rows(relation) -%}
{%- if execute and is_incremental() and relation.identifier in incremental_models() -%}
{{ delta_relation(relation) }}
{%- else -%}
{{ relation }}
{%- endif -%}
{%- endmacro %}
