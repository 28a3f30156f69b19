-- One row per sales activity (call, meeting, email, proposal_sent, task, note) of every CRM, with
-- the rep who owns it and the deal and account it is about (when the deal still exists).

with

activities as (

    select * from {{ ref('int_activities_unioned') }}

),

owners as (

    select source, source_user_id, email from {{ ref('int_crm_users_unioned') }}

)

select
    activities.activity_id,
    activities.source,
    activities.source_activity_id,
    activities.activity_type,
    activities.occurred_at,
    activities.activity_date,
    case when owners.email is not null then {{ revops.hash_key(['owners.email']) }} end as rep_id,
    owners.email as rep_email,
    deals.deal_id,
    coalesce(accounts.account_id, deals.account_id) as account_id,
    activities.duration_minutes,
    activities.subject
from activities
left join owners
    on activities.source = owners.source
    and activities.source_owner_id = owners.source_user_id
left join {{ ref('fct_deals') }} as deals
    on activities.deal_id = deals.deal_id
left join {{ ref('int_accounts_resolved') }} as accounts
    on activities.source = accounts.source
    and activities.source_account_id = accounts.source_account_id
