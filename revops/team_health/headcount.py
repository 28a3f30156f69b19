"""Headcount, hires, exits, rolling 12-month voluntary turnover and rep retention per scope and month.

Definitions (docs/kpis.md, "Team health"): a person is in the headcount on a date when hired on or before
it and not yet exited (exit date after the date). Turnover at month m is the voluntary exits of the 12
months ending with m over the mean of the headcounts at the start and at the end of those 12 months;
below `small_team_threshold` people only the count is given. Rep retention over the same window is the
share of reps (AEs and SDRs) present at its start whose same employment spell still runs at its end: a
rep who left and came back inside the window was not retained.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.team_health.periods import OPEN_DAY, MonthGrid, month_of_day
from revops.team_health.roster import REP_ROLES, Roster

WINDOW_MONTHS = 12


def scope_matrix(roster: Roster, person_ids: pd.Series | np.ndarray) -> np.ndarray:
    """Indicator matrix scopes × items: 1 where the item's person counts in the scope."""
    items, scopes = roster.scope_pairs(person_ids)
    matrix = np.zeros((len(roster.scopes), len(person_ids)), dtype=np.float64)
    matrix[scopes, items] = 1.0
    return matrix


def month_grid_for(roster: Roster) -> MonthGrid:
    """Months from a year before the first hire (so every 12-month window fits) to the as-of month."""
    earliest = roster.spells["start"].min() if len(roster.spells) else roster.as_of_day
    first = int(month_of_day(earliest))
    return MonthGrid(first - WINDOW_MONTHS, int(month_of_day(roster.as_of_day)))


def scope_first_month(roster: Roster, grid: MonthGrid) -> np.ndarray:
    """Position of the first month in which each scope had a member (len(grid) when never)."""
    first = np.full(len(roster.scopes), len(grid), dtype=np.int64)
    items, scopes = roster.scope_pairs(roster.spells["person_id"])
    starts = grid.position(roster.spells["start"].to_numpy())
    np.minimum.at(first, scopes, starts[items])
    return first


def _monthly_events(matrix: np.ndarray, month_pos: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """scopes × months counts of the items selected by mask, placed in their month."""
    onehot = np.zeros((len(month_pos), size), dtype=np.float64)
    inside = mask & (month_pos >= 0) & (month_pos < size)
    onehot[np.nonzero(inside)[0], month_pos[inside]] = 1.0
    return matrix @ onehot


def headcount_monthly(roster: Roster, grid: MonthGrid, *, small_team_threshold: int) -> pd.DataFrame:
    """Headcount, movements, 12-month turnover and rep retention per scope position and month number."""
    spells = roster.spells
    size = len(grid)
    matrix = scope_matrix(roster, spells["person_id"])
    start = spells["start"].to_numpy()
    end = spells["end"].to_numpy()
    bounds = grid.boundaries
    covers = ((start[:, None] <= bounds[None, :]) & (bounds[None, :] < end[:, None])).astype(np.float64)
    headcount = matrix @ covers  # scopes × (months + 1)

    exited = end != OPEN_DAY
    exit_type = spells["exit_type"].to_numpy(dtype=object)
    hires = _monthly_events(matrix, grid.position(start), np.ones(len(spells), dtype=bool), size)
    exit_pos = grid.position(np.where(exited, end, start))
    voluntary = _monthly_events(matrix, exit_pos, exited & (exit_type == "voluntary"), size)
    involuntary = _monthly_events(matrix, exit_pos, exited & (exit_type == "involuntary"), size)

    cumulative = np.concatenate([np.zeros((len(matrix), 1)), np.cumsum(voluntary, axis=1)], axis=1)
    pos = np.arange(size)
    window_first = np.maximum(pos - (WINDOW_MONTHS - 1), 0)
    voluntary_12m = cumulative[:, pos + 1] - cumulative[:, window_first]
    base_12m = (headcount[:, window_first] + headcount[:, pos + 1]) / 2.0

    is_rep = spells["role"].isin(REP_ROLES).to_numpy()
    rep_covers = covers * is_rep[:, None]
    reps_start = matrix @ rep_covers[:, window_first]
    reps_retained = matrix @ (rep_covers[:, window_first] * rep_covers[:, pos + 1])

    first = scope_first_month(roster, grid)
    scope_idx, month_idx = np.nonzero(pos[None, :] >= first[:, None])
    frame = pd.DataFrame(
        {
            "scope_pos": scope_idx,
            "month": grid.months[month_idx],
            "headcount_start": headcount[scope_idx, month_idx].astype(np.int64),
            "headcount_end": headcount[scope_idx, month_idx + 1].astype(np.int64),
            "hires": hires[scope_idx, month_idx].astype(np.int64),
            "voluntary_exits": voluntary[scope_idx, month_idx].astype(np.int64),
            "involuntary_exits": involuntary[scope_idx, month_idx].astype(np.int64),
            "voluntary_exits_12m": voluntary_12m[scope_idx, month_idx].astype(np.int64),
            "turnover_base_12m": base_12m[scope_idx, month_idx],
            "reps_start_12m": reps_start[scope_idx, month_idx].astype(np.int64),
            "reps_retained_12m": reps_retained[scope_idx, month_idx].astype(np.int64),
        }
    )
    frame["headcount_avg"] = (frame["headcount_start"] + frame["headcount_end"]) / 2.0
    base = frame["turnover_base_12m"]
    rate = frame["voluntary_exits_12m"] / base.where(base > 0)
    # Small groups get the count only: a rate on five people swings by 20 points per exit.
    frame["voluntary_turnover_12m"] = rate.where(base >= small_team_threshold)
    starting = frame["reps_start_12m"]
    frame["rep_retention_12m"] = frame["reps_retained_12m"] / starting.where(starting > 0)
    return frame
