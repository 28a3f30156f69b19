{%- set source_relation = source('inputs', 'config_headline_kpis') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        {{ revops.raw_column(columns, 'kpi', 'text') }} as kpi,
        -- amounts
        {{ revops.raw_column(columns, 'position', 'int') }} as position

    from source

)

select * from renamed
