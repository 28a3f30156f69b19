{%- set source_relation = source('hubspot', 'owners') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'user_id', 'text') }} as user_id,
        -- attributes
        lower({{ revops.raw_column(columns, 'email', 'text') }}) as email,
        {{ revops.raw_column(columns, 'first_name', 'text') }} as first_name,
        {{ revops.raw_column(columns, 'last_name', 'text') }} as last_name,
        -- dates
        {{ revops.raw_column(columns, 'created_at', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['archived', 'is_deleted'], 'bool') }} as is_archived

    from source

)

select * from renamed
