{{ config(meta={'dagster': {'ref': {'name': 'stg_cells'}}}) }}
-- The marts store counts as BIGINT: a count cell with a fraction would be rounded by the cast.
-- The parser never reads a fractional count as a number (it stays text, flagged), so any row
-- here is a parser defect. Money (万元) metrics of 表二 are exempt.
with money_metrics as (

    select distinct
        item_key,
        metric_key
    from {{ ref('dim_disclosure_metric') }}
    where unit = '万元'

)

select cells.*  -- noqa: AM04
from {{ tested_relation(ref('stg_cells')) }} as cells
left join money_metrics
    on cells.table_id = 'table2'
    and money_metrics.item_key = cells.row_key
    and money_metrics.metric_key = cells.col_key
where
    money_metrics.item_key is null
    and cells.value <> trunc(cells.value)
