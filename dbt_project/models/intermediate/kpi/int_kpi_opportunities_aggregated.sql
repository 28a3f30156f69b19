-- opportunities_created and opportunities_created_amount: deals by created date.

with

facts as (

    select * from {{ ref('int_kpi_deal_facts') }}
    where created_date is not null

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
        count(*) as deals_created,
        sum(scoped.amount_corporate) as amount_created
    from scoped
    inner join {{ ref('int_calendar_day_periods') }} as days
        on scoped.created_date = days.date_day
    group by days.grain, days.period_start, scoped.scope_type, scoped.scope_id

),

grid as (

    select
        grid.*,
        coalesce(aggregated.deals_created, 0) as deals_created,
        coalesce(aggregated.amount_created, 0) as amount_created
    from {{ ref('int_kpi_scope_periods') }} as grid
    left join aggregated
        on grid.grain = aggregated.grain
            and grid.period_start = aggregated.period_start
            and grid.scope_type = aggregated.scope_type
            and grid.scope_id = aggregated.scope_id
    where not grid.is_next

)

{{ revops.kpi_row("'opportunities_created'", 'deals_created', 'deals_created', 'null') }}
from grid
union all
{{ revops.kpi_row("'opportunities_created_amount'", 'amount_created', 'amount_created', 'null') }}
from grid
