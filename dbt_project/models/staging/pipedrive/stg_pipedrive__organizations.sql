{%- set source_relation = source('pipedrive', 'organizations') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as organization_id,
        {{ revops.raw_column(columns, ['owner_id', 'user_id'], 'text') }} as owner_id,
        -- attributes
        {{ revops.raw_column(columns, 'name', 'text') }} as organization_name,
        {{ revops.raw_column(columns, ['domain', 'website', 'web_domain'], 'text') }} as domain,
        {{ revops.raw_column(columns, 'industry', 'text') }} as industry,
        {{ revops.raw_column(columns, ['address_country', 'country', 'address__country'], 'text') }} as country,
        -- amounts
        {{ revops.raw_column(columns, ['employee_count', 'employees', 'number_of_employees'], 'int') }} as employees,
        {{ revops.raw_column(columns, ['annual_revenue', 'revenue'], 'float') }} as annual_revenue,
        -- dates
        {{ revops.raw_column(columns, 'add_time', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
