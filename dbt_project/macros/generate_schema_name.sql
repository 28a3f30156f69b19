{#- Models land in the schema named in dbt_project.yml (staging, intermediate, marts, kpi) as is,
    not prefixed with the target schema: those names are the warehouse contract. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
