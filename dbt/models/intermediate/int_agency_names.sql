-- Every agency name reported, with the first name of its chain of renames (dbt seed
-- agency_renames, followed from new to old). agency_id is keyed on that first name, so adding a
-- rename for a later year never re-keys the agency's earlier years.
with recursive reported_names as (

    select distinct agency_name
    from {{ ref('stg_reports') }}
    where agency_name is not null

),

renames as (

    select
        old_name,
        new_name
    from {{ ref('agency_renames') }}

),

-- Walk back one rename at a time; the depth cap keeps a mistaken cycle in the seed finite.
chains as (

    select
        agency_name,
        agency_name as earlier_name,
        0 as depth
    from reported_names

    union all

    select
        chains.agency_name,
        renames.old_name as earlier_name,
        chains.depth + 1 as depth
    from chains
    inner join renames on renames.new_name = chains.earlier_name
    where chains.depth < 20

)

select
    agency_name,
    arg_max(earlier_name, depth) as first_name,
    max(depth) as n_renames_before
from chains
group by agency_name
