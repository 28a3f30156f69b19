-- mql_to_sql_conversion: of the people who became MQL in the period, the share that reached SQL by
-- the as-of date. A cohort is mature once its period ended at least 90 days before the as-of date.

with

settings as (

    select
        as_of_date,
        mql_maturity_days
    from {{ ref('int_settings_resolved') }}

),

reps as (

    select
        email,
        team,
        manager_email
    from {{ ref('int_reps_resolved') }}

),

people as (

    select
        *,
        cast(mql_at as date) as mql_date
    from {{ ref('fct_lead_funnel') }}
    where mql_at is not null

),

owner_teams as (

    {{ revops.roster_record_at('people', 'person_id', 'owner_email', 'mql_date') }}

),

facts as (

    select
        people.person_id,
        cast(people.mql_at as date) as mql_date,
        case when people.sql_at is not null and cast(people.sql_at as date) <= settings.as_of_date then 1 else 0 end
            as reached_sql,
        people.source,
        people.owner_email as rep_scope_id,
        coalesce(owner_teams.team, reps.team, 'unassigned') as team,
        coalesce(owner_teams.manager_email, reps.manager_email) as manager_scope_id,
        coalesce(accounts.segment, 'unknown') as segment
    from people
    cross join settings
    left join owner_teams
        on people.person_id = owner_teams.fact_key
    left join reps
        on people.owner_email = reps.email
    left join {{ ref('dim_accounts') }} as accounts
        on people.account_id = accounts.account_id

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
        count(*) as mqls,
        sum(scoped.reached_sql) as sqls
    from scoped
    inner join {{ ref('int_calendar_day_periods') }} as days
        on scoped.mql_date = days.date_day
    group by days.grain, days.period_start, scoped.scope_type, scoped.scope_id

),

grid as (

    select
        grid.*,
        coalesce(aggregated.mqls, 0) as mqls,
        coalesce(aggregated.sqls, 0) as sqls,
        {{ dbt.datediff('grid.period_end', 'settings.as_of_date', 'day') }}
        >= settings.mql_maturity_days as is_cohort_mature
    from {{ ref('int_kpi_scope_periods') }} as grid
    cross join settings
    left join aggregated
        on grid.grain = aggregated.grain
            and grid.period_start = aggregated.period_start
            and grid.scope_type = aggregated.scope_type
            and grid.scope_id = aggregated.scope_id
    where not grid.is_next

)

{{ revops.kpi_row("'mql_to_sql_conversion'", revops.safe_divide('sqls', 'mqls'), 'sqls', 'mqls',
    is_mature='is_cohort_mature') }}
from grid
