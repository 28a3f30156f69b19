-- Point-in-time pipeline KPIs, seen at each period's snapshot date (the period start, or the as-of
-- date for the next period, which has not started): open_pipeline and weighted_pipeline over deals
-- open then whose expected close date (as known then) falls in the period and not before the
-- snapshot; pipeline_coverage = open pipeline / (quota - won so far in the period, up to the
-- snapshot), NULL when nothing remains; quota_attainment = won in the period / quota. Quotas exist
-- for reps, and their teams, managers and the company; segment and source scopes have none.

with

periods as (

    select * from {{ ref('int_calendar_periods') }}
    where is_started or is_next

),

facts as (

    select * from {{ ref('int_kpi_deal_facts') }}

),

open_deals as (

    select
        periods.grain,
        periods.period_start,
        pipeline.amount_corporate,
        pipeline.amount_corporate * pipeline.probability as weighted_amount,
        facts.source,
        facts.rep_scope_id,
        facts.team,
        facts.manager_scope_id,
        facts.segment
    from periods
    inner join {{ ref('fct_pipeline_daily') }} as pipeline
        on periods.snapshot_date = pipeline.snapshot_date
            and periods.period_start <= pipeline.expected_close_date
            and periods.period_end > pipeline.expected_close_date
            and periods.snapshot_date <= pipeline.expected_close_date
    inner join facts
        on pipeline.deal_id = facts.deal_id

),

open_scoped as (

    {{ revops.explode_scopes('open_deals') }}

),

open_aggregated as (

    select
        grain,
        period_start,
        scope_type,
        scope_id,
        sum(amount_corporate) as open_pipeline,
        sum(weighted_amount) as weighted_pipeline
    from open_scoped
    group by grain, period_start, scope_type, scope_id

),

won_deals as (

    select
        periods.grain,
        periods.period_start,
        facts.amount_corporate,
        facts.closed_date <= periods.snapshot_date as is_won_by_snapshot,
        facts.source,
        facts.rep_scope_id,
        facts.team,
        facts.manager_scope_id,
        facts.segment
    from periods
    inner join facts
        on periods.period_start <= facts.closed_date
            and periods.period_end > facts.closed_date
            and facts.status = 'won'

),

won_scoped as (

    {{ revops.explode_scopes('won_deals', ['company', 'team', 'rep', 'manager']) }}

),

won_aggregated as (

    select
        grain,
        period_start,
        scope_type,
        scope_id,
        sum(amount_corporate) as won_amount,
        sum(case when is_won_by_snapshot then amount_corporate end) as won_by_snapshot
    from won_scoped
    group by grain, period_start, scope_type, scope_id

),

quota_facts as (

    select
        quotas.grain,
        quotas.period_start,
        quotas.quota_amount,
        cast(null as {{ dbt.type_string() }}) as source,
        quotas.email as rep_scope_id,
        quotas.team,
        quotas.manager_email as manager_scope_id,
        cast(null as {{ dbt.type_string() }}) as segment
    from {{ ref('int_quotas_prorated') }} as quotas

),

quota_scoped as (

    {{ revops.explode_scopes('quota_facts', ['company', 'team', 'rep', 'manager']) }}

),

quota_aggregated as (

    select
        grain,
        period_start,
        scope_type,
        scope_id,
        sum(quota_amount) as quota
    from quota_scoped
    group by grain, period_start, scope_type, scope_id

),

grid as (

    select
        grid.*,
        coalesce(open_aggregated.open_pipeline, 0) as open_pipeline,
        coalesce(open_aggregated.weighted_pipeline, 0) as weighted_pipeline,
        coalesce(won_aggregated.won_amount, 0) as won_amount,
        coalesce(won_aggregated.won_by_snapshot, 0) as won_by_snapshot,
        -- a scope without a quota has a quota of 0: coverage and attainment are then NULL
        coalesce(quota_aggregated.quota, 0) as quota,
        coalesce(quota_aggregated.quota, 0) - coalesce(won_aggregated.won_by_snapshot, 0) as remaining_quota,
        grid.scope_type in ('company', 'team', 'rep', 'manager') as has_quota_scope
    from {{ ref('int_kpi_scope_periods') }} as grid
    left join open_aggregated
        on grid.grain = open_aggregated.grain
            and grid.period_start = open_aggregated.period_start
            and grid.scope_type = open_aggregated.scope_type
            and grid.scope_id = open_aggregated.scope_id
    left join won_aggregated
        on grid.grain = won_aggregated.grain
            and grid.period_start = won_aggregated.period_start
            and grid.scope_type = won_aggregated.scope_type
            and grid.scope_id = won_aggregated.scope_id
    left join quota_aggregated
        on grid.grain = quota_aggregated.grain
            and grid.period_start = quota_aggregated.period_start
            and grid.scope_type = quota_aggregated.scope_type
            and grid.scope_id = quota_aggregated.scope_id

)

{{ revops.kpi_row("'open_pipeline'", 'open_pipeline', 'open_pipeline', 'null') }}
from grid
union all
{{ revops.kpi_row("'weighted_pipeline'", 'weighted_pipeline', 'weighted_pipeline', 'null') }}
from grid
union all
{{ revops.kpi_row("'pipeline_coverage'",
    'case when remaining_quota > 0 then open_pipeline / remaining_quota end',
    'open_pipeline', 'remaining_quota') }}
from grid
where has_quota_scope
union all
{{ revops.kpi_row("'quota_attainment'", revops.safe_divide('won_amount', 'quota'), 'won_amount', 'quota') }}
from grid
where has_quota_scope and not is_next
