-- Each CRM company record with the account it belongs to. Records match on the normalised domain;
-- a record without a domain joins the account of a record with the same normalised name (the
-- alphabetically first domain when several share the name), else forms an account by its name.

with

records as (

    select * from {{ ref('int_account_records_unioned') }}

),

domains_by_name as (

    select
        normalised_name,
        min(normalised_domain) as normalised_domain
    from records
    where normalised_domain is not null and normalised_name is not null
    group by normalised_name

),

keyed as (

    select
        records.*,
        case
            when records.normalised_domain is not null then 'domain:' || records.normalised_domain
            when domains_by_name.normalised_domain is not null then 'domain:' || domains_by_name.normalised_domain
            when records.normalised_name is not null then 'name:' || records.normalised_name
            else 'record:' || records.source || ':' || records.source_account_id
        end as account_key
    from records
    left join domains_by_name
        on records.normalised_domain is null
            and records.normalised_name = domains_by_name.normalised_name

)

select
    {{ revops.hash_key(['account_key']) }} as account_id,
    account_key,
    source,
    source_account_id,
    account_name,
    normalised_domain,
    normalised_name,
    employees,
    annual_revenue,
    currency,
    industry,
    country,
    territory,
    crm_segment,
    is_strategic,
    created_at
from keyed
