"""Deals, activities and quotas reduced to dated events of roster people, and fast window sums over them.

Only people in the HR roster take part in team health; CRM owners who are not in the roster are left
out. Events dated after the as-of date are ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.team_health.periods import days_of
from revops.team_health.roster import Roster

SELLING_ACTIVITIES = ("call", "meeting", "email", "proposal_sent")
# A quota whose period is 89–92 days long is a quarter; other periods are scaled to a quarter's length.
QUARTER_DAYS = 365.25 / 4
_KEY_STRIDE = np.int64(4_000_000)
_DAY_OFFSET = np.int64(1_000_000)


def _require(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table}: missing columns {missing}; rebuild the marts with `dbt build`")


def won_deals(deals: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """Won deals of roster people: person_id, day (close date), amount (corporate currency)."""
    _require(deals, "marts.fct_deals", ("owner_rep_id", "status", "closed_date", "amount_corporate"))
    won = deals[(deals["status"] == "won") & deals["closed_date"].notna()]
    person = roster.person_of_rep(won["owner_rep_id"].astype(object))
    frame = pd.DataFrame(
        {
            "person_id": person.to_numpy(dtype=object),
            "day": days_of(won["closed_date"]),
            "amount": pd.to_numeric(won["amount_corporate"], errors="coerce").fillna(0.0).to_numpy(),
        }
    )
    return frame[frame["person_id"].notna() & (frame["day"] <= roster.as_of_day)].reset_index(drop=True)


def activity_events(activities: pd.DataFrame, roster: Roster, types: tuple[str, ...]) -> pd.DataFrame:
    """Activities of the given types by roster people: person_id, day, activity_type."""
    _require(activities, "marts.fct_activities", ("rep_id", "activity_type", "activity_date"))
    kept = activities[activities["activity_type"].isin(types) & activities["activity_date"].notna()]
    person = roster.person_of_rep(kept["rep_id"].astype(object))
    frame = pd.DataFrame(
        {
            "person_id": person.to_numpy(dtype=object),
            "day": days_of(kept["activity_date"]),
            "activity_type": kept["activity_type"].to_numpy(dtype=object),
        }
    )
    return frame[frame["person_id"].notna() & (frame["day"] <= roster.as_of_day)].reset_index(drop=True)


def quota_periods(quotas: pd.DataFrame, roster: Roster, quota_type: str) -> pd.DataFrame:
    """Quotas of one type for roster people: person_id, start, end (exclusive day), amount.

    period_end is read as the last day of the period unless it falls on the first of a month, in which
    case it is already the first day of the next period (both conventions occur in quota files).
    """
    _require(quotas, "marts.fct_quotas", ("rep_id", "email", "period_start", "period_end", "quota_type",
                                          "quota_amount"))
    kept = quotas[(quotas["quota_type"] == quota_type) & quotas["quota_amount"].notna()]
    by_email = roster.people.dropna(subset=["email"]).drop_duplicates("email").set_index("email")["person_id"]
    person = roster.person_of_rep(kept["rep_id"].astype(object))
    email = kept["email"].astype(object).map(lambda v: v.strip().lower() if isinstance(v, str) else v)
    person = person.where(person.notna(), email.map(by_email))
    start = days_of(kept["period_start"])
    end_raw = pd.to_datetime(kept["period_end"])
    end = days_of(kept["period_end"])
    end = np.where(end_raw.dt.day.to_numpy() == 1, end, end + 1)
    frame = pd.DataFrame(
        {
            "person_id": person.to_numpy(dtype=object),
            "start": start,
            "end": end,
            "amount": kept["quota_amount"].astype(float).to_numpy(),
        }
    )
    bad = frame["end"] <= frame["start"]
    if bad.any():
        raise ValueError(
            f"marts.fct_quotas: quota of {frame.loc[bad, 'person_id'].iloc[0]!r} ends before it starts; "
            "correct period_start / period_end in quotas.csv"
        )
    return frame[frame["person_id"].notna()].reset_index(drop=True)


def full_quarterly_quota(revenue_quotas: pd.DataFrame) -> pd.Series:
    """Largest revenue quota each person was given, as a quarterly amount (index person_id)."""
    if revenue_quotas.empty:
        return pd.Series(dtype=float)
    length = (revenue_quotas["end"] - revenue_quotas["start"]).astype(float)
    quarterly = revenue_quotas["amount"].where(
        length.between(89, 92), revenue_quotas["amount"] * QUARTER_DAYS / length
    )
    return quarterly.groupby(revenue_quotas["person_id"]).max()


def _positions(person_ids: np.ndarray, index: dict[object, int]) -> np.ndarray:
    keys = pd.Index(list(index), dtype=object)
    positions: np.ndarray = keys.get_indexer(pd.Index(np.asarray(person_ids, dtype=object), dtype=object))
    return positions.astype(np.int64)


class WindowSums:
    """Sums of event values per person over day ranges, answered with binary search.

    Events are sorted by (person, day); a query [start, end) for a person is the difference of two
    cumulative sums, so millions of windows cost no more than sorting the events once.
    """

    def __init__(self, person_ids: np.ndarray, days: np.ndarray, values: np.ndarray,
                 index: dict[object, int]) -> None:
        self.index = index
        person_idx = _positions(person_ids, index)
        keep = person_idx >= 0
        keys = person_idx[keep] * _KEY_STRIDE + (np.asarray(days, dtype=np.int64)[keep] + _DAY_OFFSET)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.cumulative = np.concatenate([[0.0], np.cumsum(np.asarray(values, dtype=float)[keep][order])])

    def between(self, person_ids: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Sum of values of each person's events with start <= day < end."""
        person_idx = _positions(person_ids, self.index)
        base = person_idx * _KEY_STRIDE + _DAY_OFFSET
        lo = np.searchsorted(self.keys, base + np.asarray(start, dtype=np.int64), side="left")
        hi = np.searchsorted(self.keys, base + np.maximum(np.asarray(start), np.asarray(end)), side="left")
        sums = self.cumulative[hi] - self.cumulative[lo]
        return np.where(person_idx >= 0, sums, 0.0)


def person_index(roster: Roster) -> dict[object, int]:
    """Stable integer index of roster people, used to key window sums."""
    return {p: i for i, p in enumerate(roster.people["person_id"])}
