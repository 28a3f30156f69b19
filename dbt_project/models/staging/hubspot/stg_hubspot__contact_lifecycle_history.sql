{%- set source_relation = source('hubspot', 'contact_lifecycle_history') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'contact_id', 'text') }} as contact_id,
        -- attributes
        {{ revops.raw_column(columns, 'value', 'text') }} as lifecycle_stage,
        -- dates
        {{ revops.raw_column(columns, 'timestamp', 'timestamp') }} as changed_at

    from source

)

select * from renamed
