-- Revenue quotas spread over the KPI periods: quota × days of the period inside the quota period /
-- days of the quota period. The file's period_end is read as exclusive when it falls on the same day
-- of the month as period_start (2026-02-01 .. 2026-05-01), else as the last day (.. 2026-04-30).

with

quotas as (

    select
        email,
        period_start as quota_start,
        case
            when extract(day from period_end) = extract(day from period_start) then period_end
            else cast({{ dbt.dateadd('day', 1, 'period_end') }} as date)
        end as quota_end,
        quota_amount
    from {{ ref('fct_quotas') }}
    where quota_type = 'revenue' and quota_amount is not null

),

periods as (

    select grain, period_start, period_end from {{ ref('int_calendar_periods') }}

),

quota_overlaps as (

    select
        quotas.email,
        periods.grain,
        periods.period_start,
        quotas.quota_amount,
        {{ dbt.datediff('quotas.quota_start', 'quotas.quota_end', 'day') }} as quota_days,
        {{ dbt.datediff(
            'case when quotas.quota_start > periods.period_start then quotas.quota_start else periods.period_start end',
            'case when quotas.quota_end < periods.period_end then quotas.quota_end else periods.period_end end',
            'day') }} as overlap_days
    from quotas
    inner join periods
        on quotas.quota_start < periods.period_end
        and quotas.quota_end > periods.period_start

)

select
    email,
    grain,
    period_start,
    sum(quota_amount * overlap_days / cast(quota_days as {{ revops.type_double() }})) as quota_amount
from quota_overlaps
where quota_days > 0
group by email, grain, period_start
