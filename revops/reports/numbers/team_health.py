"""Numbers of the team-health report: headcount, voluntary turnover, absenteeism and eNPS per team,
their company trend, ramp curves and the manager-impact estimates with their verdicts."""

from __future__ import annotations

from datetime import date

import pandas as pd

from revops.reports.calendar import add_months, last_complete_month
from revops.reports.source import Warehouse

TREND_MONTHS = 12
COHORTS_SHOWN = 6
OVERVIEW_COLUMNS = (
    "headcount_start",
    "headcount_end",
    "hires",
    "voluntary_exits",
    "involuntary_exits",
    "voluntary_exits_12m",
    "voluntary_turnover_12m",
    "absenteeism_rate",
    "attainment_median",
)


def overview(wh: Warehouse, as_of: date) -> pd.DataFrame:
    """The last complete month per scope (company, then teams) from team_health.team_health_monthly,
    with the latest survey up to that month: enps (NULL when hidden), enps_respondents, enps_month.

    Columns: month, scope_type, scope_id, the OVERVIEW_COLUMNS, enps, enps_respondents, enps_month."""
    wh.require("team_health.team_health_monthly")
    month = last_complete_month(as_of)
    cols = ", ".join(f"m.{c}" for c in OVERVIEW_COLUMNS)
    return wh.df(
        f"select m.month, m.scope_type, m.scope_id, {cols}, s.enps, s.enps_respondents, s.month as enps_month "
        "from team_health.team_health_monthly m "
        "left join (select scope_type, scope_id, month, enps, enps_respondents, row_number() over "
        "  (partition by scope_type, scope_id order by month desc) as n from team_health.team_health_monthly "
        "  where month <= ? and enps_respondents > 0) s "
        "on s.scope_type = m.scope_type and s.scope_id = m.scope_id and s.n = 1 "
        "where m.month = ? and m.scope_type in ('company', 'team') "
        "order by case m.scope_type when 'company' then 0 else 1 end, m.scope_id",
        [month, month],
    )


def company_trend(wh: Warehouse, as_of: date, months: int = TREND_MONTHS) -> pd.DataFrame:
    """Company rows of team_health.team_health_monthly for the last `months` complete months.

    Columns: month, headcount_end, hires, voluntary_exits_12m, voluntary_turnover_12m, absenteeism_rate,
    enps, enps_respondents."""
    wh.require("team_health.team_health_monthly")
    last = last_complete_month(as_of)
    return wh.df(
        "select month, headcount_end, hires, voluntary_exits_12m, voluntary_turnover_12m, absenteeism_rate, "
        "enps, enps_respondents from team_health.team_health_monthly where scope_type = 'company' "
        "and month between ? and ? order by month",
        [add_months(last, -(months - 1)), last],
    )


def ramp_curves(wh: Warehouse, cohorts: int = COHORTS_SHOWN) -> pd.DataFrame:
    """team_health.ramp_curves for the latest `cohorts` hire cohorts of each role.

    Columns: role, hire_cohort, tenure_month, reps, attainment_median."""
    wh.require("team_health.ramp_curves")
    return wh.df(
        "select role, hire_cohort, tenure_month, reps, attainment_median from team_health.ramp_curves "
        "where (role, hire_cohort) in (select role, hire_cohort from (select distinct role, hire_cohort "
        "  from team_health.ramp_curves) qualify row_number() over (partition by role order by hire_cohort desc) <= ?) "
        "order by role, hire_cohort, tenure_month",
        [cohorts],
    )


def ramp_summary(wh: Warehouse) -> pd.DataFrame:
    """Per role from team_health.rep_ramp: reps, ramped, median ramp days, median days to first deal
    and first meeting.

    Columns: role, reps, ramped, ramp_days_median, first_deal_days_median, first_meeting_days_median."""
    wh.require("team_health.rep_ramp")
    return wh.df(
        "select role, count(*) as reps, count(ramp_days) as ramped, median(ramp_days) as ramp_days_median, "
        "median(days_to_first_deal) as first_deal_days_median, "
        "median(days_to_first_meeting) as first_meeting_days_median "
        "from team_health.rep_ramp group by role order by role"
    )


def manager_impact(wh: Warehouse) -> pd.DataFrame:
    """Every row of team_health.manager_impact, latest change first.

    Columns: team, change_date, old_manager_email, new_manager_email, kpi, window_days, before_value,
    after_value, comparison_before, comparison_after, did_estimate, team_n, comparison_n,
    comparison_teams, verdict."""
    wh.require("team_health.manager_impact")
    return wh.df(
        "select team, change_date, old_manager_email, new_manager_email, kpi, window_days, before_value, "
        "after_value, comparison_before, comparison_after, did_estimate, team_n, comparison_n, comparison_teams, "
        "verdict from team_health.manager_impact order by change_date desc, team, kpi"
    )
