-- One row per continuous employment spell: a hire or rehire opens a spell, the next exit closes it.
-- Spells come from hr_events; the roster's hire and exit dates fill in what the events lack.
-- Role, level, team and manager are the roster's current values ("as is").

with

roster as (

    select * from {{ ref('stg_inputs__hr_roster') }}

),

events as (

    select * from {{ ref('stg_inputs__hr_events') }}

),

starts as (

    select
        employee_id,
        event_date as spell_start
    from events
    where lower(event_type) in ('hire', 'rehire')
    union
    select
        employee_id,
        hire_date
    from roster
    where hire_date is not null

),

ends as (

    select
        employee_id,
        event_date as spell_end,
        case when lower(detail) in ('voluntary', 'involuntary') then lower(detail) end as exit_type
    from events
    where lower(event_type) = 'exit'
    union
    select
        employee_id,
        exit_date as spell_end,
        case when lower(exit_type) in ('voluntary', 'involuntary') then lower(exit_type) end as exit_type
    from roster
    where exit_date is not null

),

ends_deduplicated as (

    select
        employee_id,
        spell_end,
        max(exit_type) as exit_type
    from ends
    group by employee_id, spell_end

),

starts_sequenced as (

    select
        employee_id,
        spell_start,
        lead(spell_start) over (partition by employee_id order by spell_start) as next_start
    from starts

),

spells as (

    select
        starts_sequenced.employee_id,
        starts_sequenced.spell_start,
        min(ends_deduplicated.spell_end) as spell_end
    from starts_sequenced
    left join ends_deduplicated
        on starts_sequenced.employee_id = ends_deduplicated.employee_id
            and starts_sequenced.spell_start <= ends_deduplicated.spell_end
            and (starts_sequenced.next_start is null or starts_sequenced.next_start > ends_deduplicated.spell_end)
    group by starts_sequenced.employee_id, starts_sequenced.spell_start

)

select
    {{ revops.hash_key(['spells.employee_id', 'spells.spell_start']) }} as spell_id,
    spells.employee_id,
    case when roster.email is not null then {{ revops.hash_key(['roster.email']) }} end as rep_id,
    roster.email,
    {{ revops.normalise_role('roster.role') }} as role,
    roster.level,
    roster.team,
    roster.manager_email,
    spells.spell_start,
    spells.spell_end,
    ends_deduplicated.exit_type
from spells
left join ends_deduplicated
    on spells.employee_id = ends_deduplicated.employee_id
        and spells.spell_end = ends_deduplicated.spell_end
left join roster
    on spells.employee_id = roster.employee_id
