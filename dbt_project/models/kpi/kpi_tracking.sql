-- The tracking table of the sales-management review: for every KPI with a target (revops.yml
-- `kpis.targets`, which win over targets.csv for the same KPI, grain and scope) and every headline
-- KPI at company scope, each period: target, actual, gap, percent of target, a direction-aware
-- status and the corrective action for that status.
--   status: performance = actual / target (target / actual when lower is better); green from 1,
--   amber from `amber_share`, red below; NULL without an actual or a target.
--   forecast_accuracy comes from the forecast step's previous run (NULL until it has run).

with

settings as (

    select amber_share from {{ ref('int_settings_resolved') }}

),

definitions as (

    select
        definitions.kpi,
        coalesce(catalogue.kpi_label, definitions.kpi_label) as kpi_label,
        coalesce(catalogue.direction, definitions.direction) as direction,
        definitions.red_action,
        definitions.amber_action,
        definitions.green_action
    from {{ ref('kpi_definitions') }} as definitions
    left join {{ ref('stg_inputs__config_kpi_catalogue') }} as catalogue
        on definitions.kpi = catalogue.kpi

),

targets_ranked as (

    select
        *,
        row_number() over (
            partition by kpi, grain, scope_type, scope_id order by priority
        ) as preference
    from (
        select
            kpi,
            lower(grain) as grain,
            lower(coalesce(scope_type, 'company')) as scope_type,
            coalesce(case when lower(scope_type) in ('rep', 'manager') then lower(scope_id) else scope_id end, 'all')
                as scope_id,
            target,
            1 as priority
        from {{ ref('stg_inputs__config_kpi_targets') }}
        union all
        select
            kpi,
            lower(grain) as grain,
            lower(coalesce(scope_type, 'company')) as scope_type,
            coalesce(case when lower(scope_type) in ('rep', 'manager') then lower(scope_id) else scope_id end, 'all')
                as scope_id,
            target,
            2 as priority
        from {{ ref('stg_inputs__targets') }}
    ) as all_targets
    where kpi is not null and grain is not null

),

targets as (

    select
        kpi,
        grain,
        scope_type,
        scope_id,
        target
    from targets_ranked
    where preference = 1

),

grains as (

    select 'week' as grain
    union all
    select 'month' as grain
    union all
    select 'quarter' as grain

),

headline as (
    select
        kpi,
        min(position) as headline_position
    from {{ ref('stg_inputs__config_headline_kpis') }}
    group by kpi

),

tracked as (

    select
        kpi,
        grain,
        scope_type,
        scope_id,
        target
    from targets
    union all
    -- headline KPIs without a target of their own still show their actual at company scope
    select
        headline.kpi,
        grains.grain,
        'company' as scope_type,
        'all' as scope_id,
        cast(null as {{ revops.type_double() }}) as target
    from headline
    cross join grains
    where not exists (
            select 1 from targets
            where targets.kpi = headline.kpi and targets.grain = grains.grain
                and targets.scope_type = 'company' and targets.scope_id = 'all'
        )

),

forecast_accuracy as (

    -- the accuracy at the period start of the recommended method (weighted pipeline without one)
    select
        accuracy.grain,
        accuracy.period_start,
        accuracy.scope_type,
        accuracy.scope_id,
        'forecast_accuracy' as kpi,
        max(accuracy.accuracy) as value
    from {{ ref('stg_forecast__forecast_accuracy') }} as accuracy
    left join {{ ref('stg_forecast__forecast_summary') }} as summary
        on accuracy.grain = summary.grain
            and accuracy.period_start = summary.period_start
            and accuracy.scope_type = summary.scope_type
            and accuracy.scope_id = summary.scope_id
    where accuracy.snapshot_label = 'period_start'
        and accuracy.method = coalesce(summary.method, 'weighted_pipeline')
    group by accuracy.grain, accuracy.period_start, accuracy.scope_type, accuracy.scope_id

),

actuals as (

    select
        grain,
        period_start,
        scope_type,
        scope_id,
        kpi,
        value
    from {{ ref('kpi_values') }}
    union all
    select
        grain,
        period_start,
        scope_type,
        scope_id,
        kpi,
        value
    from forecast_accuracy

),

