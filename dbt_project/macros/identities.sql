{#- Normalising the keys that identify one person or one company across systems. -#}

{% macro normalise_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}


{% macro normalise_domain(expression) -%}
    {#- "HTTPS://www.Acme.com/about" -> "acme.com"; an e-mail address gives its domain. -#}
    nullif(
        regexp_replace(
            regexp_replace(
                regexp_replace(lower(trim({{ expression }})), '^[a-z]+://', '', 'g'),
                '^(www[0-9]*\.|[^@/]*@)', '', 'g'),
            '([/:?#].*$|\.+$)', '', 'g'),
        '')
{%- endmacro %}


{% macro normalise_company_name(expression) -%}
    {#- "The ACME Company, Inc." -> "acme": accents and case out, dots dropped (S.A.S. -> sas),
        other punctuation made spaces, a leading "the" and trailing legal forms (Inc, Ltd,
        GmbH & Co. KG, SAS, ...) out, spaces squeezed. -#}
    nullif(trim(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(
            regexp_replace(lower({{ revops.strip_accents(expression) }}), '[.]', '', 'g'),
            '[^a-z0-9]+', ' ', 'g'),
        '^\s*the\s+', '', 'g'),
        '(\s+{{ revops.legal_suffix_pattern() }})+\s*$', '', 'g'),
        '\s+', ' ', 'g')), '')
{%- endmacro %}

{% macro legal_suffix_pattern() -%}
    {#- Legal forms dropped from the end of company names when matching. -#}
    (inc|incorporated|corp|corporation|co|company|llc|llp|lp|ltd|limited|plc|gmbh|mbh|ag|kg|kgaa|se|sa|sas|sasu|sarl|srl|spa|bv|nv|oy|oyj|ab|asa|aps|kk|pty|pte|pvt|ulc|lda|sl)
{%- endmacro %}

{% macro strip_accents(expression) -%}
    {{ return(adapter.dispatch('strip_accents', 'revops')(expression)) }}
{%- endmacro %}

{% macro default__strip_accents(expression) -%}{{ expression }}{%- endmacro %}
{% macro duckdb__strip_accents(expression) -%}strip_accents({{ expression }}){%- endmacro %}
