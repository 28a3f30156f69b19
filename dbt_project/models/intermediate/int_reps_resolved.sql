-- One row per person known to the HR roster or to any CRM as a record owner, matched by lower-cased
-- e-mail. HR attributes (team, manager, role, dates) come from the roster row with the latest hire
-- date; people outside the roster get team `unassigned` and a role guessed from their CRM role.

with

settings as (

    select as_of_date from {{ ref('int_settings_resolved') }}

),

roster_ranked as (

    select
        *,
        row_number() over (
            partition by email
            order by hire_date desc, exit_date desc, employee_id desc
        ) as recency
    from {{ ref('stg_inputs__hr_roster') }}
    where email is not null

),

roster as (

    select * from roster_ranked
    where recency = 1

),

crm_users as (

    select
        email,
        min(case when source = 'salesforce' then source_user_id end) as salesforce_user_id,
        min(case when source = 'hubspot' then source_user_id end) as hubspot_owner_id,
        min(case when source = 'pipedrive' then source_user_id end) as pipedrive_user_id,
        max(case when source = 'salesforce' then full_name end) as salesforce_name,
        max(case when source = 'hubspot' then full_name end) as hubspot_name,
        max(case when source = 'pipedrive' then full_name end) as pipedrive_name,
        max(crm_role) as crm_role,
        max(case when is_active then 1 else 0 end) = 1 as is_active_in_crm
    from {{ ref('int_crm_users_unioned') }}
    where email is not null
    group by email

),

people as (

    select email from roster
    union
    select email from crm_users

)

select
    {{ revops.hash_key(['people.email']) }} as rep_id,
    people.email,
    coalesce(roster.full_name, crm_users.salesforce_name, crm_users.hubspot_name, crm_users.pipedrive_name)
        as full_name,
    coalesce(
        {{ revops.normalise_role('roster.role') }},
        {{ revops.normalise_role('crm_users.crm_role') }},
        'other'
    ) as role,
    roster.level,
    coalesce(roster.team, 'unassigned') as team,
    roster.manager_email,
    case when roster.manager_email is not null then {{ revops.hash_key(['roster.manager_email']) }} end
        as manager_rep_id,
    roster.hire_date,
    roster.exit_date,
    case when lower(roster.exit_type) in ('voluntary', 'involuntary') then lower(roster.exit_type) end as exit_type,
    case
        when roster.email is not null
            then roster.hire_date <= settings.as_of_date
                and (roster.exit_date is null or roster.exit_date > settings.as_of_date)
        else coalesce(crm_users.is_active_in_crm, false)
    end as is_active,
    roster.email is not null as is_in_hr_roster,
    roster.employee_id,
    crm_users.salesforce_user_id,
    crm_users.hubspot_owner_id,
    crm_users.pipedrive_user_id
from people
cross join settings
left join roster
    on people.email = roster.email
left join crm_users
    on people.email = crm_users.email
