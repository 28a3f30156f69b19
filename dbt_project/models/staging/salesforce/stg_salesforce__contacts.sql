{%- set source_relation = source('salesforce', 'contact') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as contact_id,
        {{ revops.raw_column(columns, 'account_id', 'text') }} as account_id,
        {{ revops.raw_column(columns, 'owner_id', 'text') }} as owner_id,
        -- attributes
        lower({{ revops.raw_column(columns, 'email', 'text') }}) as email,
        {{ revops.raw_column(columns, 'first_name', 'text') }} as first_name,
        {{ revops.raw_column(columns, 'last_name', 'text') }} as last_name,
        {{ revops.raw_column(columns, 'lead_source', 'text') }} as lead_source,
        {{ revops.raw_column(columns, ['lifecycle_stage_c', 'lifecycle_stage__c'], 'text') }} as lifecycle_stage,
        -- dates
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        {{ revops.raw_column(columns, ['mql_date_c', 'mql_date__c', 'mql_at_c'], 'timestamp') }} as mql_at,
        {{ revops.raw_column(columns, ['sql_date_c', 'sql_date__c', 'sql_at_c'], 'timestamp') }} as sql_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
