{%- set source_relation = source('inputs', 'quotas') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- ids
        lower({{ revops.raw_column(columns, 'rep_email', 'text') }}) as rep_email,
        -- attributes
        {{ revops.raw_column(columns, 'quota_type', 'text') }} as quota_type,
        upper({{ revops.raw_column(columns, 'currency', 'text') }}) as currency,
        -- amounts
        {{ revops.raw_column(columns, 'quota_amount', 'float') }} as quota_amount,
        -- dates
        {{ revops.raw_column(columns, 'period_start', 'date') }} as period_start,
        {{ revops.raw_column(columns, 'period_end', 'date') }} as period_end

    from source

)

select * from renamed
