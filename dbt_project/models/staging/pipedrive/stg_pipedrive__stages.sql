{%- set source_relation = source('pipedrive', 'stages') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as stage_id,
        {{ revops.raw_column(columns, 'pipeline_id', 'text') }} as pipeline_id,
        -- attributes
        {{ revops.raw_column(columns, 'name', 'text') }} as stage_name,
        -- amounts
        {{ revops.raw_column(columns, 'order_nr', 'int') }} as order_nr,
        {{ revops.raw_column(columns, 'deal_probability', 'float') }} / 100.0 as deal_probability,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
