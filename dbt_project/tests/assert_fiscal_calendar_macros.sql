-- The engine-specific calendar macros against dates worked out by hand: fiscal quarters for a
-- fiscal year starting in February (and in January), fiscal year starts, ISO weeks (Monday).

with

cases as (

    select worked_out.* from (
        values
        (date '2026-01-15', 2, date '2025-11-01', date '2025-02-01', date '2026-01-12'),
        (date '2026-02-01', 2, date '2026-02-01', date '2026-02-01', date '2026-01-26'),
        (date '2026-04-30', 2, date '2026-02-01', date '2026-02-01', date '2026-04-27'),
        (date '2026-05-01', 2, date '2026-05-01', date '2026-02-01', date '2026-04-27'),
        (date '2026-12-31', 2, date '2026-11-01', date '2026-02-01', date '2026-12-28'),
        (date '2026-03-31', 1, date '2026-01-01', date '2026-01-01', date '2026-03-30'),
        (date '2026-10-04', 1, date '2026-10-01', date '2026-01-01', date '2026-09-28'),
        (date '2026-01-03', 12, date '2025-12-01', date '2025-12-01', date '2025-12-29')
    ) as worked_out (day, start_month, expected_quarter, expected_year, expected_week)

),

computed as (

    select
        *,
        {{ revops.fiscal_quarter_start('day', 'start_month') }} as quarter_start,
        {{ revops.fiscal_year_start('day', 'start_month') }} as year_start,
        {{ revops.iso_week_start('day') }} as week_start
    from cases

)

select *
from computed
where quarter_start <> expected_quarter
    or year_start <> expected_year
    or week_start <> expected_week
