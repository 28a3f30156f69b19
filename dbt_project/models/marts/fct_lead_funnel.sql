-- One row per person (lead or contact), unified by lower-cased e-mail across the CRMs (records
-- without an e-mail stay people of their own). Each funnel moment is the earliest any CRM recorded;
-- the person belongs to the source, owner and account of the record with the earliest MQL
-- (without an MQL: the earliest created record).

with

records as (

    select
        people.*,
        coalesce(people.email, people.source || ':' || people.record_type || ':' || people.record_id) as person_key,
        owners.email as owner_email,
        accounts.account_id
    from {{ ref('int_people_unioned') }} as people
    left join {{ ref('int_crm_users_unioned') }} as owners
        on people.source = owners.source
            and people.source_owner_id = owners.source_user_id
    left join {{ ref('int_accounts_resolved') }} as accounts
        on people.source = accounts.source
            and people.source_account_id = accounts.source_account_id

),

attributed as (

    select
        *,
        row_number() over (
            partition by person_key
            order by
                case when mql_at is null then 1 else 0 end,
                mql_at,
                created_at,
                case source when 'salesforce' then 1 when 'hubspot' then 2 else 3 end,
                record_id
        ) as attribution_rank
    from records

),

people as (

    select
        person_key,
        max(email) as email,
        min(created_at) as created_at,
        min(mql_at) as mql_at,
        min(sql_at) as sql_at,
        min(opportunity_at) as opportunity_at,
        min(customer_at) as customer_at,
        max(case when attribution_rank = 1 then source end) as source,
        max(case when attribution_rank = 1 then owner_email end) as owner_email,
        max(case when attribution_rank = 1 then account_id end) as account_id,
        count(*) as source_records
    from attributed
    group by person_key

)

select
    {{ revops.hash_key(['person_key']) }} as person_id,
    email,
    source,
    case when owner_email is not null then {{ revops.hash_key(['owner_email']) }} end as owner_rep_id,
    owner_email,
    account_id,
    created_at,
    mql_at,
    sql_at,
    opportunity_at,
    customer_at,
    source_records
from people
