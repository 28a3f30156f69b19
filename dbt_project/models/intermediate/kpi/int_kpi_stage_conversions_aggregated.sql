-- stage_conversion_<k>: of the deals that reached stage k in the period, the share that later
-- reached any stage after k (by the as-of date). Cohorts count distinct deals; lost deals stay in
-- the denominator; under 30 deals is a small sample. A young cohort is immature, not low: a period
-- is mature once its typical deal (one that reached k in the middle of the period) has had as long as
-- 90 % of the deals that passed stage k took to pass it (learnt per stage over the whole history;
-- 30 days while fewer than 30 deals have passed).

with

settings as (

    select
        min_sample_deals,
        as_of_date
    from {{ ref('int_settings_resolved') }}

),

facts as (

    select * from {{ ref('int_kpi_deal_facts') }}

),

{% set stages = [
    ('qualification', 'demo'), ('demo', 'proposal'), ('proposal', 'negotiation'), ('negotiation', 'closed_won')
] %}

cohorts as (

    {% for stage, next_stage in stages %}
        select
            '{{ stage }}' as stage,
            reached_{{ stage }}_date as reached_date,
            case when reached_{{ next_stage }}_date is not null then 1 else 0 end as passed,
            source,
            rep_scope_id,
            team,
            manager_scope_id,
            segment
        from facts
        where reached_{{ stage }}_date is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

passing_days as (

    {% for stage, next_stage in stages %}
        select
            '{{ stage }}' as stage,
            reached_{{ stage }}_date as reached_date,
            reached_{{ next_stage }}_date as passed_date
        from facts
        where reached_{{ stage }}_date is not null and reached_{{ next_stage }}_date is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

passing_quantiles as (

    select
        stage,
        count(*) as passed_deals,
        percentile_cont(0.9) within group (
            order by {{ dbt.datediff('reached_date', 'passed_date', 'day') }}
        ) as days_p90
    from passing_days
    group by stage

),

maturity as (

    select
        stage,
        case
            when passed_deals >= 30 then greatest(cast(ceil(days_p90) as {{ dbt.type_int() }}), 1)
            else 30
        end as maturity_days
    from passing_quantiles

),

scoped as (

    {{ revops.explode_scopes('cohorts') }}

),

aggregated as (

    select
        days.grain,
        days.period_start,
        scoped.scope_type,
        scoped.scope_id,
        scoped.stage,
        count(*) as reached,
        sum(scoped.passed) as passed
    from scoped
    inner join {{ ref('int_calendar_day_periods') }} as days
        on scoped.reached_date = days.date_day
    group by days.grain, days.period_start, scoped.scope_type, scoped.scope_id, scoped.stage

),

stage_names as (

    {% for stage, next_stage in stages %}
        select '{{ stage }}' as stage{% if not loop.last %}
            union all{% endif %}
    {% endfor %}

),

grid as (

    select
        grid.*,
        stage_names.stage,
        coalesce(aggregated.reached, 0) as reached,
        coalesce(aggregated.passed, 0) as passed,
        (
            {{ dbt.datediff('grid.period_start', 'settings.as_of_date', 'day') }}
            + {{ dbt.datediff('grid.period_end', 'settings.as_of_date', 'day') }}
        ) / 2.0 >= coalesce(maturity.maturity_days, 30) as is_cohort_mature
    from {{ ref('int_kpi_scope_periods') }} as grid
    cross join stage_names
    cross join settings
    left join maturity
        on stage_names.stage = maturity.stage
    left join aggregated
        on grid.grain = aggregated.grain
            and grid.period_start = aggregated.period_start
            and grid.scope_type = aggregated.scope_type
            and grid.scope_id = aggregated.scope_id
            and stage_names.stage = aggregated.stage
    where not grid.is_next

)

{{ revops.kpi_row(
    "'stage_conversion_' || stage",
    revops.safe_divide('passed', 'reached'),
    'passed', 'reached',
    is_small_sample='reached < settings.min_sample_deals',
    is_mature='is_cohort_mature') }}
from grid
cross join settings
