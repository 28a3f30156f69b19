-- The period each day belongs to, for every grain: three rows per day. KPI models join facts to
-- periods through their date with an equality join.

with

days as (

    select
        date_day,
        week_start,
        month_start,
        quarter_start
    from {{ ref('int_calendar_days') }}

),

periods as (

    select
        grain,
        period_start,
        period_end
    from {{ ref('int_calendar_periods') }}

),

day_starts as (

    select
        date_day,
        'week' as grain,
        week_start as period_start
    from days
    union all
    select
        date_day,
        'month' as grain,
        month_start as period_start
    from days
    union all
    select
        date_day,
        'quarter' as grain,
        quarter_start as period_start
    from days

)

select
    day_starts.date_day,
    day_starts.grain,
    day_starts.period_start,
    periods.period_end
from day_starts
inner join periods
    on day_starts.grain = periods.grain
        and day_starts.period_start = periods.period_start
