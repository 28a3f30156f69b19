-- One row per person across the CRMs and the HR roster (see int_reps_resolved).

select
    rep_id,
    email,
    full_name,
    role,
    level,
    team,
    manager_email,
    manager_rep_id,
    hire_date,
    exit_date,
    exit_type,
    is_active,
    is_in_hr_roster,
    employee_id,
    salesforce_user_id,
    hubspot_owner_id,
    pipedrive_user_id
from {{ ref('int_reps_resolved') }}
