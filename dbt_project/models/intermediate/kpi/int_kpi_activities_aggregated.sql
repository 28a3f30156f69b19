-- activities_<type> (count by the activity's date) and activities_per_rep_week: calls, meetings,
-- e-mails and proposals sent per rep-week, where rep-weeks are the reps with at least one of those
-- in the period times the days of the period / 7.

with

reps as (

    select
        email,
        team,
        manager_email
    from {{ ref('int_reps_resolved') }}

),

activities as (

    select * from {{ ref('fct_activities') }}
    where activity_date is not null

),

activity_teams as (

    {{ revops.roster_record_at('activities', 'activity_id', 'rep_email', 'activity_date') }}

),

facts as (

    select
        activities.activity_id,
        activities.activity_type,
        activities.activity_date,
        activities.source,
        activities.rep_email as rep_scope_id,
        coalesce(activity_teams.team, reps.team, 'unassigned') as team,
        coalesce(activity_teams.manager_email, reps.manager_email) as manager_scope_id,
        activities.segment,
        activities.activity_type in ('call', 'meeting', 'email', 'proposal_sent') as is_selling_activity
    from activities
    left join activity_teams
        on activities.activity_id = activity_teams.fact_key
    left join reps
        on activities.rep_email = reps.email

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
        {% for type in ['call', 'meeting', 'email', 'proposal_sent', 'task', 'note'] %}
            sum(case when scoped.activity_type = '{{ type }}' then 1 else 0 end) as {{ type }}_count,
        {% endfor %}
        sum(case when scoped.is_selling_activity and scoped.rep_scope_id is not null then 1 else 0 end)
            as selling_activities,
        count(distinct case when scoped.is_selling_activity then scoped.rep_scope_id end) as active_reps
    from scoped
    inner join {{ ref('int_calendar_day_periods') }} as days
        on scoped.activity_date = days.date_day
    group by days.grain, days.period_start, scoped.scope_type, scoped.scope_id

),

grid as (

    select
        grid.*,
        {% for type in ['call', 'meeting', 'email', 'proposal_sent', 'task', 'note'] %}
            coalesce(aggregated.{{ type }}_count, 0) as {{ type }}_count,
        {% endfor %}
        coalesce(aggregated.selling_activities, 0) as selling_activities,
        coalesce(aggregated.active_reps, 0) * grid.days_in_period / 7.0 as rep_weeks
    from {{ ref('int_kpi_scope_periods') }} as grid
    left join aggregated
        on grid.grain = aggregated.grain
            and grid.period_start = aggregated.period_start
            and grid.scope_type = aggregated.scope_type
            and grid.scope_id = aggregated.scope_id
    where not grid.is_next

)

{% for type in ['call', 'meeting', 'email', 'proposal_sent', 'task', 'note'] %}
    {{ revops.kpi_row("'activities_" ~ type ~ "'", type ~ '_count', type ~ '_count', 'null') }}
    from grid
    union all
{% endfor %}
{{ revops.kpi_row("'activities_per_rep_week'", revops.safe_divide('selling_activities', 'rep_weeks'),
    'selling_activities', 'rep_weeks') }}
from grid
