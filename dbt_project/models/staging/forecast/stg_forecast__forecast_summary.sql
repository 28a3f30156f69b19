{%- set source_relation = source('forecast', 'forecast_summary') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        {{ revops.raw_column(columns, 'grain', 'text') }} as grain,
        {{ revops.raw_column(columns, 'scope_type', 'text') }} as scope_type,
        {{ revops.raw_column(columns, 'scope_id', 'text') }} as scope_id,
        {{ revops.raw_column(columns, 'method', 'text') }} as method,
        -- dates
        {{ revops.raw_column(columns, 'period_start', 'date') }} as period_start

    from source

)

select * from renamed
