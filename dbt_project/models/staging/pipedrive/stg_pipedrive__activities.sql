{%- set source_relation = source('pipedrive', 'activities') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as activity_id,
        {{ revops.raw_column(columns, ['owner_id', 'user_id'], 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'deal_id', 'text') }} as deal_id,
        {{ revops.raw_column(columns, 'person_id', 'text') }} as person_id,
        {{ revops.raw_column(columns, 'org_id', 'text') }} as organization_id,
        -- attributes
        {{ revops.raw_column(columns, 'subject', 'text') }} as subject,
        {{ revops.raw_column(columns, 'type', 'text') }} as activity_type,
        {{ revops.raw_column(columns, 'duration', 'text') }} as duration,
        -- dates
        {{ revops.raw_column(columns, 'due_date', 'date') }} as due_date,
        {{ revops.raw_column(columns, 'due_time', 'text') }} as due_time,
        {{ revops.raw_column(columns, 'marked_as_done_time', 'timestamp') }} as done_at,
        {{ revops.raw_column(columns, 'add_time', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, 'done', 'bool') }} as is_done,
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
