-- Every KPI of docs/kpis.md (pipeline, process and team health), long format: one row per grain,
-- period, scope and KPI. Ratios keep their numerator and denominator; a zero denominator gives a NULL value.

with

unioned as (

    select * from {{ ref('int_kpi_opportunities_aggregated') }}
    union all
    select * from {{ ref('int_kpi_stage_conversions_aggregated') }}
    union all
    select * from {{ ref('int_kpi_closed_deals_aggregated') }}
    union all
    select * from {{ ref('int_kpi_activities_aggregated') }}
    union all
    select * from {{ ref('int_kpi_lead_conversions_aggregated') }}
    union all
    select * from {{ ref('int_kpi_pipeline_aggregated') }}
    union all
    select * from {{ ref('int_kpi_retention_aggregated') }}
    union all
    select * from {{ ref('int_kpi_velocity_aggregated') }}
    union all
    -- team health (turnover, absenteeism, eNPS, ramp, retention), computed by the Python step
    select
        grain,
        period_start,
        period_end,
        scope_type,
        scope_id,
        kpi,
        cast(value as {{ revops.type_double() }}) as value,
        cast(numerator as {{ revops.type_double() }}) as numerator,
        cast(denominator as {{ revops.type_double() }}) as denominator,
        coalesce(is_small_sample, false) as is_small_sample,
        coalesce(is_mature, false) as is_mature
    from {{ ref('stg_team_health__kpi_values') }}
    where kpi is not null

)

select
    {{ revops.hash_key([
        'unioned.grain', 'unioned.period_start', 'unioned.scope_type', 'unioned.scope_id', 'unioned.kpi'
    ]) }} as kpi_value_id,
    unioned.grain,
    unioned.period_start,
    unioned.period_end,
    unioned.scope_type,
    unioned.scope_id,
    unioned.kpi,
    unioned.value,
    unioned.numerator,
    unioned.denominator,
    definitions.unit,
    unioned.is_small_sample,
    unioned.is_mature
from unioned
left join {{ ref('kpi_definitions') }} as definitions
    on unioned.kpi = definitions.kpi
