"""When deals close, learnt from closed history: stage win rates with time to close per canonical
stage (the stage-conversion method), and the slip between the expected close date a deal showed at a
snapshot and the day it was actually won (the deal-model and Monte Carlo timing).

Both are empirical distributions conditioned on what is already known about an open deal: a deal that
has sat 40 days in proposal only draws from the history of deals that stayed at least that long, and a
deal whose expected close date is already behind it only draws slips at least that late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from revops.forecast.asof import AsOfView

OPEN_STAGES = (1, 2, 3, 4)  # qualification, demo, proposal, negotiation
MIN_CONDITIONAL = 5  # fewer comparable deals than this: fall back to the unconditional distribution
STAGE_PRIOR_WEIGHT = 5.0
LOOKBACK_DAYS = 730


def _window_count(sorted_values: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Number of values v with low <= v < high, per row."""
    return (np.searchsorted(sorted_values, high, side="left")
            - np.searchsorted(sorted_values, low, side="left")).clip(min=0).astype("float64")


@dataclass(frozen=True)
class StageConversion:
    """Win probability and days from stage entry to a win, per canonical open stage."""

    win_rate: dict[int, float]
    deals: dict[int, int]
    days_to_win: dict[int, np.ndarray]
    overall_win_rate: float
    overall_days_to_win: np.ndarray

    @classmethod
    def fit(cls, view: AsOfView, lookback_days: int = LOOKBACK_DAYS) -> StageConversion:
        """Learn from deals closed before the view's day (within the lookback) and their stage entries."""
        closed = view.closed[view.closed["closed_day"] >= view.day - lookback_days]
        events = view.stage_events.merge(closed[["deal_id", "status", "closed_day"]], on="deal_id")
        events = events[events["stage_order"].isin(OPEN_STAGES) & (events["entered_day"] <= events["closed_day"])]
        last = events.sort_values("entered_day").drop_duplicates(["deal_id", "stage_order"], keep="last")
        overall = float((closed["status"] == "won").mean()) if len(closed) else 0.25
        win_rate: dict[int, float] = {}
        deals: dict[int, int] = {}
        days: dict[int, np.ndarray] = {}
        for k in OPEN_STAGES:
            at_k = last[last["stage_order"] == k]
            won = at_k["status"] == "won"
            deals[k] = len(at_k)
            win_rate[k] = float((won.sum() + STAGE_PRIOR_WEIGHT * overall) / (len(at_k) + STAGE_PRIOR_WEIGHT))
            days[k] = np.sort((at_k.loc[won, "closed_day"] - at_k.loc[won, "entered_day"]).to_numpy("float64"))
        won_closed = closed[closed["status"] == "won"]
        cycle = np.sort((won_closed["closed_day"] - won_closed["created_day"]).dropna().to_numpy("float64"))
        return cls(win_rate, deals, days, overall, cycle)

    def win_probability(self, stage_order: np.ndarray) -> np.ndarray:
        """Learnt win probability of deals at each stage (company rate for unknown stages)."""
        return np.array([self.win_rate.get(int(k), self.overall_win_rate) if not np.isnan(k)
                         else self.overall_win_rate for k in stage_order], dtype="float64")

    def close_probability(self, stage_order: np.ndarray, days_in_stage: np.ndarray, day: int,
                          start: int, end: int) -> np.ndarray:
        """P(a win lands in [start, end) | won, still open at `day` after `days_in_stage` in the stage)."""
        out = np.zeros(len(stage_order))
        tau = np.nan_to_num(days_in_stage, nan=0.0).clip(min=0)
        lo_rel, hi_rel = max(start - day, 0), end - day
        if hi_rel <= 0:
            return out
        for k in set(np.nan_to_num(stage_order, nan=-1).astype(int).tolist()):
            rows = np.nan_to_num(stage_order, nan=-1).astype(int) == k
            t = self.days_to_win.get(k, self.overall_days_to_win)
            if len(t) == 0:
                t = self.overall_days_to_win
            if len(t) == 0:
                continue
            tk = tau[rows]
            survivors = len(t) - np.searchsorted(t, tk, side="left")
            conditional = _window_count(t, lo_rel + tk, hi_rel + tk) / np.maximum(survivors, 1)
            fresh = _window_count(t, np.full(len(tk), lo_rel), np.full(len(tk), hi_rel)) / len(t)
            out[rows] = np.where(survivors >= MIN_CONDITIONAL, conditional, fresh)
        return out


