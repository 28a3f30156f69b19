"""Quota attainment distribution and selling activity per scope and month.

A rep's attainment in a month is the amount they won (deals closed won in the month) over their revenue
quota prorated by days to the month (docs/kpis.md, "Quotas"). It is counted for reps with a positive
quota in the month who were employed at some point of it. Per scope: the median, the share of reps at
or above 100%, and the share of ramping AEs at or above 70% of their (ramped) quota. An AE is ramping
from hire until the month in which they reach ramp, and at most for their first RAMPING_MONTHS months:
a rep who has not ramped after a year is no longer "new".

Activities per rep: calls, meetings, e-mails and proposals sent in the month over the scope's average
headcount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.team_health.periods import MonthGrid, add_months, month_of_day, month_start_day
from revops.team_health.roster import Roster

RAMPING_MONTHS = 12
FULL_ATTAINMENT = 1.0
RAMPING_BAR = 0.7


def prorated_monthly_quota(revenue_quotas: pd.DataFrame) -> pd.DataFrame:
    """Quota of each person and month number: quota × overlapping days / days of the quota period."""
    if revenue_quotas.empty:
        return pd.DataFrame(columns=["person_id", "month", "quota"])
    start = revenue_quotas["start"].to_numpy()
    end = revenue_quotas["end"].to_numpy()
    first = month_of_day(start)
    counts = month_of_day(end - 1) - first + 1
    rows = np.repeat(np.arange(len(start)), counts)
    month = first[rows] + (np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts))
    overlap = np.minimum(end[rows], month_start_day(month + 1)) - np.maximum(start[rows], month_start_day(month))
    share = overlap / (end[rows] - start[rows])
    frame = pd.DataFrame(
        {
            "person_id": revenue_quotas["person_id"].to_numpy()[rows],
            "month": month,
            "quota": revenue_quotas["amount"].to_numpy()[rows] * share,
        }
    )
    return frame.groupby(["person_id", "month"], as_index=False)["quota"].sum()


def rep_month_attainment(roster: Roster, won: pd.DataFrame, revenue_quotas: pd.DataFrame,
                         ramp_day: pd.Series) -> pd.DataFrame:
    """person_id, month, quota, won, attainment, is_ramping for employed reps with a positive quota."""
    quota = prorated_monthly_quota(revenue_quotas)
    quota = quota[(quota["quota"] > 0) & (quota["month"] <= month_of_day(roster.as_of_day))]
    if quota.empty:
        return pd.DataFrame(columns=["person_id", "month", "quota", "won", "attainment", "is_ramping"])
    won_month = (
        won.assign(month=month_of_day(won["day"].to_numpy()))
        .groupby(["person_id", "month"], as_index=False)["amount"].sum()
        .rename(columns={"amount": "won"})
    )
    frame = quota.merge(won_month, on=["person_id", "month"], how="left")
    frame["won"] = frame["won"].fillna(0.0)
    frame["attainment"] = frame["won"] / frame["quota"]

    month_start = month_start_day(frame["month"].to_numpy())
    month_end = month_start_day(frame["month"].to_numpy() + 1)
    spells = frame[["person_id"]].assign(row=np.arange(len(frame)), m0=month_start, m1=month_end).merge(
        roster.spells[["person_id", "start", "end"]], on="person_id"
    )
    employed = spells[(spells["start"] < spells["m1"]) & (spells["end"] > spells["m0"])]["row"].unique()
    people = roster.people.set_index("person_id")
    hire = frame["person_id"].map(people["hire_day"]).to_numpy(dtype=np.int64)
    is_ae = (frame["person_id"].map(people["role"]) == "ae").to_numpy()
    reached = frame["person_id"].map(ramp_day).to_numpy(dtype=float)
    frame["is_ramping"] = (
        is_ae
        & (month_end > hire)
        & (month_start < add_months(hire, RAMPING_MONTHS))
        & (np.isnan(reached) | (reached >= month_start))
    )
    return frame.iloc[np.sort(employed)].reset_index(drop=True)


def attainment_monthly(roster: Roster, rep_months: pd.DataFrame) -> pd.DataFrame:
    """Per scope position and month: attainment_median, attainment_share_100, ramping_share_70."""
    columns = ["scope_pos", "month", "attainment_median", "attainment_share_100", "ramping_share_70"]
    if rep_months.empty:
        return pd.DataFrame(columns=columns)
    items, scopes = roster.scope_pairs(rep_months["person_id"])
    rows = rep_months.iloc[items].reset_index(drop=True)
    rows["scope_pos"] = scopes
    rows["at_100"] = (rows["attainment"] >= FULL_ATTAINMENT).astype(float)
    rows["ramping_70"] = (rows["attainment"] >= RAMPING_BAR).astype(float).where(rows["is_ramping"])
    return (
        rows.groupby(["scope_pos", "month"], as_index=False)
        .agg(attainment_median=("attainment", "median"), attainment_share_100=("at_100", "mean"),
             ramping_share_70=("ramping_70", "mean"))
    )[columns]


def activities_monthly(roster: Roster, activities: pd.DataFrame, grid: MonthGrid) -> pd.DataFrame:
    """Per scope position and month: selling_activities (calls, meetings, e-mails, proposals sent)."""
    counts = np.zeros((len(roster.scopes), len(grid)))
    if len(activities):
        pos = grid.position(activities["day"].to_numpy())
        items, scopes = roster.scope_pairs(activities["person_id"])
        inside = (pos[items] >= 0) & (pos[items] < len(grid))
        np.add.at(counts, (scopes[inside], pos[items][inside]), 1.0)
    scope_idx, month_idx = np.indices(counts.shape).reshape(2, -1)
    return pd.DataFrame(
        {
            "scope_pos": scope_idx,
            "month": grid.months[month_idx],
            "selling_activities": counts[scope_idx, month_idx].astype(np.int64),
        }
    )
