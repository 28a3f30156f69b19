{%- set source_relation = source('hubspot', 'contacts') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as contact_id,
        {{ revops.raw_column(columns, 'hubspot_owner_id', 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'associatedcompanyid', 'text') }} as company_id,
        -- attributes
        lower({{ revops.raw_column(columns, 'email', 'text') }}) as email,
        {{ revops.raw_column(columns, 'firstname', 'text') }} as first_name,
        {{ revops.raw_column(columns, 'lastname', 'text') }} as last_name,
        {{ revops.raw_column(columns, 'lifecyclestage', 'text') }} as lifecycle_stage,
        -- dates
        {{ revops.raw_column(columns, ['createdate', 'created_at'], 'timestamp') }} as created_at,
        {{ revops.raw_column(columns, 'hs_lifecyclestage_marketingqualifiedlead_date', 'timestamp') }} as mql_at,
        {{ revops.raw_column(columns, 'hs_lifecyclestage_salesqualifiedlead_date', 'timestamp') }} as sql_at,
        {{ revops.raw_column(columns, 'hs_lifecyclestage_opportunity_date', 'timestamp') }} as opportunity_at,
        {{ revops.raw_column(columns, 'hs_lifecyclestage_customer_date', 'timestamp') }} as customer_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'archived'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
