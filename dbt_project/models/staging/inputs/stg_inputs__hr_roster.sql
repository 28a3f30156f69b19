{%- set source_relation = source('inputs', 'hr_roster') -%}
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
        lower({{ revops.raw_column(columns, 'email', 'text') }}) as email,
        {{ revops.raw_column(columns, 'full_name', 'text') }} as full_name,
        {{ revops.raw_column(columns, 'role', 'text') }} as role,
        {{ revops.raw_column(columns, 'level', 'text') }} as level,
        {{ revops.raw_column(columns, 'team', 'text') }} as team,
        lower({{ revops.raw_column(columns, 'manager_email', 'text') }}) as manager_email,
        {{ revops.raw_column(columns, 'exit_type', 'text') }} as exit_type,
        -- dates
        {{ revops.raw_column(columns, 'hire_date', 'date') }} as hire_date,
        {{ revops.raw_column(columns, 'exit_date', 'date') }} as exit_date

    from source

)

select * from renamed
