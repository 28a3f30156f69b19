-- One row per change of a team's manager, from the HR events of type `manager_change`.
-- Each such event moves one employee to a new manager; its detail names the new manager's e-mail
-- (the first e-mail in the text is taken). The events of one team on one day with the same new
-- manager are one change. The previous manager is the team's manager (role manager) whose employment
-- spell in the team covered the day before the change; NULL when the roster does not say.

with

events as (

    select
        employee_id,
        event_date as change_date,
        lower({{ revops.regexp_first_match('detail', "'[A-Za-z0-9._%+''-]+@[A-Za-z0-9.-]+\\.[A-Za-z]+'") }})
            as new_manager_email
    from {{ ref('stg_inputs__hr_events') }}
    where lower(event_type) = 'manager_change'

),

roster as (

    select * from {{ ref('stg_inputs__hr_roster') }}

),

spells as (

    select * from {{ ref('fct_employment_spells') }}

),

changes as (

    select
        roster.team,
        events.change_date,
        events.new_manager_email,
        count(*) as employees_moved
    from events
    inner join roster
        on events.employee_id = roster.employee_id
    where roster.team is not null
        and events.new_manager_email is not null
    group by roster.team, events.change_date, events.new_manager_email

),

previous_managers as (

    select
        changes.team,
        changes.change_date,
        changes.new_manager_email,
        {{ revops.value_at_max('lower(spells.email)', 'spells.spell_start') }} as old_manager_email
    from changes
    inner join spells
        on changes.team = spells.team
            and changes.new_manager_email <> lower(spells.email)
            and changes.change_date > spells.spell_start
            and (spells.spell_end is null or {{ dbt.dateadd('day', -1, 'changes.change_date') }} <= spells.spell_end)
            and spells.role = 'manager'
    group by changes.team, changes.change_date, changes.new_manager_email

)

select
    changes.team,
    changes.change_date,
    previous_managers.old_manager_email,
    changes.new_manager_email,
    changes.employees_moved
from changes
left join previous_managers
    on changes.team = previous_managers.team
        and changes.change_date = previous_managers.change_date
        and changes.new_manager_email = previous_managers.new_manager_email
