"""Per-team observations for manager impact, prepared from the marts (closed deals, demo conversion,
forecast accuracy, rep spells)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.team_health.periods import days_of
from revops.team_health.roster import UNASSIGNED_TEAM, Roster

DEMO_ORDER = 2
# Method read from forecast.forecast_accuracy, first available: the simplest method exists everywhere.
ACCURACY_METHODS = ("weighted_pipeline", "stage_conversion", "category_commit", "deal_model", "monte_carlo",
                    "category_best_case")


def deal_teams(deals: pd.DataFrame, roster: Roster) -> pd.Series:
    """Team of each deal: the owner's roster team, else the deal's own team column; NaN when unassigned."""
    people_team = roster.people.set_index("person_id")["team"]
    team = deals["owner_rep_id"].astype(object).map(people_team)
    if "team" in deals:
        team = team.where(team.notna(), deals["team"].astype(object))
    return team.where(team != UNASSIGNED_TEAM)


def closed_deals(deals: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """Deals closed won or lost by the as-of date, with a created date on or before the close date:
    team, day (close date), success (won)."""
    for column in ("owner_rep_id", "status", "created_date", "closed_date"):
        if column not in deals:
            raise ValueError(f"marts.fct_deals: missing column {column!r}; rebuild the marts with `dbt build`")
    closed = deals[deals["status"].isin(["won", "lost"]) & deals["closed_date"].notna()
                   & deals["created_date"].notna()]
    day = days_of(closed["closed_date"])
    created = days_of(closed["created_date"])
    frame = pd.DataFrame(
        {
            "team": deal_teams(closed, roster).to_numpy(dtype=object),
            "day": day,
            "success": (closed["status"] == "won").to_numpy(),
        }
    )
    keep = (created <= day) & (day <= roster.as_of_day) & frame["team"].notna().to_numpy()
    return frame[keep].reset_index(drop=True)


def demo_reached(stage_events: pd.DataFrame, deals: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """Deals that reached demo (first entry into any stage at or after demo, closed_lost excluded):
    team, day (reached demo), success (reached a later stage by the as-of date)."""
    for column in ("deal_id", "stage_order", "entered_at"):
        if column not in stage_events:
            raise ValueError(
                f"marts.fct_deal_stage_events: missing column {column!r}; rebuild the marts with `dbt build`"
            )
    events = stage_events[stage_events["entered_at"].notna()].copy()
    events["day"] = days_of(pd.to_datetime(events["entered_at"]).dt.floor("D"))
    events = events[events["day"] <= roster.as_of_day]
    order = pd.to_numeric(events["stage_order"], errors="coerce")
    reached = events[order >= DEMO_ORDER].groupby("deal_id")["day"].min()
    furthest = events.assign(order=order).groupby("deal_id")["order"].max()
    team = pd.Series(deal_teams(deals, roster).to_numpy(dtype=object), index=deals["deal_id"].to_numpy())
    team = team[~team.index.duplicated()]
    frame = pd.DataFrame(
        {
            "team": reached.index.map(team).to_numpy(dtype=object),
            "day": reached.to_numpy(dtype=np.int64),
            "success": (furthest.loc[reached.index] > DEMO_ORDER).to_numpy(),
        }
    )
    return frame[frame["team"].notna()].reset_index(drop=True)


def team_forecast_accuracy(accuracy: pd.DataFrame) -> pd.DataFrame:
    """Team forecast accuracy at the period start: team, day (period start), accuracy.

    Monthly periods are used when the table has them (more points per window), else quarters; one
    method for every team (ACCURACY_METHODS order) so teams are compared like for like.
    """
    for column in ("grain", "period_start", "scope_type", "scope_id", "method", "accuracy"):
        if column not in accuracy:
            raise ValueError(f"forecast.forecast_accuracy: missing column {column!r}; rerun the forecast build")
    rows = accuracy[accuracy["scope_type"] == "team"]
    if "snapshot_label" in rows and (rows["snapshot_label"] == "period_start").any():
        rows = rows[rows["snapshot_label"] == "period_start"]
    if rows.empty:
        return pd.DataFrame({"team": pd.Series(dtype=object), "day": pd.Series(dtype=np.int64),
                             "accuracy": pd.Series(dtype=float)})
    grain = "month" if (rows["grain"] == "month").any() else rows["grain"].iloc[0]
    rows = rows[rows["grain"] == grain]
    available = [m for m in ACCURACY_METHODS if (rows["method"] == m).any()]
    method = available[0] if available else sorted(rows["method"].dropna().unique())[0]
    rows = rows[rows["method"] == method]
    frame = pd.DataFrame(
        {
            "team": rows["scope_id"].astype(object).to_numpy(),
            "day": days_of(rows["period_start"]),
            "accuracy": pd.to_numeric(rows["accuracy"], errors="coerce").to_numpy(),
        }
    )
    # One value per team and period even if several snapshots share the label.
    return frame.groupby(["team", "day"], as_index=False)["accuracy"].mean()