@dataclass(frozen=True)
class SlipModel:
    """Days between the expected close date at a snapshot and the actual win, and the ratio of the won
    amount to the amount at the snapshot, from won deals' historical snapshots."""

    slips: np.ndarray  # sorted
    amount_ratios: np.ndarray  # sorted

    @classmethod
    def fit(cls, won_rows: pd.DataFrame) -> SlipModel:
        """won_rows: training snapshots of won deals with ecd_day, closed_day, amount_corporate, won_amount."""
        slips = (won_rows["closed_day"] - won_rows["ecd_day"]).dropna().to_numpy("float64")
        ratio = (won_rows["won_amount"] / won_rows["amount_corporate"]).replace([np.inf, -np.inf], np.nan)
        ratios = ratio.dropna().to_numpy("float64").clip(0.0, 5.0)
        return cls(np.sort(slips), np.sort(ratios))

    @property
    def mean_amount_ratio(self) -> float:
        """Average won amount per unit of snapshot amount (1 without history)."""
        return float(self.amount_ratios.mean()) if len(self.amount_ratios) else 1.0

    def _base(self, ecd: np.ndarray, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per deal: base day, first admissible slip index, number of admissible slips."""
        s = self.slips
        ecd = np.where(np.isnan(ecd), float(day), ecd)
        lo = np.searchsorted(s, day - ecd, side="left")
        n = len(s) - lo
        # Too few comparable slips (a close date far in the past): restart from today with the
        # non-negative slips, i.e. "it will close as late as deals usually close after their date".
        thin = n < MIN_CONDITIONAL
        lo0 = int(np.searchsorted(s, 0.0, side="left"))
        base = np.where(thin, float(day), ecd)
        lo = np.where(thin, lo0, lo)
        n = len(s) - lo
        return base, lo.astype(np.int64), n.astype(np.int64)

    def close_probability(self, ecd: np.ndarray, day: int, start: int, end: int) -> np.ndarray:
        """P(a win lands in [start, end) | won, still open at `day`, showing expected close `ecd`)."""
        base, lo, n = self._base(np.asarray(ecd, dtype="float64"), day)
        s = self.slips
        lower = np.maximum(lo, np.searchsorted(s, start - base, side="left"))
        upper = np.searchsorted(s, end - base, side="left")
        p = np.where(n > 0, (upper - lower).clip(min=0) / np.maximum(n, 1), 0.0)
        fixed = np.maximum(np.where(np.isnan(ecd), day, ecd), day)  # no history: trust the date
        return np.where(n > 0, p, ((fixed >= start) & (fixed < end)).astype("float64"))

    def sample_close(self, ecd: np.ndarray, day: int, u: np.ndarray) -> np.ndarray:
        """Close days for uniforms u (deals x simulations)."""
        base, lo, n = self._base(np.asarray(ecd, dtype="float64"), day)
        if len(self.slips) == 0:
            fixed = np.maximum(np.where(np.isnan(ecd), day, ecd), day)
            return np.broadcast_to(fixed[:, None], u.shape)
        idx = lo[:, None] + np.minimum((u * n[:, None]).astype(np.int64), np.maximum(n[:, None] - 1, 0))
        idx = np.minimum(idx, len(self.slips) - 1)
        return np.maximum(base[:, None] + self.slips[idx], float(day))

    def sample_ratio(self, u: np.ndarray) -> np.ndarray:
        """Amount ratios for uniforms u."""
        if len(self.amount_ratios) == 0:
            return np.ones_like(u)
        idx = np.minimum((u * len(self.amount_ratios)).astype(np.int64), len(self.amount_ratios) - 1)
        return self.amount_ratios[idx]
