{%- set source_relation = source('salesforce', 'opportunity_stage') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as opportunity_stage_id,
        -- attributes
        {{ revops.raw_column(columns, 'api_name', 'text') }} as api_name,
        {{ revops.raw_column(columns, 'master_label', 'text') }} as stage_label,
        {{ revops.raw_column(columns, ['forecast_category_name', 'forecast_category'], 'text') }} as forecast_category,
        -- amounts
        {{ revops.raw_column(columns, 'sort_order', 'int') }} as sort_order,
        {{ revops.raw_column(columns, 'default_probability', 'float') }} / 100.0 as default_probability,
        -- flags
        {{ revops.raw_column(columns, 'is_active', 'bool') }} as is_active,
        {{ revops.raw_column(columns, 'is_closed', 'bool') }} as is_closed,
        {{ revops.raw_column(columns, 'is_won', 'bool') }} as is_won,
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
