{%- set source_relation = source('salesforce', 'event') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as event_id,
        {{ revops.raw_column(columns, 'owner_id', 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'who_id', 'text') }} as who_id,
        {{ revops.raw_column(columns, 'what_id', 'text') }} as what_id,
        {{ revops.raw_column(columns, 'account_id', 'text') }} as account_id,
        -- attributes
        {{ revops.raw_column(columns, 'subject', 'text') }} as subject,
        {{ revops.raw_column(columns, 'event_subtype', 'text') }} as event_subtype,
        {{ revops.raw_column(columns, 'type', 'text') }} as event_type,
        -- amounts
        {{ revops.raw_column(columns, 'duration_in_minutes', 'int') }} as duration_minutes,
        -- dates
        {{ revops.raw_column(columns, ['start_date_time', 'activity_date_time'], 'timestamp') }} as start_at,
        {{ revops.raw_column(columns, 'end_date_time', 'timestamp') }} as end_at,
        {{ revops.raw_column(columns, 'activity_date', 'date') }} as activity_date,
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, 'is_all_day_event', 'bool') }} as is_all_day,
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
