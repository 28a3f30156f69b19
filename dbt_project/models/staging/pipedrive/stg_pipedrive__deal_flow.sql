{%- set source_relation = source('pipedrive', 'deal_flow') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as deal_change_id,
        {{ revops.raw_column(columns, 'deal_id', 'text') }} as deal_id,
        {{ revops.raw_column(columns, 'user_id', 'text') }} as user_id,
        -- attributes
        {{ revops.raw_column(columns, 'field_key', 'text') }} as field_key,
        {{ revops.raw_column(columns, 'old_value', 'text') }} as old_value,
        {{ revops.raw_column(columns, 'new_value', 'text') }} as new_value,
        -- dates
        {{ revops.raw_column(columns, 'log_time', 'timestamp') }} as changed_at

    from source

)

select * from renamed
