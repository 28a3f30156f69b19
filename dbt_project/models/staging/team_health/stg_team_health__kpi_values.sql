{%- set source_relation = source('team_health', 'kpi_values') -%}
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
        {{ revops.raw_column(columns, 'kpi', 'text') }} as kpi,
        -- amounts
        {{ revops.raw_column(columns, 'value', 'float') }} as value,
        {{ revops.raw_column(columns, 'numerator', 'float') }} as numerator,
        {{ revops.raw_column(columns, 'denominator', 'float') }} as denominator,
        -- dates
        {{ revops.raw_column(columns, 'period_start', 'date') }} as period_start,
        {{ revops.raw_column(columns, 'period_end', 'date') }} as period_end,
        -- flags
        {{ revops.raw_column(columns, 'is_small_sample', 'bool') }} as is_small_sample,
        {{ revops.raw_column(columns, 'is_mature', 'bool') }} as is_mature

    from source

)

select * from renamed