periods as (

    select
        grain,
        period_start,
        is_next,
        is_complete
    from {{ ref('int_calendar_periods') }}
    where is_started or is_next

),

rows_ as (

    select
        tracked.grain,
        periods.period_start,
        periods.is_next,
        periods.is_complete,
        tracked.scope_type,
        tracked.scope_id,
        tracked.kpi,
        tracked.target,
        actuals.value as actual
    from tracked
    inner join periods
        on tracked.grain = periods.grain
    left join actuals
        on tracked.grain = actuals.grain
            and periods.period_start = actuals.period_start
            and tracked.scope_type = actuals.scope_type
            and tracked.scope_id = actuals.scope_id
            and tracked.kpi = actuals.kpi

),

scored as (

    select
        rows_.*,
        coalesce(definitions.direction, 'higher_is_better') as direction,
        coalesce(definitions.kpi_label, rows_.kpi) as kpi_label,
        case
            when rows_.actual is null or rows_.target is null then null
            when rows_.target = 0
                then
                    case
                        when coalesce(definitions.direction, 'higher_is_better') = 'lower_is_better'
                            then case when rows_.actual <= 0 then 1.0 else 0.0 end
                        when rows_.actual >= 0 then 1.0
                        else 0.0
                    end
            when coalesce(definitions.direction, 'higher_is_better') = 'lower_is_better'
                then
                    case when rows_.actual <= 0 then 1.0 else rows_.target / rows_.actual end
            else rows_.actual / rows_.target
        end as performance
    from rows_
    left join definitions
        on rows_.kpi = definitions.kpi
    where not rows_.is_next or rows_.actual is not null

),

statused as (

    select
        scored.*,
        case
            when scored.performance is null then null
            when scored.performance >= 1 then 'green'
            when scored.performance >= settings.amber_share then 'amber'
            else 'red'
        end as status
    from scored
    cross join settings

),

weakest_segments as (

    -- for opportunities created: the segment furthest below its average of the previous 4 periods
    select
        grain,
        period_start,
        scope_id as segment,
        value,
        trailing_average
    from (
        select
            *,
            row_number() over (
                partition by grain, period_start
                order by {{ revops.safe_divide('value', 'trailing_average') }}, value, scope_id
            ) as weakness
        from (
            select
                grain,
                period_start,
                scope_id,
                value,
                avg(value) over (
                    partition by grain, scope_id order by period_start
                    rows between 4 preceding and 1 preceding
                ) as trailing_average
            from {{ ref('kpi_values') }}
            where kpi = 'opportunities_created' and scope_type = 'segment' and scope_id <> 'unknown'
        ) as with_trailing_average
    ) as ranked
    where weakness = 1

)

select
    {{ revops.hash_key([
        'statused.grain', 'statused.period_start', 'statused.scope_type', 'statused.scope_id', 'statused.kpi'
    ]) }} as kpi_tracking_id,
    statused.grain,
    statused.period_start,
    statused.scope_type,
    statused.scope_id,
    statused.kpi,
    statused.kpi_label,
    statused.direction,
    statused.target,
    statused.actual,
    statused.actual - statused.target as gap,
    {{ revops.safe_divide('statused.actual', 'statused.target') }} as pct_of_target,
    statused.status,
    case
        when statused.status is null then null
        when statused.kpi = 'opportunities_created' and statused.status in ('red', 'amber')
            and statused.scope_type = 'company' and weakest_segments.segment is not null
            then coalesce(actions.action, case statused.status
                    when 'red' then definitions.red_action else definitions.amber_action
                end)
                || ' (weakest segment this period: ' || weakest_segments.segment || ')'
        else coalesce(actions.action, case statused.status
                when 'red' then definitions.red_action
                when 'amber' then definitions.amber_action
                else definitions.green_action
            end)
    end as corrective_action,
    headline.kpi is not null as is_headline,
    headline.headline_position,
    -- a period still running compares a partial actual with the full target
    statused.is_complete
from statused
left join definitions
    on statused.kpi = definitions.kpi
left join {{ ref('stg_inputs__config_kpi_actions') }} as actions
    on statused.kpi = actions.kpi
        and statused.status = lower(actions.status)
left join headline
    on statused.kpi = headline.kpi
left join weakest_segments
    on statused.grain = weakest_segments.grain
        and statused.period_start = weakest_segments.period_start
