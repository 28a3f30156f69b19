{%- set source_relation = source('forecast', 'forecast_accuracy') -%}
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
        {{ revops.raw_column(columns, 'snapshot_label', 'text') }} as snapshot_label,
        -- amounts
        {{ revops.raw_column(columns, 'forecast', 'float') }} as forecast_amount,
        {{ revops.raw_column(columns, 'actual', 'float') }} as actual_amount,
        {{ revops.raw_column(columns, 'accuracy', 'float') }} as accuracy,
        -- dates
        {{ revops.raw_column(columns, 'period_start', 'date') }} as period_start,
        {{ revops.raw_column(columns, 'snapshot_date', 'date') }} as snapshot_date

    from source

)

select * from renamed
