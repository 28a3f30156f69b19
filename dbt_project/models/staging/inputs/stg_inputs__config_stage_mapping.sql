{%- set source_relation = source('inputs', 'config_stage_mapping') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        {{ revops.raw_column(columns, 'source', 'text') }} as source,
        {{ revops.raw_column(columns, 'pipeline', 'text') }} as pipeline,
        {{ revops.raw_column(columns, 'source_stage', 'text') }} as source_stage,
        {{ revops.raw_column(columns, 'canonical_stage', 'text') }} as canonical_stage

    from source

)

select * from renamed
