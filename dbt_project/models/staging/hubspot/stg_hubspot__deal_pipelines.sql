{%- set source_relation = source('hubspot', 'deal_pipelines') -%}
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
        {{ revops.raw_column(columns, 'label', 'text') }} as pipeline_label,
        -- amounts
        {{ revops.raw_column(columns, 'display_order', 'int') }} as display_order,
        -- flags
        {{ revops.raw_column(columns, 'archived', 'bool') }} as is_archived

    from source

)

select * from renamed
