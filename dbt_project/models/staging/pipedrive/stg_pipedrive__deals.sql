{%- set source_relation = source('pipedrive', 'deals') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as deal_id,
        {{ revops.raw_column(columns, ['owner_id', 'user_id'], 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'org_id', 'text') }} as organization_id,
        {{ revops.raw_column(columns, 'person_id', 'text') }} as person_id,
        {{ revops.raw_column(columns, 'pipeline_id', 'text') }} as pipeline_id,
        {{ revops.raw_column(columns, 'stage_id', 'text') }} as stage_id,
        -- attributes
        {{ revops.raw_column(columns, 'title', 'text') }} as deal_name,
        {{ revops.raw_column(columns, 'status', 'text') }} as deal_status,
        {{ revops.raw_column(columns, ['deal_type', 'type'], 'text') }} as deal_type,
        {{ revops.raw_column(columns, ['lead_channel', 'lead_source', 'source', 'origin'], 'text') }} as lead_source,
        {{ revops.raw_column(columns, 'lost_reason', 'text') }} as loss_reason,
        {{ revops.raw_column(columns, 'currency', 'text') }} as currency,
        -- amounts
        {{ revops.raw_column(columns, 'value', 'float') }} as amount,
        {{ revops.raw_column(columns, 'probability', 'float') }} / 100.0 as probability,
        -- dates
        {{ revops.raw_column(columns, 'add_time', 'timestamp') }} as created_at,
        {{ revops.raw_column(columns, 'update_time', 'timestamp') }} as updated_at,
        {{ revops.raw_column(columns, 'won_time', 'timestamp') }} as won_at,
        {{ revops.raw_column(columns, 'lost_time', 'timestamp') }} as lost_at,
        {{ revops.raw_column(columns, 'close_time', 'timestamp') }} as closed_at,
        {{ revops.raw_column(columns, 'expected_close_date', 'date') }} as expected_close_date,
        -- flags
        {{ revops.raw_column(columns, 'is_archived', 'bool') }} as is_archived,
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false) and not coalesce(is_archived, false)
