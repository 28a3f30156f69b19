-- sales_velocity per fiscal quarter, in corporate currency per day: open deals at the period start
-- that had reached demo × average deal size × win rate (count) / mean sales cycle in days, the
-- three rates over deals closed in the 365 days before the period start.
-- numerator = deals × size × win rate, denominator = mean cycle days.

with

periods as (

    select
        grain,
        period_start,
        period_end,
        is_complete
    from {{ ref('int_calendar_periods') }}
    where grain = 'quarter' and is_started

),

facts as (

    select * from {{ ref('int_kpi_deal_facts') }}

),

open_at_start as (

    select
        periods.period_start,
        1 as open_deals,
        0 as won_with_amount,
        cast(null as {{ revops.type_double() }}) as won_amount,
        0 as eligible_won,
        0 as eligible_closed,
        cast(null as {{ dbt.type_int() }}) as cycle_days,
        facts.source,
        facts.rep_scope_id,
        facts.team,
        facts.manager_scope_id,
        facts.segment
    from periods
    inner join {{ ref('fct_pipeline_daily') }} as pipeline
        on periods.period_start = pipeline.snapshot_date
    inner join facts
        on pipeline.deal_id = facts.deal_id
    where facts.reached_demo_date <= periods.period_start

),

trailing_closed as (

    select
        periods.period_start,
        0 as open_deals,
        case when facts.status = 'won' and facts.amount_corporate is not null then 1 else 0 end as won_with_amount,
        case when facts.status = 'won' then facts.amount_corporate end as won_amount,
        case when facts.is_win_rate_eligible and facts.status = 'won' then 1 else 0 end as eligible_won,
        case when facts.is_win_rate_eligible then 1 else 0 end as eligible_closed,
        facts.cycle_days,
        facts.source,
        facts.rep_scope_id,
        facts.team,
        facts.manager_scope_id,
        facts.segment
    from periods
    inner join facts
        on {{ dbt.dateadd('day', -365, 'periods.period_start') }} <= facts.closed_date
            and periods.period_start > facts.closed_date
            and facts.status in ('won', 'lost')

),

combined as (

    select * from open_at_start
    union all
    select * from trailing_closed

),

scoped as (

    {{ revops.explode_scopes('combined', ['company', 'segment', 'source']) }}

),

aggregated as (

    select
        scope_type,
        scope_id,
        period_start,
        sum(open_deals) as open_deals,
        {{ revops.safe_divide('sum(won_amount)', 'sum(won_with_amount)') }} as average_deal_size,
        {{ revops.safe_divide('sum(eligible_won)', 'sum(eligible_closed)') }} as win_rate,
        {{ revops.safe_divide('sum(cycle_days)', 'count(cycle_days)') }} as mean_cycle_days
    from scoped
    group by scope_type, scope_id, period_start

),

grid as (

    select
        grid.*,
        coalesce(aggregated.open_deals, 0) * aggregated.average_deal_size * aggregated.win_rate as velocity_numerator,
        aggregated.mean_cycle_days
    from {{ ref('int_kpi_scope_periods') }} as grid
    left join aggregated
        on grid.period_start = aggregated.period_start
            and grid.scope_type = aggregated.scope_type
            and grid.scope_id = aggregated.scope_id
    where grid.grain = 'quarter'
        and not grid.is_next
        and grid.scope_type in ('company', 'segment', 'source')

)

{{ revops.kpi_row("'sales_velocity'", revops.safe_divide('velocity_numerator', 'mean_cycle_days'),
    'velocity_numerator', 'mean_cycle_days') }}
from grid
