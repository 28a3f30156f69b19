{%- set source_relation = source('pipedrive', 'persons') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as person_id,
        {{ revops.raw_column(columns, ['owner_id', 'user_id'], 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'org_id', 'text') }} as organization_id,
        -- attributes
        lower({{ revops.raw_column(columns, ['primary_email', 'email', 'emails__value'], 'text') }}) as email,
        {{ revops.raw_column(columns, 'name', 'text') }} as full_name,
        {{ revops.raw_column(columns, ['lifecycle_stage', 'lead_status'], 'text') }} as lifecycle_stage,
        -- dates
        {{ revops.raw_column(columns, 'add_time', 'timestamp') }} as created_at,
        {{ revops.raw_column(columns, ['mql_date', 'mql_at'], 'timestamp') }} as mql_at,
        {{ revops.raw_column(columns, ['sql_date', 'sql_at'], 'timestamp') }} as sql_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
