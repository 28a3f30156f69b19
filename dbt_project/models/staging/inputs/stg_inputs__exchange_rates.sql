{%- set source_relation = source('inputs', 'exchange_rates') -%}
{%- set columns = revops.raw_columns(source_relation) -%}

with

source as (

    {{ revops.raw_table(source_relation, columns) }}

),

renamed as (

    select
        -- attributes
        upper({{ revops.raw_column(columns, 'currency', 'text') }}) as currency,
        -- amounts
        {{ revops.raw_column(columns, 'rate_to_corporate', 'float') }} as rate_to_corporate,
        -- dates
        {{ revops.raw_column(columns, 'rate_date', 'date') }} as rate_date

    from source

)

select * from renamed
