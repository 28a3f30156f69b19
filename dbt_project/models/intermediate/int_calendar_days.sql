-- One row per day from the start of the fiscal year of the earliest deal, activity or MQL (at most ten
-- years back) to the end of the fiscal quarter after the as-of date's quarter, with the ISO week,
-- calendar month and fiscal quarter each day belongs to.

with

settings as (

    select * from {{ ref('int_settings_resolved') }}

),

first_dates as (

    select min(created_date) as first_date from {{ ref('int_deals_unioned') }}
    union all
    select min(cast(occurred_at as date)) from {{ ref('int_activities_unioned') }}
    union all
    select min(cast(mql_at as date)) from {{ ref('int_people_unioned') }}

),

bounds as (

    select
        {{ revops.fiscal_year_start(
            "case when min(first_dates.first_date) is null or min(first_dates.first_date) > settings.as_of_date"
            ~ " then settings.as_of_date"
            ~ " when min(first_dates.first_date) < " ~ dbt.dateadd('year', -10, 'settings.as_of_date')
            ~ " then " ~ dbt.dateadd('year', -10, 'settings.as_of_date')
            ~ " else min(first_dates.first_date) end",
            'settings.fiscal_year_start_month') }} as first_day,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 6, revops.fiscal_quarter_start(
            'settings.as_of_date', 'settings.fiscal_year_start_month'))) }} as date) as last_day,
        settings.fiscal_year_start_month,
        settings.as_of_date
    from first_dates
    cross join settings
    group by settings.as_of_date, settings.fiscal_year_start_month

),

numbers as (

    {{ revops.day_numbers(5490) }}

),

spine as (

    -- weeks may start before the fiscal year does: begin on the Monday of the first day's week
    select
        cast(
            {{ dbt.dateadd('day', 'numbers.day_offset', revops.iso_week_start('bounds.first_day')) }} as date
        ) as date_day,
        bounds.first_day,
        bounds.last_day,
        bounds.fiscal_year_start_month,
        bounds.as_of_date
    from bounds
    cross join numbers

),

days as (

    select
        date_day,
        first_day,
        fiscal_year_start_month,
        as_of_date
    from spine
    where date_day <= last_day

)

select
    date_day,
    {{ revops.iso_week_start('date_day') }} as week_start,
    {{ revops.month_start('date_day') }} as month_start,
    {{ revops.fiscal_quarter_start('date_day', 'fiscal_year_start_month') }} as quarter_start,
    {{ revops.fiscal_year_start('date_day', 'fiscal_year_start_month') }} as fiscal_year_start,
    date_day > as_of_date as is_future,
    -- the few days of the first ISO week that fall before the first fiscal year
    date_day < first_day as is_before_first_year
from days
