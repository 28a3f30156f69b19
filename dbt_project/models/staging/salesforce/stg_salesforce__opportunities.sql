{%- set source_relation = source('salesforce', 'opportunity') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as opportunity_id,
        {{ revops.raw_column(columns, 'account_id', 'text') }} as account_id,
        {{ revops.raw_column(columns, 'owner_id', 'text') }} as owner_id,
        -- attributes
        {{ revops.raw_column(columns, 'name', 'text') }} as opportunity_name,
        {{ revops.raw_column(columns, 'stage_name', 'text') }} as stage_name,
        {{ revops.raw_column(columns, 'type', 'text') }} as opportunity_type,
        {{ revops.raw_column(columns, 'lead_source', 'text') }} as lead_source,
        {{ revops.raw_column(columns, ['forecast_category_name', 'forecast_category'], 'text') }} as forecast_category,
        {{ revops.raw_column(columns, ['loss_reason_c', 'loss_reason__c'], 'text') }} as loss_reason,
        {{ revops.raw_column(columns, 'currency_iso_code', 'text') }} as currency,
        -- amounts
        {{ revops.raw_column(columns, 'amount', 'float') }} as amount,
        {{ revops.raw_column(columns, 'probability', 'float') }} / 100.0 as probability,
        -- dates
        {{ revops.raw_column(columns, 'close_date', 'date') }} as close_date,
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        {{ revops.raw_column(columns, ['last_modified_date', 'system_modstamp'], 'timestamp') }} as last_modified_at,
        -- flags
        {{ revops.raw_column(columns, 'is_closed', 'bool') }} as is_closed,
        {{ revops.raw_column(columns, 'is_won', 'bool') }} as is_won,
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
