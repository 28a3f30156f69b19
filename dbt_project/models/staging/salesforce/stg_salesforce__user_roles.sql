{%- set source_relation = source('salesforce', 'user_role') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as user_role_id,
        {{ revops.raw_column(columns, 'parent_role_id', 'text') }} as parent_role_id,
        -- attributes
        {{ revops.raw_column(columns, 'name', 'text') }} as role_name,
        {{ revops.raw_column(columns, 'developer_name', 'text') }} as developer_name,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
