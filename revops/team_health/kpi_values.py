"""Team-health KPIs in the long format of kpi.kpi_values, so they can be appended there and tracked
against targets.

KPIs, grain month, scopes company / team / manager:
- voluntary_turnover_12m: voluntary exits of the 12 months ending with the month / mean headcount
  (NULL value under small_team_threshold; the count stays in the numerator);
- absenteeism_rate: unplanned absence working days / scheduled working days;
- enps: points, with the respondent count as denominator (no numerator: with hidden values it would
  reveal them); months without a survey have no row;
- ramp_days_median: median ramp days of the reps who reached ramp in the month (denominator: those
  reps); months in which nobody reached ramp have no row;
- rep_retention_12m: reps present 12 months before the month's end still employed at its end.
is_small_sample marks values whose population is under small_team_threshold (eNPS: under
min_survey_respondents); is_mature is false for the month still in progress on the as-of date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from revops.kpis import CATALOGUE
from revops.team_health.periods import day_number, days_of, month_of_day, month_start_day, months_to_dates

KPI_COLUMNS = ["grain", "period_start", "period_end", "scope_type", "scope_id", "kpi", "value", "numerator",
               "denominator", "unit", "is_small_sample", "is_mature"]
TEAM_HEALTH_KPIS = ("voluntary_turnover_12m", "absenteeism_rate", "enps", "ramp_days_median", "rep_retention_12m")


def _unit(kpi: str, fallback: str) -> str:
    entry = CATALOGUE.get(kpi)
    return entry.unit if entry is not None else fallback


def _long(monthly: pd.DataFrame, kpi: str, value: str, numerator: str | None, denominator: str,
          small: pd.Series, fallback_unit: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": monthly["month"].to_numpy(),
            "scope_type": monthly["scope_type"].to_numpy(),
            "scope_id": monthly["scope_id"].to_numpy(),
            "kpi": kpi,
            "value": monthly[value].to_numpy(dtype=float, na_value=np.nan),
            "numerator": monthly[numerator].to_numpy(dtype=float, na_value=np.nan) if numerator else np.nan,
            "denominator": monthly[denominator].to_numpy(dtype=float, na_value=np.nan),
            "unit": _unit(kpi, fallback_unit),
            "is_small_sample": small.to_numpy(dtype=bool),
        }
    )


def _ramp_rows(rep_ramp: pd.DataFrame, team_managers: pd.DataFrame, small_team_threshold: int) -> pd.DataFrame:
    reached = rep_ramp[rep_ramp["ramp_reached_on"].notna()]
    if reached.empty:
        return pd.DataFrame()
    base = pd.DataFrame(
        {
            "month": month_of_day(days_of(reached["ramp_reached_on"])),
            "team": reached["team"].to_numpy(dtype=object),
            "days": reached["ramp_days"].astype(float).to_numpy(),
        }
    )
    manager = dict(zip(team_managers["team"], team_managers["manager_email"], strict=True))
    scoped = pd.concat(
        [
            base.assign(scope_type="company", scope_id="all"),
            base.assign(scope_type="team", scope_id=base["team"]),
            base.assign(scope_type="manager", scope_id=base["team"].map(manager)).dropna(subset=["scope_id"]),
        ]
    )
    grouped = scoped.groupby(["month", "scope_type", "scope_id"], as_index=False).agg(
        value=("days", "median"), denominator=("days", "size")
    )
    grouped["month"] = months_to_dates(grouped["month"].to_numpy())
    grouped["kpi"] = "ramp_days_median"
    grouped["numerator"] = np.nan
    grouped["denominator"] = grouped["denominator"].astype(float)
    grouped["unit"] = _unit("ramp_days_median", "days")
    grouped["is_small_sample"] = grouped["denominator"] < small_team_threshold
    return grouped


def team_health_kpi_values(monthly: pd.DataFrame, rep_ramp: pd.DataFrame, team_managers: pd.DataFrame, *,
                           as_of: date, small_team_threshold: int = 8,
                           min_survey_respondents: int = 5) -> pd.DataFrame:
    """Long-format KPI rows (kpi.kpi_values columns) from team_health_monthly and rep_ramp frames.

    `monthly` is the team_health_monthly frame (with its turnover_headcount_12m, reps_start_12m and
    reps_retained_12m columns); `team_managers` maps team to manager_email for the manager scope of
    ramp times.
    """
    surveyed = monthly[monthly["enps_respondents"].notna()]
    parts = [
        _long(monthly, "voluntary_turnover_12m", "voluntary_turnover_12m", "voluntary_exits_12m",
              "turnover_headcount_12m", monthly["turnover_headcount_12m"] < small_team_threshold, "ratio"),
        _long(monthly, "absenteeism_rate", "absenteeism_rate", "unplanned_absence_days", "scheduled_days",
              monthly["headcount_avg"] < small_team_threshold, "ratio"),
        _long(surveyed, "enps", "enps", None, "enps_respondents",
              surveyed["enps_respondents"] < min_survey_respondents, "points"),
        _long(monthly, "rep_retention_12m", "rep_retention_12m", "reps_retained_12m", "reps_start_12m",
              monthly["reps_start_12m"] < small_team_threshold, "ratio"),
        _ramp_rows(rep_ramp, team_managers, small_team_threshold),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=KPI_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    month_number = month_of_day(days_of(frame["month"]))
    frame["grain"] = "month"
    frame["period_start"] = months_to_dates(month_number)
    frame["period_end"] = months_to_dates(month_number + 1)
    # A month is complete once its last day is on or before the as-of date.
    frame["is_mature"] = month_start_day(month_number + 1) <= day_number(as_of) + 1
    frame["is_small_sample"] = frame["is_small_sample"].astype(bool)
    return frame[KPI_COLUMNS].sort_values(["kpi", "scope_type", "scope_id", "period_start"]).reset_index(drop=True)
