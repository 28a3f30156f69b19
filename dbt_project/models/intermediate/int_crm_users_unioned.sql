-- The people who own records in each CRM (Salesforce users, HubSpot owners, Pipedrive users), one
-- row per CRM user, with the lower-cased e-mail that identifies them across systems.

with

salesforce as (

    select
        'salesforce' as source,
        users.user_id as source_user_id,
        users.email,
        coalesce(
            users.full_name,
            trim(coalesce(users.first_name, '') || ' ' || coalesce(users.last_name, ''))
        ) as full_name,
        roles.role_name as crm_role,
        coalesce(users.is_active, true) and not coalesce(users.is_deleted, false) as is_active,
        users.manager_id as source_manager_id
    from {{ ref('stg_salesforce__users') }} as users
    left join {{ ref('stg_salesforce__user_roles') }} as roles
        on users.user_role_id = roles.user_role_id

),

hubspot as (

    select
        'hubspot' as source,
        owner_id as source_user_id,
        email,
        nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), '') as full_name,
        cast(null as {{ dbt.type_string() }}) as crm_role,
        not coalesce(is_archived, false) as is_active,
        cast(null as {{ dbt.type_string() }}) as source_manager_id
    from {{ ref('stg_hubspot__owners') }}

),

pipedrive as (

    select
        'pipedrive' as source,
        user_id as source_user_id,
        email,
        full_name,
        cast(null as {{ dbt.type_string() }}) as crm_role,
        coalesce(is_active, true) and not coalesce(is_deleted, false) as is_active,
        cast(null as {{ dbt.type_string() }}) as source_manager_id
    from {{ ref('stg_pipedrive__users') }}

),

unioned as (

    select * from salesforce
    union all
    select * from hubspot
    union all
    select * from pipedrive

)

select
    source,
    source_user_id,
    {{ revops.normalise_email('email') }} as email,
    nullif(full_name, '') as full_name,
    crm_role,
    is_active,
    source_manager_id
from unioned
where source_user_id is not null
