"""All team-health tables computed from mart DataFrames, without touching the warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from revops.team_health.absenteeism import absenteeism_monthly
from revops.team_health.attainment import activities_monthly, attainment_monthly, rep_month_attainment
from revops.team_health.enps import enps_monthly
from revops.team_health.events import SELLING_ACTIVITIES, activity_events, quota_periods, won_deals
from revops.team_health.headcount import headcount_monthly, month_grid_for
from revops.team_health.impact_inputs import closed_deals, demo_reached, team_forecast_accuracy
from revops.team_health.kpi_values import team_health_kpi_values
from revops.team_health.manager_changes import detect_manager_changes, validate_changes
from revops.team_health.manager_impact import ImpactInputs, manager_impact, rep_spells_by_team
from revops.team_health.periods import day_number, months_to_dates
from revops.team_health.ramp import RAMP_COLUMNS, ramp_curves, ramp_day_of, rep_ramp
from revops.team_health.roster import Roster, build_roster

MONTHLY_COLUMNS = [
    "month", "scope_type", "scope_id", "headcount_start", "headcount_end", "headcount_avg", "hires",
    "voluntary_exits", "involuntary_exits", "voluntary_exits_12m", "voluntary_turnover_12m", "absenteeism_rate",
    "unplanned_absence_days", "scheduled_days", "enps", "enps_respondents", "attainment_median",
    "attainment_share_100", "ramping_share_70", "activities_per_rep",
    # Numerators and denominators of the ratios above, and rep retention.
    "turnover_headcount_12m", "planned_leave_days", "reps_start_12m", "reps_retained_12m", "rep_retention_12m",
]


@dataclass(frozen=True)
class MartFrames:
    """The marts team health reads, as DataFrames (column names as in docs/warehouse.md)."""

    dim_reps: pd.DataFrame
    employment_spells: pd.DataFrame
    absences: pd.DataFrame
    survey_responses: pd.DataFrame
    quotas: pd.DataFrame
    deals: pd.DataFrame
    activities: pd.DataFrame
    deal_stage_events: pd.DataFrame | None = None
    forecast_accuracy: pd.DataFrame | None = None
    manager_changes: pd.DataFrame | None = None  # marts.fct_manager_changes (from HR events)


@dataclass(frozen=True)
class TeamHealthSettings:
    """Thresholds and windows; defaults follow docs/kpis.md."""

    min_survey_respondents: int = 5
    small_team_threshold: int = 8
    ramp_share: float = 0.8
    sdr_monthly_meeting_target: float = 20
    impact_window_days: int = 180
    min_deals_per_side: int = 20
    fiscal_year_start_month: int = 1

    def __post_init__(self) -> None:
        checks = {
            "min_survey_respondents": self.min_survey_respondents >= 1,
            "small_team_threshold": self.small_team_threshold >= 1,
            "ramp_share": 0 < self.ramp_share <= 1,
            "sdr_monthly_meeting_target": self.sdr_monthly_meeting_target > 0,
            "impact_window_days": self.impact_window_days >= 1,
            "min_deals_per_side": self.min_deals_per_side >= 0,
            "fiscal_year_start_month": 1 <= self.fiscal_year_start_month <= 12,
        }
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in wrong)
            raise ValueError(
                f"team_health settings: {values} out of range; respondents and thresholds are at least 1, "
                "ramp_share is in (0, 1], the meeting target and window are positive, the fiscal month is 1–12"
            )


@dataclass
class TeamHealthTables:
    """The computed tables, keyed like the team_health schema, plus the team → manager map used."""

    team_health_monthly: pd.DataFrame
    rep_ramp: pd.DataFrame
    ramp_curves: pd.DataFrame
    manager_impact: pd.DataFrame
    kpi_values: pd.DataFrame
    team_managers: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tables to write, by name in the team_health schema."""
        return {
            "team_health_monthly": self.team_health_monthly,
            "rep_ramp": self.rep_ramp,
            "ramp_curves": self.ramp_curves,
            "manager_impact": self.manager_impact,
            "kpi_values": self.kpi_values,
        }


