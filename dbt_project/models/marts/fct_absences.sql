-- Absences from absences.csv, one row per absence (first and last day inclusive).

with

roster as (

    select distinct
        employee_id,
        email
    from {{ ref('stg_inputs__hr_roster') }}

)

select
    {{ revops.hash_key(['absences.employee_id', 'absences.start_date', 'absences.end_date', 'absences.absence_type']) }}
        as absence_id,
    absences.employee_id,
    case when roster.email is not null then {{ revops.hash_key(['roster.email']) }} end as rep_id,
    absences.start_date,
    absences.end_date,
    absences.absence_type,
    coalesce(absences.is_planned, false) as is_planned
from {{ ref('stg_inputs__absences') }} as absences
left join roster
    on absences.employee_id = roster.employee_id
