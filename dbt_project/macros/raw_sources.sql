{#- Reading landed raw tables whose shape depends on the data.

    dlt creates a column only once a non-null value arrives, and an optional source or input file may
    not have been landed at all. Staging models therefore ask the warehouse which columns exist and
    select NULL (typed) for the missing ones, instead of failing the whole build. -#}

{% macro raw_columns(relation) -%}
    {#- Lower-cased column names of a raw table; none when the table does not exist. -#}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- if found is none -%}
        {{ log("revops: " ~ relation.schema ~ "." ~ relation.identifier ~ " has not been landed; "
               ~ model.name ~ " is built empty until it is.", info=true) }}
        {{ return(none) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(found) -%}
        {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{% macro raw_table(relation, columns) -%}
    {#- The body of a staging model's `source` CTE: the raw table, or no rows when it is missing. -#}
    {%- if columns is none -%}
        select 1 as missing_table where 1 = 0
    {%- else -%}
        select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}


{% macro raw_column(columns, names, kind) -%}
    {#- One raw column cast to `kind` (text, float, int, bool, timestamp, date), or a typed NULL when
        the column is absent. `names` may be a list of alternative names: the first present ones
        are coalesced in order. -#}
    {%- set candidates = [names] if names is string else names -%}
    {%- set present = [] -%}
    {%- if columns is not none -%}
        {%- for name in candidates -%}
            {%- if name | lower in columns -%}
                {%- do present.append(revops.cast_raw(adapter.quote(name | lower), kind)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if present | length == 0 -%}
        cast(null as {{ revops.sql_type(kind) }})
    {%- elif present | length == 1 -%}
        {{ present[0] }}
    {%- else -%}
        coalesce({{ present | join(', ') }})
    {%- endif -%}
{%- endmacro %}


{% macro has_raw_column(columns, name) -%}
    {{ return(columns is not none and name | lower in columns) }}
{%- endmacro %}


{% macro cast_raw(expression, kind) -%}
    {%- if kind == 'timestamp' -%}
        {{ revops.to_utc_timestamp(expression) }}
    {%- elif kind == 'date' -%}
        {{ revops.to_date(expression) }}
    {%- elif kind == 'text' -%}
        nullif(trim(cast({{ expression }} as {{ revops.sql_type('text') }})), '')
    {%- else -%}
        {{ dbt.safe_cast(expression, revops.sql_type(kind)) }}
    {%- endif -%}
{%- endmacro %}


{% macro sql_type(kind) -%}
    {%- if kind == 'text' -%}{{ dbt.type_string() }}
    {%- elif kind == 'float' -%}{{ revops.type_double() }}
    {%- elif kind == 'int' -%}{{ dbt.type_bigint() }}
    {%- elif kind == 'bool' -%}{{ dbt.type_boolean() }}
    {%- elif kind == 'timestamp' -%}{{ dbt.type_timestamp() }}
    {%- elif kind == 'date' -%}date
    {%- else -%}{{ exceptions.raise_compiler_error("sql_type: unknown kind '" ~ kind ~ "'; use text, float, int, bool, timestamp or date") }}
    {%- endif -%}
{%- endmacro %}


{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'revops')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}
{% macro duckdb__type_double() -%}double{%- endmacro %}
