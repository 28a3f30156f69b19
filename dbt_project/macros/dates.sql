{#- Engine-specific date and time SQL. Everything else uses dbt's cross-database macros. -#}

{% macro to_utc_timestamp(expression) -%}
    {#- Text (ISO 8601, with or without offset), TIMESTAMP or TIMESTAMP WITH TIME ZONE -> naive UTC
        TIMESTAMP; unparseable text gives NULL. -#}
    {{ return(adapter.dispatch('to_utc_timestamp', 'revops')(expression)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expression) -%}
    cast({{ expression }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expression) -%}
    timezone('UTC', try_cast({{ expression }} as timestamptz))
{%- endmacro %}


{% macro to_date(expression) -%}
    cast({{ revops.to_utc_timestamp(expression) }} as date)
{%- endmacro %}


{% macro days_between(start_timestamp, end_timestamp) -%}
    {#- Fractional days from one instant to another. -#}
    {{ return(adapter.dispatch('days_between', 'revops')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__days_between(start_timestamp, end_timestamp) -%}
    ({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} / 86400.0)
{%- endmacro %}

{% macro duckdb__days_between(start_timestamp, end_timestamp) -%}
    ((epoch({{ end_timestamp }}) - epoch({{ start_timestamp }})) / 86400.0)
{%- endmacro %}


{% macro iso_week_start(date_expression) -%}
    {#- Monday of the ISO week. -#}
    {{ return(adapter.dispatch('iso_week_start', 'revops')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_week_start(date_expression) -%}
    cast({{ dbt.date_trunc('week', date_expression) }} as date)
{%- endmacro %}

{% macro bigquery__iso_week_start(date_expression) -%}
    date_trunc({{ date_expression }}, isoweek)
{%- endmacro %}


{% macro month_start(date_expression) -%}
    cast({{ dbt.date_trunc('month', date_expression) }} as date)
{%- endmacro %}


{% macro fiscal_quarter_start(date_expression, start_month) -%}
    {#- First day of the fiscal quarter holding the date: quarters start on `start_month` (1-12) and
        every third month after it. -#}
    cast({{ dbt.dateadd(
        'month',
        '-1 * ' ~ revops.modulo('extract(month from ' ~ date_expression ~ ') - ' ~ start_month ~ ' + 12', 3),
        revops.month_start(date_expression)) }} as date)
{%- endmacro %}


{% macro fiscal_year_start(date_expression, start_month) -%}
    cast({{ dbt.dateadd(
        'month',
        '-1 * ' ~ revops.modulo('extract(month from ' ~ date_expression ~ ') - ' ~ start_month ~ ' + 12', 12),
        revops.month_start(date_expression)) }} as date)
{%- endmacro %}


{% macro modulo(dividend, divisor) -%}
    {{ return(adapter.dispatch('modulo', 'revops')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__modulo(dividend, divisor) -%}
    mod(cast({{ dividend }} as {{ dbt.type_int() }}), {{ divisor }})
{%- endmacro %}

{% macro duckdb__modulo(dividend, divisor) -%}
    (cast({{ dividend }} as integer) % {{ divisor }})
{%- endmacro %}


{% macro day_numbers(days) -%}
    {#- A relation of day offsets 0 .. days-1 (column `day_offset`), for date spines. -#}
    select generated_number - 1 as day_offset
    from ({{ dbt.generate_series(days) }}) as numbers
{%- endmacro %}
