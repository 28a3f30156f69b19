-- Revenue quotas spread over the KPI periods: quota × days of the period inside the quota period /
-- days of the quota period. The file's period_end is read as exclusive when it falls on the same day
-- of the month as period_start (2026-02-01 .. 2026-05-01), else as the last day (.. 2026-04-30).
-- A quota counts for the team and manager of the roster record employed during the quota period
-- (someone rehired into another team keeps their old quotas in their old team), else the person's
-- current team.

with

quotas as (

    select
        email,
        period_start as quota_start,
        case
            when extract(day from period_end) = extract(day from period_start) then period_end
            else cast({{ dbt.dateadd('day', 1, 'period_end') }} as date)
        end as quota_end,
        quota_amount
    from {{ ref('fct_quotas') }}
    where quota_type = 'revenue' and quota_amount is not null

),

roster_during_quota as (

    select
        quotas.email,
        quotas.quota_start,
        roster.team,
        roster.manager_email,
        row_number() over (
            partition by quotas.email, quotas.quota_start
            order by roster.hire_date desc, roster.employee_id desc
        ) as recency
    from quotas
    inner join {{ ref('stg_inputs__hr_roster') }} as roster
        on quotas.email = roster.email
            and quotas.quota_end > roster.hire_date
            and (roster.exit_date is null or quotas.quota_start <= roster.exit_date)

),

periods as (

    select
        grain,
        period_start,
        period_end
    from {{ ref('int_calendar_periods') }}

),

quota_overlaps as (

    select
        quotas.email,
        coalesce(roster_during_quota.team, reps.team, 'unassigned') as team,
        coalesce(roster_during_quota.manager_email, reps.manager_email) as manager_email,
        periods.grain,
        periods.period_start,
        quotas.quota_amount,
        quotas.quota_start,
        quotas.quota_end,
        case when quotas.quota_start > periods.period_start then quotas.quota_start else periods.period_start end
            as overlap_start,
        case when quotas.quota_end < periods.period_end then quotas.quota_end else periods.period_end end
            as overlap_end
    from quotas
    inner join periods
        on quotas.quota_start < periods.period_end
            and quotas.quota_end > periods.period_start
    left join roster_during_quota
        on quotas.email = roster_during_quota.email
            and quotas.quota_start = roster_during_quota.quota_start
            and roster_during_quota.recency = 1
    left join {{ ref('int_reps_resolved') }} as reps
        on quotas.email = reps.email

),

day_counts as (

    select
        email,
        team,
        manager_email,
        grain,
        period_start,
        quota_amount,
        {{ dbt.datediff('quota_start', 'quota_end', 'day') }}
            as quota_days,
        {{ dbt.datediff('overlap_start', 'overlap_end', 'day') }}
            as overlap_days
    from quota_overlaps

)

select
    email,
    team,
    manager_email,
    grain,
    period_start,
    sum(quota_amount * overlap_days / cast(quota_days as {{ revops.type_double() }})) as quota_amount
from day_counts
where quota_days > 0
group by email, team, manager_email, grain, period_start
