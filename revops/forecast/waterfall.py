"""Pipeline waterfall of a period: how the pipeline expected to close in the period moved between the
period start and its end (or the as-of day for the current period).

The pipeline of period P at a snapshot is the open deals whose expected close date, as known then, lies
in P (deals whose date already passed but is still in P stay in it until they are moved or closed).
Every deal that touches P's pipeline in the window, or is won in it, gets one way in, one way out and
the net amount change in between, so

    start + created + pulled_in + increased - decreased - pushed_out - lost - won = end

holds exactly (amounts are rounded to cents per deal before summing). Per deal:

- in: `start` if in P's pipeline at the window start; else `created` when the deal was created inside
  the window; else `pulled_in` (its close date moved into P, or a deal from another period's pipeline
  was won inside P). The amount is the one at the window start, or at its first day in P's pipeline.
- out: `end` if in P's pipeline at the window end; else `won` if won inside the window (at the won
  amount, so `won` is the period's revenue for a complete period); else `lost` if lost inside the
  window while its close date was still in P; else `pushed_out` (still open with a date outside P, lost
  after its date had already left P, or no longer in the snapshots) at its last amount in P.
- `increased` / `decreased`: the out amount minus the in amount, by sign (amount edits, and exchange
  rate moves between the snapshot rate and the close-date rate).

A deal created and won inside the period counts as created then won; one created and lost inside the
period while dated in P counts as created then lost; a deal lost inside the window that was never in P's
pipeline does not appear. Attribution to scopes uses the deal's state at its way out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from revops.forecast.asof import as_of_view
from revops.forecast.marts import Marts, day_number
from revops.forecast.methods import Period
from revops.forecast.scopes import ScopeResolver

TERMS = ("start_amount", "created", "pulled_in", "increased", "decreased", "pushed_out", "lost", "won",
         "end_amount")


def _cents(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(np.round(np.nan_to_num(np.asarray(values, dtype="float64")) * 100).astype(np.int64))


def deal_movements(marts: Marts, period: Period, window_end: date) -> pd.DataFrame:
    """One row per deal touching the period's pipeline in [period start, window_end): entry and exit
    kinds and amounts in cents, plus owner, segment and source for scope attribution."""
    s, e, t1 = period.start_day, period.end_day, day_number(window_end)
    at_start = as_of_view(marts, period.start)
    at_end = as_of_view(marts, window_end)
    cols = ["deal_id", "day", "amount_corporate", "ecd_day", "created_day", "owner_rep_id", "segment", "source"]
    p0 = at_start.open_deals[cols].assign(day=float(s))
    middle = at_end.snapshots[(at_end.snapshots["day"] > s) & (at_end.snapshots["day"] < t1)][cols]
    states = pd.concat([p0, middle], ignore_index=True).sort_values(["deal_id", "day"], kind="stable")
    states["in_p"] = (states["ecd_day"] >= s) & (states["ecd_day"] < e)
    in_p = states[states["in_p"]]
    first_in = in_p.drop_duplicates("deal_id", keep="first").set_index("deal_id")
    last_in = in_p.drop_duplicates("deal_id", keep="last").set_index("deal_id")
    last_any = states.drop_duplicates("deal_id", keep="last").set_index("deal_id")

    p0_in = p0[(p0["ecd_day"] >= s) & (p0["ecd_day"] < e)].set_index("deal_id")
    p1 = at_end.open_deals
    p1_in = p1[(p1["ecd_day"] >= s) & (p1["ecd_day"] < e)].set_index("deal_id")
    closed = at_end.closed[(at_end.closed["closed_day"] >= s)].set_index("deal_id")
    won = closed[closed["status"] == "won"]
    lost = closed[closed["status"] == "lost"]

    ids = pd.Index(pd.unique(pd.concat([p0_in.index.to_series(), p1_in.index.to_series(),
                                        in_p["deal_id"], won.index.to_series()]).astype(object)))
    out = pd.DataFrame(index=ids)
    created_day = pd.concat([last_any["created_day"], won["created_day"]])
    created_day = created_day[~created_day.index.duplicated()]
    in_start = ids.isin(p0_in.index)
    created_inside = (ids.map(created_day) >= s) & ~in_start
    first_amount = ids.map(first_in["amount_corporate"])
    entry_amount = np.where(in_start, ids.map(p0_in["amount_corporate"]), first_amount)
    entry_amount = np.where(pd.isna(entry_amount), ids.map(p1_in["amount_corporate"]), entry_amount)
    entry_amount = np.where(pd.isna(entry_amount), ids.map(won["amount_corporate"]), entry_amount)
    out["entry"] = np.where(in_start, "start_amount", np.where(created_inside, "created", "pulled_in"))
    out["entry_cents"] = _cents(pd.to_numeric(pd.Series(entry_amount), errors="coerce"))

    in_end = ids.isin(p1_in.index)
    is_won = ids.isin(won.index) & ~in_end
    last_row_in_p = ids.map(last_any["ecd_day"].between(s, e - 1, inclusive="both")).fillna(False)
    is_lost = ids.isin(lost.index) & ~in_end & np.asarray(last_row_in_p, dtype=bool)
    out["exit"] = np.where(in_end, "end_amount", np.where(is_won, "won", np.where(is_lost, "lost", "pushed_out")))
    exit_amount = np.where(in_end, ids.map(p1_in["amount_corporate"]),
                           np.where(is_won, ids.map(won["amount_corporate"]), ids.map(last_in["amount_corporate"])))
    exit_amount = pd.to_numeric(pd.Series(exit_amount), errors="coerce").to_numpy("float64")
    exit_cents = _cents(exit_amount)
    exit_cents = np.where(np.isnan(exit_amount), out["entry_cents"].to_numpy(), exit_cents)
    out["exit_cents"] = exit_cents

    attrs = pd.concat([p1_in[["owner_rep_id", "segment", "source"]], won[["owner_rep_id", "segment", "source"]],
                       last_any[["owner_rep_id", "segment", "source"]]])
    attrs = attrs[~attrs.index.duplicated()]
    for col in ("owner_rep_id", "segment", "source"):
        out[col] = ids.map(attrs[col])
    return out.rename_axis("deal_id").reset_index()


def waterfall(marts: Marts, resolver: ScopeResolver, period: Period, window_end: date) -> pd.DataFrame:
    """Rows of forecast.pipeline_waterfall for one period, every scope; money in cents columns `*_cents`
    and the same in units."""
    moves = deal_movements(marts, period, window_end)
    rows, idx = resolver.memberships(moves)
    n = len(resolver.scopes)
    delta = moves["exit_cents"].to_numpy() - moves["entry_cents"].to_numpy()
    terms: dict[str, np.ndarray] = {}
    for term in TERMS:
        entry = np.where(moves["entry"].to_numpy() == term, moves["entry_cents"].to_numpy(), 0)
        exit_ = np.where(moves["exit"].to_numpy() == term, moves["exit_cents"].to_numpy(), 0)
        terms[term] = entry + exit_
    terms["increased"] = np.where(delta > 0, delta, 0)
    terms["decreased"] = np.where(delta < 0, -delta, 0)
    frame = pd.DataFrame({
        "grain": period.grain, "period_start": period.start, "window_end": window_end,
        "scope_type": [sc[0] for sc in resolver.scopes], "scope_id": [sc[1] for sc in resolver.scopes],
    })
    for term in TERMS:
        cents = np.zeros(n, dtype=np.int64)
        if len(rows):
            np.add.at(cents, idx, terms[term][rows].astype(np.int64))
        frame[f"{term}_cents"] = cents
        frame[term] = cents / 100.0
    return frame
