{%- set source_relation = source('pipedrive', 'pipelines') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as pipeline_id,
        -- attributes
        {{ revops.raw_column(columns, 'name', 'text') }} as pipeline_name,
        -- amounts
        {{ revops.raw_column(columns, 'order_nr', 'int') }} as order_nr,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
