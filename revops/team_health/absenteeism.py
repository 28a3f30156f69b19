"""Absenteeism per scope and month.

Absenteeism = unplanned absence working days / scheduled working days, where scheduled days are the
Monday–Friday days each person was employed, less their planned leave (docs/kpis.md). Absences count
only on working days the person was employed; a day covered by both a planned and an unplanned absence
is planned leave (it was never scheduled). Absences run from start_date to end_date inclusive; an
absence without an end date is still running on the as-of date. An absence whose planned flag is
missing counts as unplanned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.team_health.headcount import scope_matrix
from revops.team_health.periods import NO_DAY, MonthGrid, days_of, is_weekday, weekdays_between
from revops.team_health.roster import Roster

ABSENCE_COLUMNS = ("employee_id", "rep_id", "start_date", "end_date", "is_planned")


def _planned_flag(values: pd.Series) -> np.ndarray:
    text = values.astype(object).map(lambda v: str(v).strip().lower() if v is not None and v == v else "")
    flags: np.ndarray = text.isin(["true", "1", "yes", "t", "1.0"]).to_numpy()
    return flags


def absence_days(absences: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """One row per person and working day absent while employed: person_id, day, is_planned."""
    missing = [c for c in ABSENCE_COLUMNS if c not in absences.columns]
    if missing:
        raise ValueError(f"marts.fct_absences: missing columns {missing}; rebuild the marts with `dbt build`")
    empty = pd.DataFrame({"person_id": pd.Series(dtype=object), "day": pd.Series(dtype=np.int64),
                          "is_planned": pd.Series(dtype=bool)})
    if absences.empty:
        return empty
    known = set(roster.people["person_id"])
    by_employee = (
        roster.spells.dropna(subset=["employee_id"]).drop_duplicates("employee_id")
        .set_index("employee_id")["person_id"]
    )
    rep = absences["rep_id"].astype(object)
    person = rep.where(rep.isin(known), absences["employee_id"].astype(object).map(by_employee))
    start = days_of(absences["start_date"])
    end = days_of(absences["end_date"], open_value=roster.as_of_day)
    end = np.minimum(end, roster.as_of_day)
    usable = person.notna().to_numpy() & (start != NO_DAY) & (end >= start)
    if not usable.any():
        return empty
    start, end = start[usable], end[usable]
    lengths = end - start + 1
    row = np.repeat(np.arange(len(start)), lengths)
    day = start[row] + (np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    days = pd.DataFrame(
        {
            "person_id": person.to_numpy(dtype=object)[usable][row],
            "day": day,
            "is_planned": _planned_flag(absences["is_planned"])[usable][row],
        }
    )
    days = days[is_weekday(days["day"].to_numpy())]
    # Keep only days inside one of the person's employment spells.
    spells = roster.spells[["person_id", "start", "end"]]
    joined = days.reset_index(drop=True).reset_index().merge(spells, on="person_id")
    employed = joined[(joined["start"] <= joined["day"]) & (joined["day"] < joined["end"])]
    days = days.reset_index(drop=True).loc[employed["index"].unique()]
    return days.groupby(["person_id", "day"], as_index=False)["is_planned"].max()


def absenteeism_monthly(absences: pd.DataFrame, roster: Roster, grid: MonthGrid) -> pd.DataFrame:
    """Per scope position and month number: unplanned_absence_days, planned_leave_days, scheduled_days,
    absenteeism_rate (NULL when nobody was scheduled)."""
    size = len(grid)
    spells = roster.spells
    matrix = scope_matrix(roster, spells["person_id"])
    month_start = grid.boundaries[:-1]
    month_end = np.minimum(grid.boundaries[1:], roster.as_of_day + 1)
    first = np.maximum(spells["start"].to_numpy()[:, None], month_start[None, :])
    last = np.minimum(spells["end"].to_numpy()[:, None], month_end[None, :])
    employed_days = matrix @ weekdays_between(first, last).astype(np.float64)

    days = absence_days(absences, roster)
    planned = np.zeros((len(roster.scopes), size))
    unplanned = np.zeros((len(roster.scopes), size))
    if len(days):
        pos = grid.position(days["day"].to_numpy())
        items, scopes = roster.scope_pairs(days["person_id"])
        inside = (pos[items] >= 0) & (pos[items] < size)
        items, scopes = items[inside], scopes[inside]
        flag = days["is_planned"].to_numpy()[items]
        np.add.at(planned, (scopes[flag], pos[items][flag]), 1.0)
        np.add.at(unplanned, (scopes[~flag], pos[items][~flag]), 1.0)

    scheduled = employed_days - planned
    scope_idx, month_idx = np.indices((len(roster.scopes), size)).reshape(2, -1)
    frame = pd.DataFrame(
        {
            "scope_pos": scope_idx,
            "month": grid.months[month_idx],
            "unplanned_absence_days": unplanned[scope_idx, month_idx].astype(np.int64),
            "planned_leave_days": planned[scope_idx, month_idx].astype(np.int64),
            "scheduled_days": scheduled[scope_idx, month_idx].astype(np.int64),
        }
    )
    sched = frame["scheduled_days"]
    frame["absenteeism_rate"] = frame["unplanned_absence_days"] / sched.where(sched > 0)
    return frame
