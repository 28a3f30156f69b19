{%- set source_relation = source('inputs', 'absences') -%}
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
        {{ revops.raw_column(columns, 'absence_type', 'text') }} as absence_type,
        -- dates
        {{ revops.raw_column(columns, 'start_date', 'date') }} as start_date,
        {{ revops.raw_column(columns, 'end_date', 'date') }} as end_date,
        -- flags
        {{ revops.raw_column(columns, 'planned', 'bool') }} as is_planned

    from source

)

select * from renamed
