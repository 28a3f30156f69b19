-- The run's settings in one row: dbt vars win, then revops.yml (raw_inputs.config_settings), then
-- the defaults below. Every model that needs "today", the corporate currency or the fiscal calendar
-- joins this row, so one build never mixes two settings.

with

settings as (

    select
        setting_key,
        setting_value
    from {{ ref('stg_inputs__config_settings') }}

),

pivoted as (

    select
        max(case when setting_key = 'as_of_date' then setting_value end) as as_of_date,
        max(case when setting_key = 'corporate_currency' then setting_value end) as corporate_currency,
        max(case when setting_key = 'fiscal_year_start_month' then setting_value end) as fiscal_year_start_month,
        max(case when setting_key = 'amber_share' then setting_value end) as amber_share,
        max(case when setting_key = 'smb_max_employees' then setting_value end) as smb_max_employees,
        max(case when setting_key = 'mid_market_max_employees' then setting_value end) as mid_market_max_employees
    from settings

)

select
    cast(coalesce(
        {{ revops.var_literal('as_of_date', 'date') }},
        {{ dbt.safe_cast('as_of_date', 'date') }},
        current_date
    ) as date) as as_of_date,
    upper(coalesce(corporate_currency, 'EUR')) as corporate_currency,
    cast(coalesce(
        {{ revops.var_literal('fiscal_year_start_month', 'int') }},
        {{ dbt.safe_cast('fiscal_year_start_month', dbt.type_int()) }},
        2
    ) as {{ dbt.type_int() }}) as fiscal_year_start_month,
    coalesce({{ dbt.safe_cast('amber_share', revops.type_double()) }}, 0.9) as amber_share,
    coalesce({{ dbt.safe_cast('smb_max_employees', dbt.type_int()) }}, 200) as smb_max_employees,
    coalesce({{ dbt.safe_cast('mid_market_max_employees', dbt.type_int()) }}, 1000) as mid_market_max_employees,
    -- KPI thresholds from docs/kpis.md
    30 as min_sample_deals,
    90 as mql_maturity_days
from pivoted
