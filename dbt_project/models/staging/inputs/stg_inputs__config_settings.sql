{%- set source_relation = source('inputs', 'config_settings') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        {{ revops.raw_column(columns, 'key', 'text') }} as setting_key,
        {{ revops.raw_column(columns, 'value', 'text') }} as setting_value

    from source

)

select * from renamed
