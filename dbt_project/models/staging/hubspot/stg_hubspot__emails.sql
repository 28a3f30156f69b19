{%- set source_relation = source('hubspot', 'emails') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as email_id,
        {{ revops.raw_column(columns, 'hubspot_owner_id', 'text') }} as owner_id,
        -- attributes
        {{ revops.raw_column(columns, 'hs_email_subject', 'text') }} as subject,
        {{ revops.raw_column(columns, 'hs_email_direction', 'text') }} as direction,
        {{ revops.raw_column(columns, 'hs_email_status', 'text') }} as engagement_status,
        {{ revops.raw_column(columns, ['activity_category', 'hs_activity_type'], 'text') }} as activity_category,
        -- dates
        {{ revops.raw_column(columns, 'hs_timestamp', 'timestamp') }} as occurred_at,
        {{ revops.raw_column(columns, ['hs_createdate', 'created_at'], 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'archived'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
