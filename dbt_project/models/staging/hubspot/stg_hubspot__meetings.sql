{%- set source_relation = source('hubspot', 'meetings') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as meeting_id,
        {{ revops.raw_column(columns, 'hubspot_owner_id', 'text') }} as owner_id,
        -- attributes
        {{ revops.raw_column(columns, 'hs_meeting_title', 'text') }} as subject,
        {{ revops.raw_column(columns, 'hs_meeting_outcome', 'text') }} as engagement_status,
        -- dates
        {{ revops.raw_column(columns, 'hs_timestamp', 'timestamp') }} as occurred_at,
        {{ revops.raw_column(columns, 'hs_meeting_start_time', 'timestamp') }} as start_at,
        {{ revops.raw_column(columns, 'hs_meeting_end_time', 'timestamp') }} as end_at,
        {{ revops.raw_column(columns, ['hs_createdate', 'created_at'], 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'archived'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
