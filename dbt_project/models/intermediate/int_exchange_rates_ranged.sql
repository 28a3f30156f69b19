-- Exchange rates as validity ranges: a rate applies from its date until the currency's next rate
-- (`valid_to`, exclusive; NULL for the latest). A day without a rate of its own therefore takes the
-- latest earlier rate. The corporate currency converts at 1 on every day.

with

settings as (

    select corporate_currency from {{ ref('int_settings_resolved') }}

),

rates as (

    select
        rates.currency,
        rates.rate_date,
        max(rates.rate_to_corporate) as rate_to_corporate
    from {{ ref('stg_inputs__exchange_rates') }} as rates
    cross join settings
    where rates.currency is not null
        and rates.rate_date is not null
        and rates.rate_to_corporate is not null
        and rates.currency <> settings.corporate_currency
    group by rates.currency, rates.rate_date

),

corporate as (

    select
        corporate_currency as currency,
        cast('1900-01-01' as date) as rate_date,
        1.0 as rate_to_corporate
    from settings

),

all_rates as (

    select currency, rate_date, cast(rate_to_corporate as {{ revops.type_double() }}) as rate_to_corporate
    from rates
    union all
    select currency, rate_date, cast(rate_to_corporate as {{ revops.type_double() }}) as rate_to_corporate
    from corporate

)

select
    currency,
    rate_date as valid_from,
    lead(rate_date) over (partition by currency order by rate_date) as valid_to,
    rate_to_corporate
from all_rates
