-- One shape for the deals of every CRM, current values, before any mapping: the CRM's own stage
-- key, owner and account ids, amount in the deal's currency. Deleted deals are gone already.

with

salesforce as (

    select
        'salesforce' as source,
        opportunity_id as source_deal_id,
        opportunity_name as deal_name,
        account_id as source_account_id,
        owner_id as source_owner_id,
        'default' as pipeline_key,
        stage_name as stage_key,
        cast(null as {{ dbt.type_string() }}) as source_status,
        opportunity_type as source_deal_type,
        lead_source,
        loss_reason,
        forecast_category as source_forecast_category,
        currency,
        amount,
        probability,
        created_at,
        close_date as expected_close_date,
        close_date as source_closed_date,
        last_modified_at as updated_at
    from {{ ref('stg_salesforce__opportunities') }}

),

hubspot as (

    select
        'hubspot' as source,
        deal_id as source_deal_id,
        deal_name,
        cast(null as {{ dbt.type_string() }}) as source_account_id,
        owner_id as source_owner_id,
        coalesce(pipeline_id, 'default') as pipeline_key,
        stage_id as stage_key,
        cast(null as {{ dbt.type_string() }}) as source_status,
        deal_type as source_deal_type,
        lead_source,
        loss_reason,
        forecast_category as source_forecast_category,
        currency,
        amount,
        probability,
        created_at,
        cast(close_at as date) as expected_close_date,
        cast(close_at as date) as source_closed_date,
        updated_at
    from {{ ref('stg_hubspot__deals') }}

),

hubspot_companies as (

    -- the primary company of each deal (association type 5), else any associated company
    select
        deal_id,
        company_id
    from (
        select
            from_id as deal_id,
            to_id as company_id,
            row_number() over (
                partition by from_id
                order by case when association_type_id = 5 then 0 else 1 end, to_id
            ) as preference
        from {{ ref('int_hubspot_associations_normalised') }}
        where from_object_type = 'deals' and to_object_type = 'companies'
    ) as ranked
    where preference = 1

),

pipedrive as (

    select
        'pipedrive' as source,
        deal_id as source_deal_id,
        deal_name,
        organization_id as source_account_id,
        owner_id as source_owner_id,
        pipeline_id as pipeline_key,
        stage_id as stage_key,
        lower(deal_status) as source_status,
        deal_type as source_deal_type,
        lead_source,
        loss_reason,
        cast(null as {{ dbt.type_string() }}) as source_forecast_category,
        currency,
        amount,
        probability,
        created_at,
        expected_close_date,
        cast(coalesce(won_at, lost_at, closed_at) as date) as source_closed_date,
        updated_at
    from {{ ref('stg_pipedrive__deals') }}

),

unioned as (

    select * from salesforce
    union all
    select
        hubspot.source,
        hubspot.source_deal_id,
        hubspot.deal_name,
        hubspot_companies.company_id as source_account_id,
        hubspot.source_owner_id,
        hubspot.pipeline_key,
        hubspot.stage_key,
        hubspot.source_status,
        hubspot.source_deal_type,
        hubspot.lead_source,
        hubspot.loss_reason,
        hubspot.source_forecast_category,
        hubspot.currency,
        hubspot.amount,
        hubspot.probability,
        hubspot.created_at,
        hubspot.expected_close_date,
        hubspot.source_closed_date,
        hubspot.updated_at
    from hubspot
    left join hubspot_companies
        on hubspot.source_deal_id = hubspot_companies.deal_id
    union all
    select * from pipedrive

)

select
    source || ':' || source_deal_id as deal_id,
    source,
    source_deal_id,
    deal_name,
    source_account_id,
    source_owner_id,
    pipeline_key,
    stage_key,
    source_status,
    source_deal_type,
    lead_source,
    loss_reason,
    source_forecast_category,
    upper(currency) as currency,
    amount,
    probability,
    created_at,
    cast(created_at as date) as created_date,
    expected_close_date,
    source_closed_date,
    updated_at
from unioned
