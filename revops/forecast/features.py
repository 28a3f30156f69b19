"""Deal features at a snapshot: only what was known at the start of the snapshot day.

A row is one open deal on one snapshot day t (a `fct_pipeline_daily` row). Activities, changes and the
owner's closed deals are counted strictly before t, so a row built for training (t before the as-of
day) and a row built for scoring (t = the as-of day) see the same kind of information.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.forecast.asof import AsOfView
from revops.forecast.events import DatedIndex, DealEvents, codes_of

SEGMENTS = ("smb", "mid_market", "enterprise")
FEATURES = [
    "stage_order", "crm_probability", "log_amount", "age_days", "days_in_stage", "days_to_close",
    "activities_total", "activities_30d", "days_since_activity", "close_date_pushes", "amount_cuts",
    "owner_win_rate",
] + [f"segment_{s}" for s in SEGMENTS]

_OWNER_PRIOR_WEIGHT = 5.0  # pseudo-deals pulling a new owner's win rate towards the company rate
_RECENCY_CAP = 365.0


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
    # The view's shared index of every deal's events (see `revops.forecast.events`), or one of its own.
    events = view.events if view.events is not None else DealEvents.of(view.activities, view.changes)
    q_codes = events.codes(rows["deal_id"])
    acts, push_idx, cut_idx = events.activities, events.pushes, events.cuts

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
