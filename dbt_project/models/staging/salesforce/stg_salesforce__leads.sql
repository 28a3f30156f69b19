{%- set source_relation = source('salesforce', 'lead') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as lead_id,
        {{ revops.raw_column(columns, 'owner_id', 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'converted_account_id', 'text') }} as converted_account_id,
        {{ revops.raw_column(columns, 'converted_contact_id', 'text') }} as converted_contact_id,
        {{ revops.raw_column(columns, 'converted_opportunity_id', 'text') }} as converted_opportunity_id,
        -- attributes
        lower({{ revops.raw_column(columns, 'email', 'text') }}) as email,
        {{ revops.raw_column(columns, 'company', 'text') }} as company,
        {{ revops.raw_column(columns, 'status', 'text') }} as lead_status,
        {{ revops.raw_column(columns, 'lead_source', 'text') }} as lead_source,
        -- amounts
        {{ revops.raw_column(columns, 'number_of_employees', 'int') }} as employees,
        -- dates
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        {{ revops.raw_column(columns, 'converted_date', 'date') }} as converted_date,
        {{ revops.raw_column(columns, ['mql_date_c', 'mql_date__c', 'mql_at_c'], 'timestamp') }} as mql_at,
        {{ revops.raw_column(columns, ['sql_date_c', 'sql_date__c', 'sql_at_c'], 'timestamp') }} as sql_at,
        -- flags
        {{ revops.raw_column(columns, 'is_converted', 'bool') }} as is_converted,
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
