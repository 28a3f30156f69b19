-- One row per grain (week, month, quarter) and period of the calendar, half-open
-- [period_start, period_end). KPIs are reported for periods that have started by the as-of date;
-- the pipeline KPIs also for the next period (`is_next`), seen from the as-of date.

with

settings as (

    select as_of_date from {{ ref('int_settings_resolved') }}

),

days as (

    select * from {{ ref('int_calendar_days') }}

),

starts as (

    select distinct
        'week' as grain,
        week_start as period_start
    from days
    union all
    select distinct
        'month' as grain,
        month_start as period_start
    from days
    where not is_before_first_year
    union all
    select distinct
        'quarter' as grain,
        quarter_start as period_start
    from days
    where not is_before_first_year

),

periods as (

    select
        starts.grain,
        starts.period_start,
        cast(case starts.grain
            when 'week' then {{ dbt.dateadd('day', 7, 'starts.period_start') }}
            when 'month' then {{ dbt.dateadd('month', 1, 'starts.period_start') }}
            else {{ dbt.dateadd('month', 3, 'starts.period_start') }}
        end as date) as period_end,
        settings.as_of_date
    from starts
    cross join settings

),

flagged as (

    select
        grain,
        period_start,
        period_end,
        {{ dbt.datediff('period_start', 'period_end', 'day') }}
            as days_in_period,
        period_start <= as_of_date as is_started,
        period_end <= as_of_date as is_complete,
        period_start <= as_of_date and as_of_date < period_end as is_current,
        -- the snapshot of point-in-time pipeline KPIs: the period start, or today for future periods
        case when period_start > as_of_date then as_of_date else period_start end as snapshot_date,
        row_number() over (
            partition by grain, case when period_start > as_of_date then 1 else 0 end
            order by period_start
        ) as future_rank,
        period_start > as_of_date as is_future
    from periods

)

select
    grain,
    period_start,
    period_end,
    days_in_period,
    is_started,
    is_complete,
    is_current,
    is_future and future_rank = 1 as is_next,
    snapshot_date
from flagged
