{%- set source_relation = source('pipedrive', 'activity_types') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as activity_type_id,
        -- attributes
        {{ revops.raw_column(columns, 'key_string', 'text') }} as key_string,
        {{ revops.raw_column(columns, 'name', 'text') }} as type_name,
        -- flags
        {{ revops.raw_column(columns, 'active_flag', 'bool') }} as is_active

    from source

)

select * from renamed
