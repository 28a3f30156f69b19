{%- set source_relation = source('hubspot', 'deal_stages') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'pipeline_id', 'text') }} as pipeline_id,
        {{ revops.raw_column(columns, 'stage_id', 'text') }} as stage_id,
        -- attributes
        {{ revops.raw_column(columns, 'label', 'text') }} as stage_label,
        -- amounts
        {{ revops.raw_column(columns, 'display_order', 'int') }} as display_order,
        {{ revops.raw_column(columns, 'probability', 'float') }} as probability,
        -- flags
        {{ revops.raw_column(columns, 'is_closed', 'bool') }} as is_closed

    from source

)

select * from renamed
