-- One row per company across the CRMs (see int_accounts_resolved for the matching). Attributes come
-- from Salesforce first, then HubSpot, then Pipedrive. The segment follows the employee thresholds
-- of revops.yml (smb below `smb_max_employees`, mid_market below `mid_market_max_employees`,
-- enterprise from there), else the CRM's own segment field, else `unknown`.

with

settings as (

    select * from {{ ref('int_settings_resolved') }}

),

records as (

    select
        records.*,
        case when records.source = 'salesforce' then 1 when records.source = 'hubspot' then 2 else 3 end
            as source_priority,
        records.annual_revenue * rates.rate_to_corporate as annual_revenue_corporate
    from {{ ref('int_accounts_resolved') }} as records
    cross join settings
    left join {{ ref('int_exchange_rates_ranged') }} as rates
        on coalesce(records.currency, settings.corporate_currency) = rates.currency
            and settings.as_of_date >= rates.valid_from
            and (rates.valid_to is null or settings.as_of_date < rates.valid_to)

),

{% set prioritised = [
    'account_name', 'employees', 'annual_revenue_corporate', 'industry', 'country', 'territory', 'crm_segment'
] %}

ranked as (

    select
        account_id,
        {% for column in prioritised %}
            first_value({{ column }}) over (
                partition by account_id
                order by case when {{ column }} is null then 1 else 0 end, source_priority, source_account_id
                rows between unbounded preceding and unbounded following
            ) as {{ column }},
        {% endfor %}
        account_key,
        source,
        source_account_id,
        is_strategic
    from records

),

accounts as (

    select
        account_id,
        {% for column in prioritised %}
            max({{ column }}) as {{ column }},
        {% endfor %}
        max(case when account_key like 'domain:%' then substr(account_key, 8) end) as domain,
        max(case when is_strategic then 1 else 0 end) = 1 as is_strategic,
        min(case when source = 'salesforce' then source_account_id end) as salesforce_account_id,
        min(case when source = 'hubspot' then source_account_id end) as hubspot_company_id,
        min(case when source = 'pipedrive' then source_account_id end) as pipedrive_org_id,
        count(*) as source_records
    from ranked
    group by account_id

)

select
    accounts.account_id,
    accounts.account_name as name,
    accounts.domain,
    accounts.employees,
    accounts.annual_revenue_corporate,
    accounts.industry,
    accounts.country,
    accounts.territory,
    case
        when accounts.employees is not null then {{ revops.segment_from_employees(
            'accounts.employees', 'settings.smb_max_employees', 'settings.mid_market_max_employees') }}
        when replace(replace(lower(accounts.crm_segment), '-', ''), ' ', '') in ('smb', 'small', 'smallbusiness')
            then 'smb'
        when replace(replace(replace(lower(accounts.crm_segment), '-', ''), ' ', ''), '_', '')
            in ('midmarket', 'mm', 'mid')
            then 'mid_market'
        when lower(accounts.crm_segment) like 'ent%' then 'enterprise'
        else 'unknown'
    end as segment,
    accounts.is_strategic,
    accounts.salesforce_account_id,
    accounts.hubspot_company_id,
    accounts.pipedrive_org_id,
    accounts.source_records
from accounts
cross join settings
