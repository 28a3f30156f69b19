-- One row per sales activity (call, meeting, email, proposal_sent, task, note) of every CRM, with
-- the rep who owns it and the deal and account it is about (when the deal still exists). The
-- account is the activity's own, else its deal's, else (Salesforce) that of the lead or contact.

with

activities as (

    select * from {{ ref('int_activities_unioned') }}

),

owners as (

    select
        source,
        source_user_id,
        email
    from {{ ref('int_crm_users_unioned') }}

),

accounts_by_name as (

    select
        normalised_name,
        min(account_id) as account_id
    from {{ ref('int_accounts_resolved') }}
    where normalised_name is not null
    group by normalised_name

),

salesforce_people as (

    -- the company of the lead or contact a Salesforce activity is about (WhoId): a contact's
    -- account; a lead's converted account, else the account whose name matches the lead's company
    select
        leads.lead_id as person_id,
        coalesce(converted.account_id, by_name.account_id) as account_id,
        leads.employees
    from {{ ref('stg_salesforce__leads') }} as leads
    left join {{ ref('int_accounts_resolved') }} as converted
        on converted.source = 'salesforce'
            and leads.converted_account_id = converted.source_account_id
    left join accounts_by_name as by_name
        on {{ revops.normalise_company_name('leads.company') }} = by_name.normalised_name
    union all
    select
        contacts.contact_id,
        accounts.account_id,
        cast(null as {{ dbt.type_int() }}) as employees
    from {{ ref('stg_salesforce__contacts') }} as contacts
    inner join {{ ref('int_accounts_resolved') }} as accounts
        on accounts.source = 'salesforce'
            and contacts.account_id = accounts.source_account_id

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
    coalesce(accounts.account_id, deals.account_id, salesforce_people.account_id) as account_id,
    -- the account's segment, else the deal's, else the size a Salesforce lead gives for its company
    coalesce(
        account_segments.segment,
        deals.segment,
        {{ revops.segment_from_employees(
            'salesforce_people.employees', 'settings.smb_max_employees', 'settings.mid_market_max_employees') }},
        'unknown'
    ) as segment,
    activities.duration_minutes,
    activities.subject
from activities
cross join {{ ref('int_settings_resolved') }} as settings
left join owners
    on activities.source = owners.source
        and activities.source_owner_id = owners.source_user_id
left join {{ ref('fct_deals') }} as deals
    on activities.deal_id = deals.deal_id
left join {{ ref('int_accounts_resolved') }} as accounts
    on activities.source = accounts.source
        and activities.source_account_id = accounts.source_account_id
left join salesforce_people
    on activities.source = 'salesforce'
        and activities.source_person_id = salesforce_people.person_id
left join {{ ref('dim_accounts') }} as account_segments
    on coalesce(accounts.account_id, deals.account_id, salesforce_people.account_id) = account_segments.account_id
