-- 表三 per report × applicant column: the flow rows and the strict sum of the outcome leaves.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with cells as (

    select * replace (value::bigint as value) from {{ changed_rows(ref('stg_cells')) }}
    where table_id = 'table3' and {{ only_changed_reports() }}

),

formats as (

    select
        report_id,
        table3_format
    from {{ changed_rows(ref('stg_reports')) }}
    where table3_format is not null and {{ only_changed_reports() }}

),

outcomes as (

    select * from {{ ref('dim_outcome') }}

),

applicant_types as (

    select applicant_type from {{ ref('dim_applicant_type') }}

),

-- Every leaf the report's layout has, for every column: a leaf row absent from the cells
-- must make the sum unknown, not smaller.
expected_leaves as (

    select
        formats.report_id,
        applicant_types.applicant_type,
        outcomes.outcome_key
    from formats
    inner join outcomes
        on (formats.table3_format = '2019' and outcomes.in_2019_format)
        or (formats.table3_format = '2021' and outcomes.in_2021_format)
    cross join applicant_types

),

leaf_sums as (

    select
        expected_leaves.report_id,
        expected_leaves.applicant_type,
        count(*) as n_outcome_leaves,
        count(cells.value) as n_outcome_leaves_numeric,
        {{ strict_sum('cells.value') }} as outcome_leaves_sum
    from expected_leaves
    left join cells
        on cells.report_id = expected_leaves.report_id
        and cells.row_key = expected_leaves.outcome_key
        and cells.col_key = expected_leaves.applicant_type
    group by all

),

flow_rows as (

    select
        report_id,
        col_key as applicant_type,
        max(value) filter (where row_key = 'new_received') as new_received,
        max(value) filter (where row_key = 'carried_over') as carried_over,
        max(value) filter (where row_key = 'total_handled') as total_handled,
        max(value) filter (where row_key = 'carried_forward') as carried_forward
    from cells
    group by all

)

select
    leaf_sums.report_id,
    leaf_sums.applicant_type,
    flow_rows.new_received,
    flow_rows.carried_over,
    flow_rows.total_handled,
    flow_rows.carried_forward,
    leaf_sums.outcome_leaves_sum,
    leaf_sums.n_outcome_leaves,
    leaf_sums.n_outcome_leaves_numeric
from leaf_sums
left join flow_rows
    on flow_rows.report_id = leaf_sums.report_id
    and flow_rows.applicant_type = leaf_sums.applicant_type
