{%- set source_relation = source('hubspot', 'deals') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as deal_id,
        {{ revops.raw_column(columns, 'pipeline', 'text') }} as pipeline_id,
        {{ revops.raw_column(columns, 'dealstage', 'text') }} as stage_id,
        {{ revops.raw_column(columns, 'hubspot_owner_id', 'text') }} as owner_id,
        -- attributes
        {{ revops.raw_column(columns, 'dealname', 'text') }} as deal_name,
        {{ revops.raw_column(columns, 'dealtype', 'text') }} as deal_type,
        {{ revops.raw_column(columns, 'deal_currency_code', 'text') }} as currency,
        {{ revops.raw_column(columns, ['hs_manual_forecast_category', 'hs_forecast_category'], 'text') }}
            as forecast_category,
        {{ revops.raw_column(columns, 'closed_lost_reason', 'text') }} as loss_reason,
        {{ revops.raw_column(columns, ['lead_source', 'hs_analytics_source'], 'text') }} as lead_source,
        -- amounts
        {{ revops.raw_column(columns, 'amount', 'float') }} as amount,
        {{ revops.raw_column(columns, 'hs_deal_stage_probability', 'float') }} as probability,
        -- dates
        {{ revops.raw_column(columns, 'closedate', 'timestamp') }} as close_at,
        {{ revops.raw_column(columns, ['createdate', 'created_at'], 'timestamp') }} as created_at,
        {{ revops.raw_column(columns, ['hs_lastmodifieddate', 'updated_at'], 'timestamp') }} as updated_at,
        -- flags
        {{ revops.raw_column(columns, 'hs_is_closed', 'bool') }} as is_closed,
        {{ revops.raw_column(columns, 'hs_is_closed_won', 'bool') }} as is_closed_won,
        {{ revops.raw_column(columns, ['is_deleted', 'archived'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
