-- Quotas from quotas.csv, one row per rep, quota period and quota type. Revenue quotas are in the
-- corporate currency, meeting quotas are counts.

select
    {{ revops.hash_key(['rep_email', 'period_start', "coalesce(quota_type, 'revenue')"]) }} as quota_id,
    {{ revops.hash_key(['rep_email']) }} as rep_id,
    rep_email as email,
    period_start,
    period_end,
    coalesce(lower(quota_type), 'revenue') as quota_type,
    quota_amount
from {{ ref('stg_inputs__quotas') }}
where rep_email is not null
