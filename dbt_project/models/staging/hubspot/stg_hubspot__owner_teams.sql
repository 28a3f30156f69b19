{%- set source_relation = source('hubspot', 'owner_teams') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'owner_id', 'text') }} as owner_id,
        {{ revops.raw_column(columns, 'team_id', 'text') }} as team_id,
        -- attributes
        {{ revops.raw_column(columns, 'team_name', 'text') }} as team_name,
        -- flags
        {{ revops.raw_column(columns, 'primary', 'bool') }} as is_primary

    from source

)

select * from renamed
