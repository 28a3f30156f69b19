"""When deals are won, learnt from history: a stage transition model (the stage-conversion method)
and the slip between the expected close date a deal showed at a snapshot and the day it was won (the
deal-model and Monte Carlo timing).

Both are empirical and conditioned on what is already known about an open deal: a deal that has sat
40 days in proposal is compared only with past deals that also sat at least 40 days in proposal, and a
deal whose expected close date is already behind it only draws slips at least that late. Outcomes are
read only where history has followed a deal long enough to see them, so deals still open at the as-of
day do not bias the rates (the usual flaw of "closed deals only" conversion rates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from revops.forecast.asof import AsOfView

OPEN_STAGES = (1, 2, 3, 4)  # qualification, demo, proposal, negotiation
MIN_CONDITIONAL = 10  # fewer comparable deals than this: condition on less
LOOKBACK_DAYS = 730
HORIZON_DAYS = 190  # far enough to cover the end of the next quarter from any day of this one


@dataclass(frozen=True)
class _Entries:
    """Past entries into one stage, relative to the entry day."""

    follow_up: np.ndarray  # days of history after the entry (as-of day - entry day)
    left: np.ndarray  # days until the deal left the stage or closed (inf while still in it)
    won_after: np.ndarray  # days until the win (inf when not won by the as-of day)


@dataclass(frozen=True)
class StageConversion:
    """Per canonical open stage, what happened to past deals after entering it: the share won and when.

    P(win in [start, end) | in stage k for tau days at day d) = among past entries into k that were still
    in k after tau days and whose history covers the whole window, the share won inside the window
    (shifted by tau). With fewer than MIN_CONDITIONAL such entries the tau condition is dropped."""

    entries: dict[int, _Entries]
    pooled: _Entries
    win_rate: dict[int, float]
    deals: dict[int, int]
    overall_win_rate: float

    @classmethod
    def fit(cls, view: AsOfView, lookback_days: int = LOOKBACK_DAYS) -> StageConversion:
        """Learn from stage entries of the last `lookback_days` before the view's day."""
        ev = view.stage_events
        ev = ev[ev["stage_order"].isin(OPEN_STAGES) & (ev["entered_day"] >= view.day - lookback_days)]
        outcome = view.closed[["deal_id", "status", "closed_day"]]
        ev = ev.merge(outcome, on="deal_id", how="left")
        entered = ev["entered_day"].to_numpy("float64")
        closed = ev["closed_day"].to_numpy("float64")
        exited = ev["exited_day"].to_numpy("float64")
        won = (ev["status"] == "won").to_numpy()
        left = np.fmin(np.where(np.isnan(exited), np.inf, exited), np.where(np.isnan(closed), np.inf, closed)) - entered
        won_after = np.where(won, closed - entered, np.inf)
        follow = view.day - entered
        stage = ev["stage_order"].to_numpy("float64")
        entries: dict[int, _Entries] = {}
        win_rate: dict[int, float] = {}
        deals: dict[int, int] = {}
        mature = follow >= HORIZON_DAYS
        overall = float((won_after[mature] < HORIZON_DAYS).mean()) if mature.any() else 0.25
        for k in OPEN_STAGES:
            m = stage == k
            entries[k] = _Entries(follow[m], left[m], won_after[m])
            mk = m & mature
            deals[k] = int(mk.sum())
            win_rate[k] = float((won_after[mk] < HORIZON_DAYS).mean()) if mk.sum() >= MIN_CONDITIONAL else overall
        return cls(entries, _Entries(follow, left, won_after), win_rate, deals, overall)

    def win_probability(self, stage_order: np.ndarray) -> np.ndarray:
        """Share of entries into each deal's stage won within the horizon (company rate if unknown)."""
        return np.array([self.overall_win_rate if np.isnan(k) else self.win_rate.get(int(k), self.overall_win_rate)
                         for k in stage_order], dtype="float64")

    def win_in_window(self, stage_order: np.ndarray, days_in_stage: np.ndarray, day: int,
                      start: int, end: int) -> np.ndarray:
        """P(won inside [start, end) | at its stage for days_in_stage days at `day`), per deal."""
        out = np.zeros(len(stage_order))
        lo_abs, hi_abs = max(start, day) - day, end - day
        if hi_abs <= 0:
            return out
        stages = np.nan_to_num(stage_order, nan=-1).astype(int)
        tau_all = np.nan_to_num(days_in_stage, nan=0.0).clip(min=0)
        for k in np.unique(stages):
            rows = np.flatnonzero(stages == k)
            e = self.entries.get(int(k), self.pooled)
            for tau in np.unique(tau_all[rows]):
                p = self._rate(e, tau, lo_abs, hi_abs)
                if p is None:
                    p = self._rate(e, 0.0, lo_abs, hi_abs)
                if p is None:
                    p = self._rate(self.pooled, 0.0, lo_abs, hi_abs)
                out[rows[tau_all[rows] == tau]] = 0.0 if p is None else p
        return out

    @staticmethod
    def _rate(e: _Entries, tau: float, lo: float, hi: float) -> float | None:
        eligible = (e.follow_up >= tau + hi) & (e.left >= tau)
        n = int(eligible.sum())
        if n < MIN_CONDITIONAL:
            return None
        w = e.won_after[eligible]
        return float(((w >= tau + lo) & (w < tau + hi)).sum() / n)


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
        return np.asarray(np.maximum(base[:, None] + self.slips[idx], float(day)))

    def sample_ratio(self, u: np.ndarray) -> np.ndarray:
        """Amount ratios for uniforms u."""
        if len(self.amount_ratios) == 0:
            return np.ones_like(u)
        idx = np.minimum((u * len(self.amount_ratios)).astype(np.int64), len(self.amount_ratios) - 1)
        return self.amount_ratios[idx]
