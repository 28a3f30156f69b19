{%- set source_relation = source('hubspot', 'companies') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as company_id,
        {{ revops.raw_column(columns, 'hubspot_owner_id', 'text') }} as owner_id,
        -- attributes
        {{ revops.raw_column(columns, 'name', 'text') }} as company_name,
        {{ revops.raw_column(columns, ['domain', 'website'], 'text') }} as domain,
        {{ revops.raw_column(columns, 'industry', 'text') }} as industry,
        {{ revops.raw_column(columns, 'country', 'text') }} as country,
        {{ revops.raw_column(columns, ['territory', 'hs_territory'], 'text') }} as territory,
        {{ revops.raw_column(columns, ['segment', 'company_segment'], 'text') }} as crm_segment,
        {{ revops.raw_column(columns, ['is_strategic', 'strategic_account', 'hs_is_target_account'], 'bool') }}
            as is_strategic,
        {{ revops.raw_column(columns, ['currency', 'hs_currency'], 'text') }} as currency,
        -- amounts
        {{ revops.raw_column(columns, 'numberofemployees', 'int') }} as employees,
        {{ revops.raw_column(columns, 'annualrevenue', 'float') }} as annual_revenue,
        -- dates
        {{ revops.raw_column(columns, ['createdate', 'created_at'], 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'archived'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
