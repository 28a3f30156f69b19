{%- set source_relation = source('salesforce', 'user') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as user_id,
        {{ revops.raw_column(columns, 'user_role_id', 'text') }} as user_role_id,
        {{ revops.raw_column(columns, 'manager_id', 'text') }} as manager_id,
        -- attributes
        lower({{ revops.raw_column(columns, 'email', 'text') }}) as email,
        {{ revops.raw_column(columns, 'name', 'text') }} as full_name,
        {{ revops.raw_column(columns, 'first_name', 'text') }} as first_name,
        {{ revops.raw_column(columns, 'last_name', 'text') }} as last_name,
        {{ revops.raw_column(columns, 'title', 'text') }} as title,
        -- dates
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, 'is_active', 'bool') }} as is_active,
        {{ revops.raw_column(columns, ['is_deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
