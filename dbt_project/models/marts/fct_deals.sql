-- One row per CRM deal (deleted and archived deals excluded), with its canonical stage and status,
-- owner, account, segment and the amount in the corporate currency at the rate of the close date
-- (open deals: the as-of date; a day without a rate takes the latest earlier rate).

with

settings as (

    select * from {{ ref('int_settings_resolved') }}

),

deals as (

    select * from {{ ref('int_deals_unioned') }}

),

current_states as (

    select * from {{ ref('int_deal_states_rebuilt') }}
    where valid_to is null

),

entries as (

    select
        deal_id,
        max(case when is_reopening then 1 else 0 end) = 1 as is_reopened,
        max(entered_at) as last_entered_at
    from {{ ref('int_deal_stage_events') }}
    group by deal_id

),

pipelines as (

    select distinct
        source,
        pipeline_key,
        pipeline_label
    from {{ ref('int_deal_stages_mapped') }}
    where is_in_catalogue

),

owners as (

    select
        source,
        source_user_id,
        email
    from {{ ref('int_crm_users_unioned') }}

),

assembled as (

    select
        deals.deal_id,
        deals.source,
        deals.source_deal_id,
        deals.deal_name,
        accounts.account_id,
        owners.email as owner_email,
        coalesce(pipelines.pipeline_label, deals.pipeline_key) as pipeline,
        current_states.source_stage,
        current_states.stage,
        current_states.stage_order,
        current_states.status,
        -- HubSpot only says new or existing business: a renewal says so in its name
        case
            when {{ revops.normalise_deal_type('deals.source_deal_type') }} = 'expansion'
                and lower(deals.deal_name) like '%renew%' then 'renewal'
            else {{ revops.normalise_deal_type('deals.source_deal_type') }}
        end as deal_type,
        -- a single-currency CRM sends no currency: its amounts are in the corporate currency
        coalesce(deals.currency, settings.corporate_currency) as currency,
        current_states.amount,
        current_states.probability,
        current_states.forecast_category,
        deals.created_at,
        deals.created_date,
        current_states.expected_close_date,
        case
            when current_states.status in ('won', 'lost')
                then coalesce(deals.source_closed_date, cast(entries.last_entered_at as date))
        end as closed_date,
        case when current_states.status = 'lost' then deals.loss_reason end as loss_reason,
        coalesce(entries.is_reopened, false) as is_reopened,
        deals.lead_source
    from deals
    cross join settings
    left join current_states
        on deals.deal_id = current_states.deal_id
    left join entries
        on deals.deal_id = entries.deal_id
    left join pipelines
        on deals.source = pipelines.source
            and deals.pipeline_key = pipelines.pipeline_key
    left join owners
        on deals.source = owners.source
            and deals.source_owner_id = owners.source_user_id
    left join {{ ref('int_accounts_resolved') }} as accounts
        on deals.source = accounts.source
            and deals.source_account_id = accounts.source_account_id

)

select
    assembled.deal_id,
    assembled.source,
    assembled.source_deal_id,
    assembled.deal_name,
    assembled.account_id,
    case when assembled.owner_email is not null then {{ revops.hash_key(['assembled.owner_email']) }} end
        as owner_rep_id,
    assembled.owner_email,
    coalesce(reps.team, 'unassigned') as team,
    reps.manager_email,
    coalesce(accounts.segment, 'unknown') as segment,
    assembled.pipeline,
    assembled.source_stage,
    assembled.stage,
    assembled.stage_order,
    assembled.status,
    assembled.deal_type,
    assembled.currency,
    assembled.amount,
    rates.rate_to_corporate as fx_rate,
    assembled.amount * rates.rate_to_corporate as amount_corporate,
    assembled.probability,
    assembled.forecast_category,
    assembled.created_at,
    assembled.created_date,
    assembled.expected_close_date,
    assembled.closed_date,
    assembled.loss_reason,
    assembled.is_reopened,
    assembled.lead_source,
    coalesce(assembled.closed_date, settings.as_of_date) as fx_rate_date
from assembled
cross join settings
left join {{ ref('int_reps_resolved') }} as reps
    on assembled.owner_email = reps.email
left join {{ ref('dim_accounts') }} as accounts
    on assembled.account_id = accounts.account_id
left join {{ ref('int_exchange_rates_ranged') }} as rates
    on assembled.currency = rates.currency
        and coalesce(assembled.closed_date, settings.as_of_date) >= rates.valid_from
        and (rates.valid_to is null or coalesce(assembled.closed_date, settings.as_of_date) < rates.valid_to)
