-- Leads and contacts of every CRM, one row per CRM record, with the moments the person reached
-- each funnel stage as that CRM recorded them:
--   Salesforce leads: MQL_Date__c / SQL_Date__c, opportunity at conversion into an opportunity,
--     customer when that opportunity was won; Salesforce contacts: the same custom fields if any.
--   HubSpot contacts: the hs_lifecyclestage_<stage>_date properties, else the lifecyclestage history;
--     the company from the contact's property, else its primary company association.
--   Pipedrive persons: custom MQL / SQL date fields when the account has them.

with

hubspot_history as (

    select
        contact_id,
        min(case when lifecycle_stage = 'marketingqualifiedlead' then changed_at end) as mql_at,
        min(case when lifecycle_stage = 'salesqualifiedlead' then changed_at end) as sql_at,
        min(case when lifecycle_stage = 'opportunity' then changed_at end) as opportunity_at,
        min(case when lifecycle_stage = 'customer' then changed_at end) as customer_at
    from {{ ref('stg_hubspot__contact_lifecycle_history') }}
    group by contact_id

),

hubspot_companies as (

    -- a contact's company: its primary company association (type 1) first
    select
        contact_id,
        company_id
    from (
        select
            from_id as contact_id,
            to_id as company_id,
            row_number() over (
                partition by from_id
                order by case when association_type_id = 1 then 0 else 1 end, to_id
            ) as preference
        from {{ ref('int_hubspot_associations_normalised') }}
        where from_object_type = 'contacts' and to_object_type = 'companies'
    ) as ranked
    where preference = 1

),

unioned as (

    select
        'salesforce' as source,
        'lead' as record_type,
        leads.lead_id as record_id,
        leads.email,
        leads.owner_id as source_owner_id,
        leads.converted_account_id as source_account_id,
        leads.created_at,
        leads.mql_at,
        leads.sql_at,
        case
            when leads.converted_opportunity_id is not null
                then coalesce(opportunities.created_at, cast(leads.converted_date as {{ dbt.type_timestamp() }}))
        end as opportunity_at,
        case
            when opportunities.is_won then cast(opportunities.close_date as {{ dbt.type_timestamp() }})
        end as customer_at
    from {{ ref('stg_salesforce__leads') }} as leads
    left join {{ ref('stg_salesforce__opportunities') }} as opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id

    union all

    select
        'salesforce' as source,
        'contact' as record_type,
        contact_id as record_id,
        email,
        owner_id as source_owner_id,
        account_id as source_account_id,
        created_at,
        mql_at,
        sql_at,
        cast(null as {{ dbt.type_timestamp() }}) as opportunity_at,
        cast(null as {{ dbt.type_timestamp() }}) as customer_at
    from {{ ref('stg_salesforce__contacts') }}

    union all

    select
        'hubspot' as source,
        'contact' as record_type,
        contacts.contact_id as record_id,
        contacts.email,
        contacts.owner_id as source_owner_id,
        coalesce(contacts.company_id, hubspot_companies.company_id) as source_account_id,
        contacts.created_at,
        coalesce(contacts.mql_at, hubspot_history.mql_at) as mql_at,
        coalesce(contacts.sql_at, hubspot_history.sql_at) as sql_at,
        coalesce(contacts.opportunity_at, hubspot_history.opportunity_at) as opportunity_at,
        coalesce(contacts.customer_at, hubspot_history.customer_at) as customer_at
    from {{ ref('stg_hubspot__contacts') }} as contacts
    left join hubspot_history
        on contacts.contact_id = hubspot_history.contact_id
    left join hubspot_companies
        on contacts.contact_id = hubspot_companies.contact_id

    union all

    select
        'pipedrive' as source,
        'person' as record_type,
        person_id as record_id,
        email,
        owner_id as source_owner_id,
        organization_id as source_account_id,
        created_at,
        mql_at,
        sql_at,
        cast(null as {{ dbt.type_timestamp() }}) as opportunity_at,
        cast(null as {{ dbt.type_timestamp() }}) as customer_at
    from {{ ref('stg_pipedrive__persons') }}

)

select
    source,
    record_type,
    record_id,
    {{ revops.normalise_email('email') }} as email,
    source_owner_id,
    source_account_id,
    created_at,
    mql_at,
    sql_at,
    opportunity_at,
    customer_at
from unioned
where record_id is not null
