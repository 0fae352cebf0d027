-- One row per report: the headline figures of 表三 (printed 总计 column) and 表四. Outcome group
-- totals are strict sums of the group's leaves: null unless every leaf of the layout is a number.
{{ config(materialized='incremental', incremental_strategy='by_report') }}
with flow as (

    select * from {{ changed_rows(ref('int_table3_columns')) }}
    where applicant_type = 'total' and {{ only_changed_reports() }}

),

outcomes as (

    select * from {{ changed_rows(ref('fct_request_outcomes')) }}
    where is_total and {{ only_changed_reports() }}

),

leaves_per_group as (

    select
        group_key,
        count(*) filter (where in_2019_format) as n_leaves_2019,
        count(*) filter (where in_2021_format) as n_leaves_2021
    from {{ ref('dim_outcome') }}
    group by group_key

),

review as (

    select * from {{ changed_rows(ref('int_table4_blocks')) }}
    where {{ only_changed_reports() }}

),

group_sums as (

    select
        outcomes.report_id,
        outcomes.outcome_group,
        case
            when count(outcomes.value) = max(
                case outcomes.table3_format
                    when '2019' then leaves_per_group.n_leaves_2019
                    when '2021' then leaves_per_group.n_leaves_2021
                end
            ) then sum(outcomes.value)::bigint
        end as value
    from outcomes
    inner join leaves_per_group on leaves_per_group.group_key = outcomes.outcome_group
    group by outcomes.report_id, outcomes.outcome_group

),

groups_wide as (

    select
        report_id,
        max(value) filter (where outcome_group = 'granted') as granted,
        max(value) filter (where outcome_group = 'partially_granted') as partially_granted,
        max(value) filter (where outcome_group = 'withheld') as withheld,
        max(value) filter (where outcome_group = 'unable') as unable,
        max(value) filter (where outcome_group = 'rejected') as rejected,
        max(value) filter (where outcome_group = 'other_handling') as other_handling
    from group_sums
    group by report_id

),

review_wide as (

    select
        report_id,
        max(total_reported) filter (where block = 'review') as review_total,
        max(corrected) filter (where block = 'review') as review_corrected,
        max(total_reported) filter (where block = 'litigation_direct') as litigation_direct_total,
        max(total_reported) filter (where block = 'litigation_after_review') as litigation_after_review_total
    from review
    group by report_id

),

reports as (

    select report_id from {{ changed_rows(ref('stg_reports')) }}
    where {{ only_changed_reports() }}

)

select
    reports.report_id,
    flow.new_received as received,
    flow.carried_over,
    flow.total_handled as handled,
    flow.carried_forward,
    groups_wide.granted,
    groups_wide.partially_granted,
    groups_wide.withheld,
    groups_wide.unable,
    groups_wide.rejected,
    groups_wide.other_handling,
    review_wide.review_total,
    review_wide.review_corrected,
    review_wide.litigation_direct_total,
    review_wide.litigation_after_review_total
from reports
left join flow on flow.report_id = reports.report_id
left join groups_wide on groups_wide.report_id = reports.report_id
left join review_wide on review_wide.report_id = reports.report_id
