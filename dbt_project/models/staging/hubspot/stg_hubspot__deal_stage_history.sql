{%- set source_relation = source('hubspot', 'deal_stage_history') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'deal_id', 'text') }} as deal_id,
        -- attributes
        {{ revops.raw_column(columns, 'value', 'text') }} as stage_id,
        {{ revops.raw_column(columns, 'source_type', 'text') }} as change_source_type,
        -- dates
        {{ revops.raw_column(columns, 'timestamp', 'timestamp') }} as changed_at

    from source

)

select * from renamed
