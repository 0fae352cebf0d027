-- Every instance of the hard identities, recomputed from the cells. Places and the sign of
-- delta (reported − recomputed) follow the parser's identity_broken issues so the two line up.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with table3_columns as (

    select * from {{ changed_rows(ref('int_table3_columns')) }}
    where {{ only_changed_reports() }}

),

table3_cells as (

    select
        cells.* replace (cells.value::bigint as value),
        applicant_types.is_total
    from {{ changed_rows(ref('stg_cells')) }} as cells
    inner join {{ ref('dim_applicant_type') }} as applicant_types
        on applicant_types.applicant_type = cells.col_key
    where cells.table_id = 'table3' and {{ only_changed_reports('cells.report_id') }}

),

table4_blocks as (

    select * from {{ changed_rows(ref('int_table4_blocks')) }}
    where {{ only_changed_reports() }}

),

-- T3-A, per column: 三(七) + 四 = 一 + 二 (the 勾稽关系 printed on the form).
t3_a as (

    select
        report_id,
        'T3-A' as identity,
        'table3.' || applicant_type as place,
        total_handled + carried_forward as reported,
        new_received + carried_over as recomputed
    from table3_columns

),

-- T3-B, per column: （七）总计 = sum of the 19 (2019) or 21 (2021) outcome leaves.
t3_b as (

    select
        report_id,
        'T3-B' as identity,
        'table3.total_handled.' || applicant_type as place,
        total_handled as reported,
        outcome_leaves_sum as recomputed
    from table3_columns

),

-- T3-C, per row: 总计 = the six applicant columns.
t3_c as (

    select
        report_id,
        'T3-C' as identity,
        'table3.' || row_key || '.total' as place,
        max(value) filter (where is_total) as reported,
        {{ strict_sum('value', n_expected=6, where='not is_total') }} as recomputed
    from table3_cells
    group by report_id, row_key

),

-- T4-A, per block: 维持 + 纠正 + 其他 + 尚未审结 = 总计.
t4_a as (

    select
        report_id,
        'T4-A' as identity,
        'table4.' || block || '.total' as place,
        total_reported as reported,
        total_recomputed as recomputed
    from table4_blocks

),

checks as (

    select * from t3_a
    union all
    select * from t3_b
    union all
    select * from t3_c
    union all
    select * from t4_a

)

select
    report_id,
    identity,
    place,
    reported,
    recomputed,
    reported - recomputed as delta,
    reported is not null and recomputed is not null as assessable,
    -- Counts are whole numbers; the tolerance only absorbs floating-point noise.
    case
        when reported is not null and recomputed is not null
            then abs(reported - recomputed) < 1e-9
    end as holds
from checks