def _monthly(roster: Roster, marts: MartFrames, won: pd.DataFrame, quotas: pd.DataFrame, ramp: pd.DataFrame,
             settings: TeamHealthSettings) -> pd.DataFrame:
    grid = month_grid_for(roster)
    keys = ["scope_pos", "month"]
    frame = headcount_monthly(roster, grid, small_team_threshold=settings.small_team_threshold)
    frame = frame.merge(absenteeism_monthly(marts.absences, roster, grid), on=keys, how="left")
    enps = enps_monthly(marts.survey_responses, roster, min_survey_respondents=settings.min_survey_respondents)
    frame = frame.merge(enps.astype({"scope_pos": "int64", "month": "int64"}), on=keys, how="left")
    rep_months = rep_month_attainment(roster, won, quotas, ramp_day_of(ramp))
    attainment = attainment_monthly(roster, rep_months)
    frame = frame.merge(attainment.astype({"scope_pos": "int64", "month": "int64"}), on=keys, how="left")
    selling = activity_events(marts.activities, roster, SELLING_ACTIVITIES)
    frame = frame.merge(activities_monthly(roster, selling, grid), on=keys, how="left")
    average = frame["headcount_avg"]
    frame["activities_per_rep"] = frame["selling_activities"] / average.where(average > 0)
    frame["turnover_headcount_12m"] = frame.pop("turnover_base_12m")
    frame["enps_respondents"] = frame["enps_respondents"].astype("Int64")
    frame = frame.merge(roster.scopes, on="scope_pos")
    frame["month"] = months_to_dates(frame["month"].to_numpy())
    return frame[MONTHLY_COLUMNS].sort_values(["scope_type", "scope_id", "month"]).reset_index(drop=True)


def compute_team_health(marts: MartFrames, *, as_of: date, settings: TeamHealthSettings | None = None,
                        manager_changes: pd.DataFrame | None = None) -> TeamHealthTables:
    """Compute every team_health table from the marts as of a date.

    `manager_changes` (team, change_date, old_manager_email, new_manager_email) replaces the changes of
    marts.fct_manager_changes (HR events), which replace those reconstructed from the employment spells.
    """
    settings = settings or TeamHealthSettings()
    roster = build_roster(marts.employment_spells, marts.dim_reps, day_number(as_of))
    won = won_deals(marts.deals, roster)
    meetings = activity_events(marts.activities, roster, ("meeting",))
    revenue_quotas = quota_periods(marts.quotas, roster, "revenue")

    ramp = rep_ramp(roster, won, meetings, revenue_quotas, ramp_share=settings.ramp_share,
                    sdr_monthly_meeting_target=settings.sdr_monthly_meeting_target)
    curves = ramp_curves(roster, won, meetings, revenue_quotas,
                         sdr_monthly_meeting_target=settings.sdr_monthly_meeting_target,
                         fiscal_year_start_month=settings.fiscal_year_start_month)
    monthly = _monthly(roster, marts, won, revenue_quotas, ramp, settings)

    # An explicit list wins; then the HR events' manager changes; the reconstruction from spells last.
    if manager_changes is None and marts.manager_changes is not None and len(marts.manager_changes):
        manager_changes = marts.manager_changes
    changes = validate_changes(manager_changes) if manager_changes is not None else detect_manager_changes(roster)
    inputs = ImpactInputs(
        closed_deals=closed_deals(marts.deals, roster),
        demo_reached=(demo_reached(marts.deal_stage_events, marts.deals, roster)
                      if marts.deal_stage_events is not None else None),
        forecast_accuracy=(team_forecast_accuracy(marts.forecast_accuracy)
                           if marts.forecast_accuracy is not None else None),
        rep_spells=rep_spells_by_team(roster.spells, roster.people),
    )
    impact = manager_impact(changes, inputs, as_of_day=roster.as_of_day, window_days=settings.impact_window_days,
                            min_deals_per_side=settings.min_deals_per_side)
    kpis = team_health_kpi_values(monthly, ramp, roster.team_managers, as_of=as_of,
                                  small_team_threshold=settings.small_team_threshold,
                                  min_survey_respondents=settings.min_survey_respondents)
    return TeamHealthTables(
        team_health_monthly=monthly,
        rep_ramp=ramp[RAMP_COLUMNS],
        ramp_curves=curves,
        manager_impact=impact,
        kpi_values=kpis,
        team_managers=roster.team_managers,
    )
