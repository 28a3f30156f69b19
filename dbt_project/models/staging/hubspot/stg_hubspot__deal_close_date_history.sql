{%- set source_relation = source('hubspot', 'deal_close_date_history') -%}
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
        {{ revops.raw_column(columns, 'value', 'timestamp') }} as close_at,
        -- dates
        {{ revops.raw_column(columns, 'timestamp', 'timestamp') }} as changed_at

    from source

)

select * from renamed
