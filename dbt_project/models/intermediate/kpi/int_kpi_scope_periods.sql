-- The grid every KPI is reported on: each scope that has deals, activities, leads or quotas, times
-- each period of each grain that has started by the as-of date, plus the next period (`is_next`,
-- used by the forward-looking pipeline KPIs only). Counts are zero, and ratios NULL, where a scope
-- had nothing in a period.

with

reps as (

    select
        email,
        team,
        manager_email
    from {{ ref('int_reps_resolved') }}

),

scope_sources as (

    select
        source,
        rep_scope_id,
        team,
        manager_scope_id,
        segment
    from {{ ref('int_kpi_deal_facts') }}

    union

    select
        activities.source,
        activities.rep_email as rep_scope_id,
        coalesce(reps.team, 'unassigned') as team,
        reps.manager_email as manager_scope_id,
        activities.segment
    from {{ ref('fct_activities') }} as activities
    left join reps on activities.rep_email = reps.email

    union

    select
        people.source,
        people.owner_email as rep_scope_id,
        coalesce(reps.team, 'unassigned') as team,
        reps.manager_email as manager_scope_id,
        coalesce(accounts.segment, 'unknown') as segment
    from {{ ref('fct_lead_funnel') }} as people
    left join reps on people.owner_email = reps.email
    left join {{ ref('dim_accounts') }} as accounts on people.account_id = accounts.account_id
    where people.mql_at is not null

),

scopes as (

    select distinct
        scope_type,
        scope_id
    from ({{ revops.explode_scopes('scope_sources') }}) as exploded
    where scope_id is not null

    union

    -- reps with a quota count even before their first deal (with the team of the quota period)
    select distinct
        quota_scopes.scope_type,
        quota_scopes.scope_id
    from (
        select
            'rep' as scope_type,
            email as scope_id
        from {{ ref('int_quotas_prorated') }}
        union all
        select
            'team' as scope_type,
            team as scope_id
        from {{ ref('int_quotas_prorated') }}
        union all
        select
            'manager' as scope_type,
            coalesce(manager_email, 'unassigned') as scope_id
        from {{ ref('int_quotas_prorated') }}
        union all
        select
            'company' as scope_type,
            'all' as scope_id
        from {{ ref('int_quotas_prorated') }}
    ) as quota_scopes

    union

    select
        'company' as scope_type,
        'all' as scope_id

)

select
    periods.grain,
    periods.period_start,
    periods.period_end,
    periods.days_in_period,
    periods.snapshot_date,
    periods.is_complete,
    periods.is_next,
    scopes.scope_type,
    scopes.scope_id
from {{ ref('int_calendar_periods') }} as periods
cross join scopes
where periods.is_started or periods.is_next
