-- One row per open deal per day, point in time: each deal as it stood at the end of that day
-- (the last state saved on or before it), rebuilt from the CRMs' history, from its creation to its
-- close or to the as-of date. Amounts are converted at the snapshot day's rate.

with

settings as (

    select * from {{ ref('int_settings_resolved') }}

),

deals as (

    select
        deal_id,
        source,
        owner_rep_id,
        team,
        segment,
        account_id,
        currency,
        created_date
    from {{ ref('fct_deals') }}

),

states as (

    select
        *,
        cast(valid_from as date) as from_date,
        case
            when lag(stage) over (partition by deal_id order by valid_from) is null
                or stage <> lag(stage) over (partition by deal_id order by valid_from)
                then valid_from
        end as run_started_at
    from {{ ref('int_deal_states_rebuilt') }}

),

stage_runs as (

    -- when the deal entered the canonical stage it is in, for days_in_stage
    select
        *,
        max(run_started_at) over (
            partition by deal_id order by valid_from rows between unbounded preceding and current row
        ) as stage_entered_at,
        row_number() over (partition by deal_id, from_date order by valid_from desc) as recency_in_day
    from states

),

end_of_day as (

    select
        *,
        lead(from_date) over (partition by deal_id order by from_date) as next_from_date
    from stage_runs
    where recency_in_day = 1

),

daily as (

    select
        days.date_day as snapshot_date,
        end_of_day.*
    from end_of_day
    cross join settings
    inner join {{ ref('int_calendar_days') }} as days
        on end_of_day.from_date <= days.date_day
            and (end_of_day.next_from_date is null or end_of_day.next_from_date > days.date_day)
            and settings.as_of_date >= days.date_day
    where end_of_day.status = 'open'

)

select
    {{ revops.hash_key(['daily.snapshot_date', 'daily.deal_id']) }} as pipeline_daily_id,
    daily.snapshot_date,
    daily.deal_id,
    daily.source,
    deals.owner_rep_id,
    deals.team,
    deals.segment,
    deals.account_id,
    daily.stage,
    daily.stage_order,
    daily.amount,
    deals.currency,
    daily.amount * rates.rate_to_corporate as amount_corporate,
    daily.probability,
    daily.forecast_category,
    daily.expected_close_date,
    deals.created_date,
    {{ dbt.datediff('cast(daily.stage_entered_at as date)', 'daily.snapshot_date', 'day') }}
        as days_in_stage
from daily
inner join deals
    on daily.deal_id = deals.deal_id
left join {{ ref('int_exchange_rates_ranged') }} as rates
    on deals.currency = rates.currency
        and daily.snapshot_date >= rates.valid_from
        and (rates.valid_to is null or daily.snapshot_date < rates.valid_to)
