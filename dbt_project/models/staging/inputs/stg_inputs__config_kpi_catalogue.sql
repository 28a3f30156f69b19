{%- set source_relation = source('inputs', 'config_kpi_catalogue') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        {{ revops.raw_column(columns, 'kpi', 'text') }} as kpi,
        {{ revops.raw_column(columns, 'label', 'text') }} as kpi_label,
        {{ revops.raw_column(columns, 'unit', 'text') }} as unit,
        {{ revops.raw_column(columns, 'direction', 'text') }} as direction

    from source

)

select * from renamed
