-- The table layouts a report actually printed. They can differ from `template`: a hybrid
-- 2021 report keeps the 2019 其他处理 row, and 表二 and 表三 are detected independently.
with cells as (

    select * from {{ ref('stg_cells') }}

)

select
    report_id,
    case
        when bool_or(table_id = 'table3' and row_key = 'other_handling') then '2019'
        when bool_or(table_id = 'table3') then '2021'
    end as table3_format,
    -- Every 2019 表二 item prints at least one of these metrics; no 2021 item does.
    case
        when bool_or(table_id = 'table2' and col_key in (
            'new_made', 'new_published', 'total_published', 'prev_year_items', 'change', 'projects'
        )) then '2019'
        when bool_or(table_id = 'table2') then '2021'
    end as table2_format
from cells
group by report_id
