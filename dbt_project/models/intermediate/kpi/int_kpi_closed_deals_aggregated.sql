-- KPIs of deals closed in the period (by close date): win rates (count and amount), sales cycle
-- (mean and median days from creation to close of won deals), average deal size, revenue won and
-- its growth on the previous period of the same grain and scope. Deals whose creation date is
-- unknown or after their close date are left out of all of them (docs/kpis.md: win rate), so the
-- won deals behind the win rate, the cycle, the deal size and the revenue are the same deals.

with

settings as (

    select min_sample_deals from {{ ref('int_settings_resolved') }}

),

facts as (

    select * from {{ ref('int_kpi_deal_facts') }}
    where status in ('won', 'lost') and is_win_rate_eligible

),

scoped as (

    {{ revops.explode_scopes('facts') }}

),

aggregated as (

    select
        days.grain,
        days.period_start,
        scoped.scope_type,
        scoped.scope_id,
        sum(case when scoped.status = 'won' then scoped.amount_corporate end) as won_amount,
        sum(case when scoped.status = 'won' and scoped.amount_corporate is not null then 1 else 0 end)
            as won_with_amount,
        sum(case when scoped.is_win_rate_eligible and scoped.status = 'won' then 1 else 0 end) as eligible_won,
        sum(case when scoped.is_win_rate_eligible then 1 else 0 end) as eligible_closed,
        sum(case when scoped.is_win_rate_eligible and scoped.status = 'won' then scoped.amount_corporate end)
            as eligible_won_amount,
        sum(case when scoped.is_win_rate_eligible then scoped.amount_corporate end) as eligible_closed_amount,
        sum(scoped.cycle_days) as cycle_days_total,
        count(scoped.cycle_days) as cycle_deals,
        {{ revops.median('scoped.cycle_days') }} as cycle_days_median
    from scoped
    inner join {{ ref('int_calendar_day_periods') }} as days
        on scoped.closed_date = days.date_day
    group by days.grain, days.period_start, scoped.scope_type, scoped.scope_id

),

grid as (

    select
        grid.*,
        coalesce(aggregated.won_amount, 0) as won_amount,
        coalesce(aggregated.won_with_amount, 0) as won_with_amount,
        coalesce(aggregated.eligible_won, 0) as eligible_won,
        coalesce(aggregated.eligible_closed, 0) as eligible_closed,
        coalesce(aggregated.eligible_won_amount, 0) as eligible_won_amount,
        coalesce(aggregated.eligible_closed_amount, 0) as eligible_closed_amount,
        aggregated.cycle_days_total,
        coalesce(aggregated.cycle_deals, 0) as cycle_deals,
        aggregated.cycle_days_median
    from {{ ref('int_kpi_scope_periods') }} as grid
    left join aggregated
        on grid.grain = aggregated.grain
            and grid.period_start = aggregated.period_start
            and grid.scope_type = aggregated.scope_type
            and grid.scope_id = aggregated.scope_id
    where not grid.is_next

),

with_previous as (

    select
        grid.*,
        -- nothing was won before the first period of the calendar
        coalesce(lag(grid.won_amount) over (
            partition by grid.grain, grid.scope_type, grid.scope_id order by grid.period_start
        ), 0) as previous_won_amount
    from grid

)

{{ revops.kpi_row("'win_rate_count'", revops.safe_divide('eligible_won', 'eligible_closed'),
    'eligible_won', 'eligible_closed', is_small_sample='eligible_closed < settings.min_sample_deals') }}
from with_previous cross join settings
union all
{{ revops.kpi_row("'win_rate_value'", revops.safe_divide('eligible_won_amount', 'eligible_closed_amount'),
    'eligible_won_amount', 'eligible_closed_amount', is_small_sample='eligible_closed < settings.min_sample_deals') }}
from with_previous cross join settings
union all
{{ revops.kpi_row("'sales_cycle_days_mean'", revops.safe_divide('cycle_days_total', 'cycle_deals'),
    'cycle_days_total', 'cycle_deals') }}
from with_previous
union all
{{ revops.kpi_row("'sales_cycle_days_median'", 'cycle_days_median', 'null', 'cycle_deals') }}
from with_previous
union all
{{ revops.kpi_row("'average_deal_size'", revops.safe_divide('won_amount', 'won_with_amount'),
    'won_amount', 'won_with_amount') }}
from with_previous
union all
{{ revops.kpi_row("'won_amount'", 'won_amount', 'won_amount', 'null') }}
from with_previous
union all
{{ revops.kpi_row("'revenue_growth'", revops.safe_divide('won_amount', 'previous_won_amount') ~ ' - 1',
    'won_amount', 'previous_won_amount') }}
from with_previous
