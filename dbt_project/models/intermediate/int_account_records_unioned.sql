-- Company records of every CRM (Salesforce accounts, HubSpot companies, Pipedrive organizations)
-- in one shape, with the normalised domain and name used to match them across CRMs.

with

unioned as (

    select
        'salesforce' as source,
        account_id as source_account_id,
        account_name,
        website as domain_raw,
        employees,
        annual_revenue,
        currency,
        industry,
        country,
        territory,
        crm_segment,
        is_strategic,
        created_at
    from {{ ref('stg_salesforce__accounts') }}

    union all

    select
        'hubspot' as source,
        company_id,
        company_name,
        domain,
        employees,
        annual_revenue,
        currency,
        industry,
        country,
        territory,
        crm_segment,
        is_strategic,
        created_at
    from {{ ref('stg_hubspot__companies') }}

    union all

    select
        'pipedrive' as source,
        organization_id,
        organization_name,
        domain,
        employees,
        annual_revenue,
        cast(null as {{ dbt.type_string() }}) as currency,
        industry,
        country,
        cast(null as {{ dbt.type_string() }}) as territory,
        cast(null as {{ dbt.type_string() }}) as crm_segment,
        cast(null as {{ dbt.type_boolean() }}) as is_strategic,
        created_at
    from {{ ref('stg_pipedrive__organizations') }}

)

select
    source,
    source_account_id,
    account_name,
    {{ revops.normalise_domain('domain_raw') }} as normalised_domain,
    {{ revops.normalise_company_name('account_name') }} as normalised_name,
    employees,
    annual_revenue,
    upper(currency) as currency,
    industry,
    country,
    territory,
    crm_segment,
    is_strategic,
    created_at
from unioned
where source_account_id is not null
