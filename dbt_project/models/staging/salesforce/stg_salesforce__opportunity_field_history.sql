{%- set source_relation = source('salesforce', 'opportunity_field_history') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'id', 'text') }} as opportunity_field_history_id,
        {{ revops.raw_column(columns, 'opportunity_id', 'text') }} as opportunity_id,
        -- attributes
        {{ revops.raw_column(columns, 'field', 'text') }} as field_name,
        {{ revops.raw_column(columns, 'data_type', 'text') }} as data_type,
        {{ revops.raw_column(columns, 'old_value', 'text') }} as old_value,
        {{ revops.raw_column(columns, 'new_value', 'text') }} as new_value,
        -- dates
        {{ revops.raw_column(columns, 'created_date', 'timestamp') }} as created_at,
        -- flags
        {{ revops.raw_column(columns, ['is_deleted', 'deleted'], 'bool') }} as is_deleted

    from source

)

select * from renamed
where not coalesce(is_deleted, false)
