{%- set source_relation = source('salesforce', 'task') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as task_id,
        {{ revops.raw_column(columns, 'owner_id', 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'who_id', 'text') }} as who_id,
        {{ revops.raw_column(columns, 'what_id', 'text') }} as what_id,
        {{ revops.raw_column(columns, 'account_id', 'text') }} as account_id,
        -- attributes
        {{ revops.raw_column(columns, 'subject', 'text') }} as subject,
        {{ revops.raw_column(columns, 'task_subtype', 'text') }} as task_subtype,
        {{ revops.raw_column(columns, 'type', 'text') }} as task_type,
        {{ revops.raw_column(columns, 'status', 'text') }} as task_status,
        -- amounts
        {{ revops.raw_column(columns, 'call_duration_in_seconds', 'int') }} as call_duration_seconds,
        -- dates
        {{ revops.raw_column(columns, 'activity_date', 'date') }} as activity_date,
        {{ revops.raw_column(columns, 'completed_date_time', 'timestamp') }} as completed_at,
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, 'is_closed', 'bool') }} as is_closed,
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
