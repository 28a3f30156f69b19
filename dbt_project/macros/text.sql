{#- Text functions whose spelling differs between engines. -#}

{% macro regexp_first_match(expression, pattern) -%}
    {#- The first substring of `expression` matching the regular expression `pattern` (a SQL string
        literal); NULL when nothing matches or the expression is NULL. -#}
    {{ return(adapter.dispatch('regexp_first_match', 'revops')(expression, pattern)) }}
{%- endmacro %}

{#- Snowflake, Redshift and Postgres 15+ -#}
{% macro default__regexp_first_match(expression, pattern) -%}
    regexp_substr({{ expression }}, {{ pattern }})
{%- endmacro %}

{#- DuckDB gives '' when nothing matches: made NULL like the other engines -#}
{% macro duckdb__regexp_first_match(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, {{ pattern }}), '')
{%- endmacro %}

{% macro bigquery__regexp_first_match(expression, pattern) -%}
    regexp_extract({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_first_match(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, {{ pattern }}, 0), '')
{%- endmacro %}


{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {#- Every match of the regular expression `pattern` (a SQL string literal) replaced. -#}
    {{ return(adapter.dispatch('regexp_replace_all', 'revops')(expression, pattern, replacement)) }}
{%- endmacro %}

{#- Snowflake, BigQuery, Redshift, Spark: regexp_replace replaces every match by default -#}
{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{#- DuckDB and Postgres replace the first match only, unless told 'g' -#}
{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro postgres__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
