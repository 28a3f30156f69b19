{%- set source_relation = source('pipedrive', 'users') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as user_id,
        -- attributes
        lower({{ revops.raw_column(columns, 'email', 'text') }}) as email,
        {{ revops.raw_column(columns, 'name', 'text') }} as full_name,
        -- dates
        {{ revops.raw_column(columns, 'created', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, 'active_flag', 'bool') }} as is_active,
        {{ revops.raw_column(columns, ['is_deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
