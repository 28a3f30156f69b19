"""Manager impact: difference in differences of team KPIs around a manager change.

For a change of manager of team T on day D, with window W (the configured window, shortened so the
after window ends by the as-of date), the before window is [D − W, D) and the after window [D, D + W).
The comparison group is every other team with no manager change in [D − W, D + W), pooled. The estimate
is (T after − T before) − (comparison after − comparison before); all four KPIs are higher-is-better.

KPIs: win_rate_count (deals closed in the window; created date present and not after the close date),
stage_conversion_demo (deals that reached demo in the window and later reached a stage after demo; needs
marts.fct_deal_stage_events), forecast_accuracy (mean accuracy of the team's forecast periods starting
in the window; needs forecast.forecast_accuracy) and rep_retention (AEs and SDRs present at the window
start whose spell still runs at its end). Teams are attributed "as is".

Verdict: "not enough data" when any of the four cells (team or comparison, before or after) has fewer
than `min_deals_per_side` closed deals or a KPI value is missing; otherwise "improved" / "declined" when
the estimate is more than 1.96 standard errors from zero, else "no clear change". Standard errors come
from the binomial variance of each rate (with one success and one failure added, so 0% and 100% do not
claim certainty) or the sample variance of accuracies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from revops.team_health.manager_changes import changes_in_range
from revops.team_health.periods import day_number
from revops.team_health.roster import REP_ROLES

Z_95 = 1.96
IMPACT_COLUMNS = [
    "team", "change_date", "old_manager_email", "new_manager_email", "kpi", "window_days", "before_value",
    "after_value", "comparison_before", "comparison_after", "did_estimate", "team_n", "comparison_n",
    "comparison_teams", "verdict", "team_n_before", "team_n_after", "comparison_n_before",
    "comparison_n_after", "did_std_error",
]


@dataclass(frozen=True)
class Cell:
    """A KPI over one group of teams and one window: value, sample size, variance of the value."""

    value: float
    n: int
    variance: float
    teams_with_data: frozenset[str]


@dataclass(frozen=True)
class ImpactInputs:
    """Per-team observations the KPIs are computed from (columns team, day, and one measure)."""

    closed_deals: pd.DataFrame  # team, day (close date), success (won)
    demo_reached: pd.DataFrame | None  # team, day (reached demo), success (passed demo later)
    forecast_accuracy: pd.DataFrame | None  # team, day (period start), accuracy
    rep_spells: pd.DataFrame  # team, start, end (day numbers)


def _rate_cell(frame: pd.DataFrame, selected: np.ndarray, success: np.ndarray) -> Cell:
    n = int(selected.sum())
    if n == 0:
        return Cell(float("nan"), 0, float("nan"), frozenset())
    x = float(success[selected].sum())
    smoothed = (x + 1.0) / (n + 2.0)
    teams = frozenset(frame.loc[selected, "team"])
    return Cell(x / n, n, smoothed * (1.0 - smoothed) / n, teams)


def _in_window(frame: pd.DataFrame, in_group: np.ndarray, first: int, end: int) -> np.ndarray:
    day = frame["day"].to_numpy()
    selected: np.ndarray = in_group & (day >= first) & (day < end)
    return selected


def rate_in_window(frame: pd.DataFrame, in_group: np.ndarray, first: int, end: int) -> Cell:
    """Share of successes among the group's observations dated in [first, end)."""
    return _rate_cell(frame, _in_window(frame, in_group, first, end), frame["success"].to_numpy(dtype=bool))


def accuracy_in_window(frame: pd.DataFrame, in_group: np.ndarray, first: int, end: int) -> Cell:
    """Mean forecast accuracy of the group's periods starting in [first, end)."""
    selected = _in_window(frame, in_group, first, end)
    values = frame.loc[selected, "accuracy"].to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return Cell(float("nan"), 0, float("nan"), frozenset())
    variance = float(values.var(ddof=1) / values.size) if values.size > 1 else float("nan")
    return Cell(float(values.mean()), int(values.size), variance, frozenset(frame.loc[selected, "team"]))


def retention_in_window(frame: pd.DataFrame, in_group: np.ndarray, first: int, end: int) -> Cell:
    """Share of the group's reps employed on `first` whose spell still runs on `end`."""
    start = frame["start"].to_numpy()
    stop = frame["end"].to_numpy()
    present = in_group & (start <= first) & (first < stop)
    return _rate_cell(frame, present, stop > end)


