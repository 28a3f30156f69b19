"""Deal features at a snapshot: only what was known at the start of the snapshot day.

A row is one open deal on one snapshot day t (a `fct_pipeline_daily` row). Activities, changes and the
owner's closed deals are counted strictly before t, so a row built for training (t before the as-of
day) and a row built for scoring (t = the as-of day) see the same kind of information.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.forecast.asof import AsOfView

SEGMENTS = ("smb", "mid_market", "enterprise")
FEATURES = [
    "stage_order", "crm_probability", "log_amount", "age_days", "days_in_stage", "days_to_close",
    "activities_total", "activities_30d", "days_since_activity", "close_date_pushes", "amount_cuts",
    "owner_win_rate",
] + [f"segment_{s}" for s in SEGMENTS]

_SPAN = np.int64(1) << 22  # days per key block (about 11 000 years)
_OFFSET = np.int64(1) << 21
_OWNER_PRIOR_WEIGHT = 5.0  # pseudo-deals pulling a new owner's win rate towards the company rate
_RECENCY_CAP = 365.0


def _keys(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    return np.asarray(codes.astype(np.int64) * _SPAN + (np.floor(days).astype(np.int64) + _OFFSET))


class DatedIndex:
    """Sorted (entity, day) events answering "how many before day t" for many queries at once."""

    def __init__(self, codes: np.ndarray, days: np.ndarray, weights: np.ndarray | None = None) -> None:
        keep = ~np.isnan(days) & (codes >= 0)
        keys = _keys(codes[keep], days[keep])
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        w = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype="float64")[keep][order]
        self.cum = np.concatenate([[0.0], np.cumsum(w)])

    def _pos(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.keys, _keys(codes, days), side="left")

    def count_before(self, codes: np.ndarray, days: np.ndarray, since: np.ndarray | None = None) -> np.ndarray:
        """Number of events of each code dated before `days` (and on or after `since`)."""
        end = self._pos(codes, days)
        start = self._pos(codes, np.full(len(codes), -float(_OFFSET)) if since is None else since)
        return np.asarray((end - start).astype("float64"))

    def weight_before(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Sum of the event weights of each code dated before `days`."""
        end = self._pos(codes, days)
        start = self._pos(codes, np.full(len(codes), -float(_OFFSET)))
        return np.asarray(self.cum[end] - self.cum[start])

    def last_before(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Day of the latest event of each code before `days` (NaN when none)."""
        end = self._pos(codes, days)
        start = self._pos(codes, np.full(len(codes), -float(_OFFSET)))
        out = np.full(len(codes), np.nan)
        has = end > start
        if len(self.keys):
            prev = self.keys[np.maximum(end - 1, 0)]
            out[has] = (prev[has] - codes[has].astype(np.int64) * _SPAN - _OFFSET).astype("float64")
        return out


def codes_of(values: pd.Series, vocabulary: pd.Index) -> np.ndarray:
    """Integer code of each value in the vocabulary (-1 when absent)."""
    return np.asarray(vocabulary.get_indexer(values.astype(object)).astype(np.int64))


def _date_days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values.astype(object), errors="coerce", utc=True)
    days = (stamps - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(days=1)
    return np.asarray(np.floor(days.to_numpy(dtype="float64", na_value=np.nan)))


def change_flags(changes: pd.DataFrame) -> pd.DataFrame:
    """Close-date pushes (moved later) and amount cuts (lowered) among recorded changes."""
    ecd = changes[changes["field"] == "expected_close_date"]
    old, new = _date_days(ecd["old_value"]), _date_days(ecd["new_value"])
    pushes = ecd.loc[new > old, ["deal_id", "day"]]
    amt = changes[changes["field"] == "amount"]
    a_old = pd.to_numeric(amt["old_value"], errors="coerce").to_numpy(dtype="float64")
    a_new = pd.to_numeric(amt["new_value"], errors="coerce").to_numpy(dtype="float64")
    cuts = amt.loc[a_new < a_old, ["deal_id", "day"]]
    return pd.concat([pushes.assign(kind="push"), cuts.assign(kind="cut")], ignore_index=True)


def company_win_rate(view: AsOfView) -> float:
    """Share of deals closed before the as-of day that were won (0.25 when nothing closed yet)."""
    closed = view.closed
    return float((closed["status"] == "won").mean()) if len(closed) else 0.25


def deal_features(rows: pd.DataFrame, view: AsOfView) -> pd.DataFrame:
    """Feature frame (columns FEATURES, same index as rows) for snapshot rows dated on or before the
    view's day; every count uses events strictly before the row's own day."""
    if len(rows) and float(rows["day"].max()) > view.day:
        raise ValueError(
            f"deal_features got snapshot rows dated after the as-of day {view.as_of}; rows must come from "
            "the view's snapshots"
        )
    t = rows["day"].to_numpy(dtype="float64")
    deal_vocab = pd.Index(pd.unique(pd.concat([rows["deal_id"], view.activities["deal_id"],
                                               view.changes["deal_id"]]).dropna().astype(object)))
    q_codes = codes_of(rows["deal_id"], deal_vocab)

    acts = DatedIndex(codes_of(view.activities["deal_id"], deal_vocab),
                       view.activities["day"].to_numpy(dtype="float64"))
    flags = change_flags(view.changes)
    pushes = flags[flags["kind"] == "push"]
    cuts = flags[flags["kind"] == "cut"]
    push_idx = DatedIndex(codes_of(pushes["deal_id"], deal_vocab), pushes["day"].to_numpy(dtype="float64"))
    cut_idx = DatedIndex(codes_of(cuts["deal_id"], deal_vocab), cuts["day"].to_numpy(dtype="float64"))

    closed = view.closed
    owner_vocab = pd.Index(pd.unique(pd.concat([rows["owner_rep_id"], closed["owner_rep_id"]])
                                     .dropna().astype(object)))
    won = (closed["status"] == "won").to_numpy(dtype="float64")
    owner_closed = DatedIndex(codes_of(closed["owner_rep_id"], owner_vocab),
                               closed["closed_day"].to_numpy(dtype="float64"), weights=won)
    o_codes = codes_of(rows["owner_rep_id"], owner_vocab)
    n_closed = owner_closed.count_before(o_codes, t)
    n_won = owner_closed.weight_before(o_codes, t)
    prior = company_win_rate(view)

    created = rows["created_day"].to_numpy(dtype="float64")
    age = t - created
    last_act = acts.last_before(q_codes, t)
    since_act = np.where(np.isnan(last_act), age, t - last_act)
    days_in_stage = rows["days_in_stage"].to_numpy(dtype="float64")
    days_in_stage = np.where(np.isnan(days_in_stage), age, days_in_stage)
    amount = rows["amount_corporate"].to_numpy(dtype="float64")
    segment = rows["segment"].astype(object).to_numpy()

    out = pd.DataFrame(index=rows.index)
    out["stage_order"] = rows["stage_order"].to_numpy(dtype="float64")
    out["crm_probability"] = rows["probability"].to_numpy(dtype="float64")
    out["log_amount"] = np.log1p(np.clip(amount, 0, None))
    out["age_days"] = age
    out["days_in_stage"] = days_in_stage
    out["days_to_close"] = rows["ecd_day"].to_numpy(dtype="float64") - t
    out["activities_total"] = acts.count_before(q_codes, t)
    out["activities_30d"] = acts.count_before(q_codes, t, since=t - 30)
    out["days_since_activity"] = np.clip(since_act, 0, _RECENCY_CAP)
    out["close_date_pushes"] = push_idx.count_before(q_codes, t)
    out["amount_cuts"] = cut_idx.count_before(q_codes, t)
    out["owner_win_rate"] = (n_won + _OWNER_PRIOR_WEIGHT * prior) / (n_closed + _OWNER_PRIOR_WEIGHT)
    out["owner_closed_deals"] = n_closed
    for s in SEGMENTS:
        out[f"segment_{s}"] = (segment == s).astype("float64")
    return out
