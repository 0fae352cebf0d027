-- China's administrative divisions (省级 province → 地级 prefecture → 县级 county) with every
-- enclosing level spelled out, and the reference data version they come from.
with regions as (

    select * from {{ ref('ref_regions') }}

),

source_version as (

    select * from {{ ref('ref_regions_version') }}

)

select
    regions.code as region_code,
    regions.name as region_name,
    regions.short_name,
    regions.level as region_level,
    case regions.level
        when 'province' then '省级'
        when 'prefecture' then '地级'
        when 'county' then '县级'
    end as region_level_label_zh,
    regions.division_type,
    nullif(regions.parent_code, '') as parent_code,
    parents.name as parent_name,
    regions.province_code,
    regions.province_name,
    nullif(regions.prefecture_code, '') as prefecture_code,
    nullif(regions.prefecture_name, '') as prefecture_name,
    case when regions.level = 'county' then regions.code end as county_code,
    case when regions.level = 'county' then regions.name end as county_name,
    source_version.source_package || ' ' || source_version.source_version as reference_version
from regions
left join regions as parents on parents.code = nullif(regions.parent_code, '')
cross join source_version
