-- Anonymous eNPS answers from surveys.csv, one row per answer (no person is attached on purpose).

select
    {{ revops.hash_key(['survey_id', 'team', 'response_number']) }} as response_id,
    survey_id,
    survey_date,
    team,
    enps_score
from (
    select
        *,
        row_number() over (partition by survey_id, team order by enps_score) as response_number
    from {{ ref('stg_inputs__surveys') }}
) as numbered
