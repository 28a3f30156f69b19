{#- Aggregates whose spelling differs between engines, and ratio helpers. -#}

{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'revops')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}


{% macro safe_divide(numerator, denominator) -%}
    {#- A ratio that is NULL, never 0 or an error, when the denominator is zero or unknown. -#}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ revops.type_double() }}) / {{ denominator }}
    end
{%- endmacro %}


{% macro hash_key(expressions) -%}
    {#- A stable text key from one or more expressions (NULLs become empty strings). -#}
    {%- set parts = [] -%}
    {%- for expression in expressions -%}
        {%- do parts.append("coalesce(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}


{% macro var_literal(name, kind) -%}
    {#- A dbt var as a typed SQL literal, or NULL when it was not passed. -#}
    {%- set value = var(name, none) -%}
    {%- if value is none or value == '' -%}
        cast(null as {{ revops.sql_type(kind) }})
    {%- elif kind in ('int', 'float') -%}
        cast({{ value }} as {{ revops.sql_type(kind) }})
    {%- else -%}
        cast('{{ value }}' as {{ revops.sql_type(kind) }})
    {%- endif -%}
{%- endmacro %}


{% macro value_at_max(value, ordering) -%}
    {#- Aggregate: `value` from the row with the largest `ordering` (rows whose ordering is NULL
        are ignored; ties give any one of the tied rows' values). -#}
    {{ return(adapter.dispatch('value_at_max', 'revops')(value, ordering)) }}
{%- endmacro %}

{#- Snowflake, BigQuery, Databricks, Spark and Trino spell it max_by -#}
{% macro default__value_at_max(value, ordering) -%}
    max_by({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro duckdb__value_at_max(value, ordering) -%}
    arg_max({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro postgres__value_at_max(value, ordering) -%}
    (array_agg({{ value }} order by {{ ordering }} desc) filter (where {{ ordering }} is not null))[1]
{%- endmacro %}
