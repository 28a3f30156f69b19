{%- set source_relation = source('inputs', 'config_kpi_actions') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        {{ revops.raw_column(columns, 'kpi', 'text') }} as kpi,
        {{ revops.raw_column(columns, 'status', 'text') }} as status,
        {{ revops.raw_column(columns, 'action', 'text') }} as action

    from source

)

select * from renamed
