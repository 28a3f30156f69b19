{{ config(severity='warn', tags=['currency']) }}
{#- A deal whose currency has no rate on or before the date it is converted at keeps a NULL
    corporate amount (never a silent 1:1 conversion). This warns with the currency and the deals so
    exchange_rates.csv can be completed. -#}

{%- set missing_sql -%}
    select
        currency,
        count(*) as deals,
        min(fx_rate_date) as first_date_needed,
        min(deal_id) as example_deal_id
    from {{ ref('fct_deals') }}
    where amount is not null and amount_corporate is null
    group by currency
    order by currency
{%- endset -%}

{#- only once fct_deals exists: compiling alone (docs, lint) on an empty warehouse must not fail -#}
{%- if execute and load_relation(ref('fct_deals')) is not none -%}
    {%- set missing = run_query(missing_sql) -%}
    {%- for row in missing.rows -%}
        {%- do exceptions.warn(
            "revops: no exchange rate for currency " ~ row['currency'] ~ " on or before "
            ~ row['first_date_needed'] ~ " (" ~ row['deals'] ~ " deal(s), e.g. " ~ row['example_deal_id']
            ~ "): their corporate amounts are NULL. Add rows for " ~ row['currency']
            ~ " to exchange_rates.csv.") -%}
    {%- endfor -%}
{%- endif -%}

{{ missing_sql }}
