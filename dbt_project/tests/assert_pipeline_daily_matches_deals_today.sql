-- The point-in-time pipeline rebuilt from history must agree with the deals as they are now: on
-- the as-of date, the open deals of fct_pipeline_daily are exactly the open deals of fct_deals,
-- with the same stage and amount.

with

settings as (

    select as_of_date from {{ ref('int_settings_resolved') }}

),

today as (

    select
        pipeline.deal_id,
        pipeline.stage,
        pipeline.amount
    from {{ ref('fct_pipeline_daily') }} as pipeline
    cross join settings
    where pipeline.snapshot_date = settings.as_of_date

),

deals as (

    select
        deal_id,
        stage,
        amount
    from {{ ref('fct_deals') }}
    where status = 'open'

)

select
    coalesce(today.deal_id, deals.deal_id) as deal_id,
    today.stage as pipeline_stage,
    deals.stage as deal_stage,
    today.amount as pipeline_amount,
    deals.amount as deal_amount
from today
full outer join deals
    on today.deal_id = deals.deal_id
where today.deal_id is null
    or deals.deal_id is null
    or today.stage is distinct from deals.stage
    or today.amount is distinct from deals.amount
