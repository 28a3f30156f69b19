{%- set source_relation = source('salesforce', 'opportunity_history') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as opportunity_history_id,
        {{ revops.raw_column(columns, 'opportunity_id', 'text') }} as opportunity_id,
        -- attributes
        {{ revops.raw_column(columns, 'stage_name', 'text') }} as stage_name,
        {{ revops.raw_column(columns, ['forecast_category', 'forecast_category_name'], 'text') }} as forecast_category,
        {{ revops.raw_column(columns, 'currency_iso_code', 'text') }} as currency,
        -- amounts
        {{ revops.raw_column(columns, 'amount', 'float') }} as amount,
        {{ revops.raw_column(columns, 'probability', 'float') }} / 100.0 as probability,
        -- dates
        {{ revops.raw_column(columns, 'close_date', 'date') }} as close_date,
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
