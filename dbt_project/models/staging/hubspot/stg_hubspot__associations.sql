{%- set source_relation = source('hubspot', 'associations') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'from_object_type', 'text') }} as from_object_type,
        {{ revops.raw_column(columns, 'from_id', 'text') }} as from_id,
        {{ revops.raw_column(columns, 'to_object_type', 'text') }} as to_object_type,
        {{ revops.raw_column(columns, 'to_id', 'text') }} as to_id,
        -- attributes
        {{ revops.raw_column(columns, 'type_id', 'int') }} as association_type_id,
        {{ revops.raw_column(columns, 'category', 'text') }} as association_category

    from source

)

select * from renamed
