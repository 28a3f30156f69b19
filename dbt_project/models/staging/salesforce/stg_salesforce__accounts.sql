{%- set source_relation = source('salesforce', 'account') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as account_id,
        {{ revops.raw_column(columns, 'owner_id', 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'parent_id', 'text') }} as parent_account_id,
        -- attributes
        {{ revops.raw_column(columns, 'name', 'text') }} as account_name,
        {{ revops.raw_column(columns, 'website', 'text') }} as website,
        {{ revops.raw_column(columns, 'industry', 'text') }} as industry,
        {{ revops.raw_column(columns, 'type', 'text') }} as account_type,
        {{ revops.raw_column(columns, ['billing_country', 'shipping_country'], 'text') }} as country,
        {{ revops.raw_column(columns, ['territory_c', 'territory__c', 'sales_territory_c'], 'text') }} as territory,
        {{ revops.raw_column(columns, ['segment_c', 'segment__c'], 'text') }} as crm_segment,
        {{ revops.raw_column(columns, ['strategic_c', 'is_strategic_c', 'key_account_c', 'strategic__c'], 'bool') }}
            as is_strategic,
        {{ revops.raw_column(columns, 'currency_iso_code', 'text') }} as currency,
        -- amounts
        {{ revops.raw_column(columns, 'number_of_employees', 'int') }} as employees,
        {{ revops.raw_column(columns, 'annual_revenue', 'float') }} as annual_revenue,
        -- dates
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
