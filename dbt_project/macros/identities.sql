{#- Normalising the keys that identify one person or one company across systems. -#}

{% macro normalise_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}


{% macro normalise_domain(expression) -%}
    {#- "HTTPS://www.Acme.com/about" -> "acme.com"; an e-mail address gives its domain. -#}
    {%- set no_scheme = revops.regexp_replace_all('lower(trim(' ~ expression ~ '))', "'^[a-z]+://'", "''") -%}
    {%- set no_www_or_mailbox = revops.regexp_replace_all(no_scheme, "'^(www[0-9]*\\.|[^@/]*@)'", "''") -%}
    {%- set host = revops.regexp_replace_all(no_www_or_mailbox, "'([/:?#].*$|\\.+$)'", "''") -%}
    nullif({{ host }}, '')
{%- endmacro %}


{% macro normalise_company_name(expression) -%}
    {#- "The ACME Company, Inc." -> "acme": accents and case out, dots dropped (S.A.S. -> sas),
        other punctuation made spaces, a leading "the" and trailing legal forms (Inc, Ltd,
        GmbH & Co. KG, SAS, ...) out, spaces squeezed. -#}
    {%- set lowered = 'lower(' ~ revops.strip_accents(expression) ~ ')' -%}
    {%- set no_dots = revops.regexp_replace_all(lowered, "'[.]'", "''") -%}
    {%- set spaced = revops.regexp_replace_all(no_dots, "'[^a-z0-9]+'", "' '") -%}
    {%- set no_article = revops.regexp_replace_all(spaced, "'^\\s*the\\s+'", "''") -%}
    {%- set no_legal_form = revops.regexp_replace_all(
        no_article, "'(\\s+" ~ revops.legal_suffix_pattern() ~ ")+\\s*$'", "''") -%}
    {%- set squeezed = revops.regexp_replace_all(no_legal_form, "'\\s+'", "' '") -%}
    nullif(trim({{ squeezed }}), '')
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