def _verdict(cells: list[Cell], gate: list[int], min_deals: int) -> tuple[str, float, float]:
    if min(gate) < min_deals or any(np.isnan(c.value) for c in cells):
        return "not enough data", float("nan"), float("nan")
    before, after, comp_before, comp_after = cells
    did = (after.value - before.value) - (comp_after.value - comp_before.value)
    se = float(np.sqrt(sum(c.variance for c in cells)))
    if np.isnan(se):
        return "not enough data", float("nan"), float("nan")
    if abs(did) > Z_95 * se:
        return ("improved" if did > 0 else "declined"), did, se
    return "no clear change", did, se


def manager_impact(changes: pd.DataFrame, inputs: ImpactInputs, *, as_of_day: int, window_days: int,
                   min_deals_per_side: int) -> pd.DataFrame:
    """team_health.manager_impact rows: one per change and KPI."""
    if window_days <= 0:
        raise ValueError(f"team_health: impact_window_days must be positive, got {window_days}")
    kpis: list[tuple[str, pd.DataFrame, Callable[[pd.DataFrame, np.ndarray, int, int], Cell]]] = [
        ("win_rate_count", inputs.closed_deals, rate_in_window)
    ]
    if inputs.demo_reached is not None:
        kpis.append(("stage_conversion_demo", inputs.demo_reached, rate_in_window))
    if inputs.forecast_accuracy is not None:
        kpis.append(("forecast_accuracy", inputs.forecast_accuracy, accuracy_in_window))
    kpis.append(("rep_retention", inputs.rep_spells, retention_in_window))

    rows = []
    deals = inputs.closed_deals
    for change in changes.itertuples(index=False):
        day = day_number(change.change_date)
        window = int(min(window_days, as_of_day + 1 - day))
        before, after = (day - window, day), (day, day + window)
        excluded = {change.team} | changes_in_range(changes, day - window, day + window)

        def groups(frame: pd.DataFrame, excluded: set[str] = excluded, team: str = change.team
                   ) -> tuple[np.ndarray, np.ndarray]:
            teams = frame["team"]
            return (teams == team).to_numpy(), (~teams.isin(excluded) & teams.notna()).to_numpy()

        team_deals, comp_deals = groups(deals)
        gate = [int(_in_window(deals, g, *w).sum()) for g in (team_deals, comp_deals) for w in (before, after)]
        for kpi, frame, measure in kpis:
            in_team, in_comparison = groups(frame)
            if window > 0:
                cells = [measure(frame, g, *w) for g in (in_team, in_comparison) for w in (before, after)]
            else:
                empty = Cell(float("nan"), 0, float("nan"), frozenset())
                cells = [empty] * 4
            verdict, did, se = _verdict(cells, gate, min_deals_per_side)
            team_before, team_after, comp_before, comp_after = cells
            rows.append(
                {
                    "team": change.team,
                    "change_date": change.change_date,
                    "old_manager_email": change.old_manager_email,
                    "new_manager_email": change.new_manager_email,
                    "kpi": kpi,
                    "window_days": max(window, 0),
                    "before_value": team_before.value,
                    "after_value": team_after.value,
                    "comparison_before": comp_before.value,
                    "comparison_after": comp_after.value,
                    "did_estimate": did,
                    "team_n": team_before.n + team_after.n,
                    "comparison_n": comp_before.n + comp_after.n,
                    "comparison_teams": ", ".join(sorted(comp_before.teams_with_data | comp_after.teams_with_data)),
                    "verdict": verdict,
                    "team_n_before": team_before.n,
                    "team_n_after": team_after.n,
                    "comparison_n_before": comp_before.n,
                    "comparison_n_after": comp_after.n,
                    "did_std_error": se,
                }
            )
    return pd.DataFrame(rows, columns=IMPACT_COLUMNS)


def rep_spells_by_team(spells: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Spells of AEs and SDRs with the person's (current) team."""
    reps = spells[spells["role"].isin(REP_ROLES)][["person_id", "start", "end"]]
    return reps.merge(people[["person_id", "team"]], on="person_id")[["team", "start", "end"]]
