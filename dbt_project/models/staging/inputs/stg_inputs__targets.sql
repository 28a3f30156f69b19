{%- set source_relation = source('inputs', 'targets') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        {{ revops.raw_column(columns, 'kpi', 'text') }} as kpi,
        {{ revops.raw_column(columns, 'grain', 'text') }} as grain,
        {{ revops.raw_column(columns, 'scope_type', 'text') }} as scope_type,
        {{ revops.raw_column(columns, 'scope_id', 'text') }} as scope_id,
        -- amounts
        {{ revops.raw_column(columns, 'target', 'float') }} as target

    from source

)

select * from renamed
