-- gross_retention and net_retention per fiscal quarter: over accounts that won revenue in the 12
-- months before the trailing year ("prior" > 0), Σ min(now, prior) / Σ prior and Σ now / Σ prior,
-- where now is the won amount of the 12 months ending at the period end. The source scope compares
-- each account's revenue in that CRM only.

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

won as (

    select
        account_id,
        source,
        segment,
        closed_date,
        amount_corporate
    from {{ ref('int_kpi_deal_facts') }}
    where status = 'won' and account_id is not null and amount_corporate is not null

),

windows as (

    select
        periods.period_start,
        won.account_id,
        won.source,
        won.segment,
        sum(case when won.closed_date >= {{ dbt.dateadd('month', -12, 'periods.period_end') }}
                then won.amount_corporate
            else 0
        end) as now_amount,
        sum(case when won.closed_date < {{ dbt.dateadd('month', -12, 'periods.period_end') }}
                then won.amount_corporate
            else 0
        end) as prior_amount
    from periods
    inner join won
        on {{ dbt.dateadd('month', -24, 'periods.period_end') }} <= won.closed_date
            and periods.period_end > won.closed_date
    group by periods.period_start, won.account_id, won.source, won.segment

),

accounts as (

    -- company and segment scopes: an account's revenue across every CRM
    select
        period_start,
        account_id,
        max(segment) as segment,
        sum(now_amount) as now_amount,
        sum(prior_amount) as prior_amount
    from windows
    group by period_start, account_id

),

scoped as (

    select
        'company' as scope_type,
        'all' as scope_id,
        period_start,
        now_amount,
        prior_amount
    from accounts
    where prior_amount > 0
    union all
    select
        'segment' as scope_type,
        coalesce(segment, 'unknown') as scope_id,
        period_start,
        now_amount,
        prior_amount
    from accounts
    where prior_amount > 0
    union all
    select
        'source' as scope_type,
        source as scope_id,
        period_start,
        now_amount,
        prior_amount
    from windows
    where prior_amount > 0

),

aggregated as (

    select
        scope_type,
        scope_id,
        period_start,
        sum(case when now_amount < prior_amount then now_amount else prior_amount end) as kept_amount,
        sum(now_amount) as now_amount,
        sum(prior_amount) as prior_amount
    from scoped
    group by scope_type, scope_id, period_start

),

grid as (

    select
        grid.*,
        coalesce(aggregated.kept_amount, 0) as kept_amount,
        coalesce(aggregated.now_amount, 0) as now_amount,
        coalesce(aggregated.prior_amount, 0) as prior_amount
    from {{ ref('int_kpi_scope_periods') }} as grid
    left join aggregated
        on grid.period_start = aggregated.period_start
            and grid.scope_type = aggregated.scope_type
            and grid.scope_id = aggregated.scope_id
    where grid.grain = 'quarter'
        and not grid.is_next
        and grid.scope_type in ('company', 'segment', 'source')

)

{{ revops.kpi_row("'gross_retention'", revops.safe_divide('kept_amount', 'prior_amount'),
    'kept_amount', 'prior_amount') }}
from grid
union all
{{ revops.kpi_row("'net_retention'", revops.safe_divide('now_amount', 'prior_amount'),
    'now_amount', 'prior_amount') }}
from grid
