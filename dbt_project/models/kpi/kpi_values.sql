-- Every pipeline and process KPI of docs/kpis.md, long format: one row per grain, period, scope and
-- KPI. Ratios keep their numerator and denominator; a zero denominator gives a NULL value.

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
