{%- set source_relation = source('inputs', 'surveys') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        {{ revops.raw_column(columns, 'survey_id', 'text') }} as survey_id,
        -- attributes
        {{ revops.raw_column(columns, 'team', 'text') }} as team,
        -- amounts
        {{ revops.raw_column(columns, 'enps_score', 'int') }} as enps_score,
        -- dates
        {{ revops.raw_column(columns, 'survey_date', 'date') }} as survey_date

    from source

)

select * from renamed
