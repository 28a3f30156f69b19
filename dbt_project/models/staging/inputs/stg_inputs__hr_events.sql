{%- set source_relation = source('inputs', 'hr_events') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'employee_id', 'text') }} as employee_id,
        -- attributes
        {{ revops.raw_column(columns, 'event_type', 'text') }} as event_type,
        {{ revops.raw_column(columns, 'detail', 'text') }} as detail,
        -- dates
        {{ revops.raw_column(columns, 'event_date', 'date') }} as event_date

    from source

)

select * from renamed
