"""The stage engine: every deal walks the funnel, vectorised over all deals at once.

At each step a deal in stage k passes (to k+1, sometimes jumping over one stage), moves back one
stage (proposal and negotiation only, once), or is lost; the time spent is log-normal around the
stage's mean. Passing negotiation is a win. Lost deals are sometimes reopened. Expected close
dates slip when they fall behind, amounts change at proposal and negotiation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import settings as S
from .events import AMOUNT, CLOSE, STAGE, EventBuffer
from .timeutil import DAY, business_time


@dataclass
class PathInputs:
    """Per-deal parameters of the walk (arrays of one length)."""

    deal: np.ndarray  # global deal ids
    created: np.ndarray  # epoch seconds
    entry: np.ndarray  # canonical entry stage 1-4
    pass_prob: np.ndarray  # (n, 4)
    dwell: np.ndarray  # (n, 4) mean days
    close0: np.ndarray  # expected close day at creation
    amount0: np.ndarray
    round_to: np.ndarray  # amount rounding step
    may_reopen: np.ndarray  # bool
    may_go_back: np.ndarray  # bool


def month_end(days: np.ndarray) -> np.ndarray:
    """Last day of the month of each day number."""
    m = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]") + 1
    return m.astype("datetime64[D]").astype(np.int64) - 1


def expected_close(rng: np.random.Generator, start_days: np.ndarray, cycle_days: np.ndarray) -> np.ndarray:
    """A rep's (optimistic) estimate: start + cycle with noise, often snapped to a month end."""
    est = start_days + np.maximum(7, cycle_days * rng.uniform(0.5, 1.2, size=len(start_days))).astype(np.int64)
    snap = rng.random(len(est)) < 0.5
    return np.where(snap, month_end(est), est)


def _round(amount: np.ndarray, step: np.ndarray) -> np.ndarray:
    return np.maximum(step, np.round(amount / step) * step)


def run_paths(rng: np.random.Generator, p: PathInputs, horizon_s: int, out: EventBuffer) -> None:
    """Simulate the walks; stage, amount and close-date events go to `out`."""
    n = len(p.deal)
    stage = p.entry.astype(np.int64).copy()
    t = p.created.astype(np.int64).copy()
    close = p.close0.astype(np.int64).copy()
    amount = p.amount0.astype(np.float64).copy()
    back_used = ~p.may_go_back.copy()
    reopen_used = ~p.may_reopen.copy()
    out.add(p.deal, t, STAGE, stage)
    out.add(p.deal, t, AMOUNT, amount)
    out.add(p.deal, t, CLOSE, close)
    active = np.ones(n, dtype=bool)
    for _ in range(40):
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        s = stage[idx]
        u = rng.random(len(idx))
        passed = u < p.pass_prob[idx, s - 1]
        back = ~passed & (s >= 3) & ~back_used[idx] & (rng.random(len(idx)) < S.BACKWARD_PROB)
        lost = ~passed & ~back
        dwell = p.dwell[idx, s - 1] * rng.lognormal(0.0, S.DWELL_SIGMA, size=len(idx))
        dwell = np.where(lost, dwell * rng.uniform(*S.LOST_DWELL_FACTOR, size=len(idx)), dwell)
        target_day = (t[idx] + (dwell * DAY).astype(np.int64)) // DAY
        t_new = business_time(rng, target_day, S.WEEKEND_WORK_SHARE)
        t_new = np.maximum(t_new, t[idx] + 3600)
        # the walk ends (for now) at the horizon: the deal stays open in the simulated span
        beyond = t_new >= horizon_s
        active[idx[beyond]] = False
        keep = ~beyond
        idx, s, passed, back, lost, t_new = idx[keep], s[keep], passed[keep], back[keep], lost[keep], t_new[keep]
        _push_close_dates(rng, idx, t, t_new, close, p.deal, out)
        skip = passed & (s <= 2) & (rng.random(len(idx)) < S.SKIP_PROB)
        new_stage = np.where(passed, np.where(skip, s + 2, s + 1), np.where(back, s - 1, S.LOST))
        back_used[idx[back]] = True
        # amounts: re-scoped at proposal, discounted at negotiation
        to_prop = (new_stage == 3) & (s < 3) & (rng.random(len(idx)) < S.AMOUNT_CHANGE_AT_PROPOSAL)
        to_neg = (new_stage == 4) & (s < 4) & (rng.random(len(idx)) < S.DISCOUNT_AT_NEGOTIATION)
        factor = np.ones(len(idx))
        factor[to_prop] = rng.uniform(0.8, 1.3, size=to_prop.sum())
        factor[to_neg] = rng.uniform(0.85, 0.97, size=to_neg.sum())
        changed = to_prop | to_neg
        if changed.any():
            ci = idx[changed]
            amount[ci] = _round(amount[ci] * factor[changed], p.round_to[ci])
            out.add(p.deal[ci], t_new[changed], AMOUNT, amount[ci])
        out.add(p.deal[idx], t_new, STAGE, new_stage)
        closing = new_stage >= S.WON
        ci = idx[closing]
        close[ci] = t_new[closing] // DAY
        out.add(p.deal[ci], t_new[closing], CLOSE, close[ci])
        # an occasional re-estimate of the close date at a stage change
        re = ~closing & (rng.random(len(idx)) < S.CLOSE_DATE_REESTIMATE)
        if re.any():
            ri = idx[re]
            remaining = p.dwell[ri, :].sum(axis=1) * 0.5
            close[ri] = expected_close(rng, t_new[re] // DAY, remaining)
            out.add(p.deal[ri], t_new[re], CLOSE, close[ri])
        stage[idx] = new_stage
        t[idx] = t_new
        done = closing.copy()
        # reopen a few lost deals at the stage they were lost from
        reopen = lost & ~reopen_used[idx] & (rng.random(len(idx)) < S.REOPEN_PROB)
        if reopen.any():
            ri = idx[reopen]
            t_re = business_time(rng, t[ri] // DAY + rng.integers(*S.REOPEN_DAYS, size=len(ri)))
            ok = t_re < horizon_s
            ri, t_re, back_to = ri[ok], t_re[ok], s[reopen][ok]
            reopen_used[ri] = True
            stage[ri] = back_to
            t[ri] = t_re
            out.add(p.deal[ri], t_re, STAGE, back_to)
            close[ri] = expected_close(rng, t_re // DAY, p.dwell[ri, :].sum(axis=1) * 0.5)
            out.add(p.deal[ri], t_re, CLOSE, close[ri])
            undone = np.zeros(n, dtype=bool)
            undone[ri] = True
            done &= ~undone[idx]
        active[idx[done]] = False


def _push_close_dates(rng: np.random.Generator, idx: np.ndarray, t: np.ndarray, t_new: np.ndarray,
                      close: np.ndarray, deal_ids: np.ndarray, out: EventBuffer) -> None:
    """Close dates that fall behind before the next stage change get pushed out (mostly)."""
    cand = idx.copy()
    nxt = t_new.copy()
    for _ in range(8):
        overdue = close[cand] < nxt // DAY
        cand, nxt = cand[overdue], nxt[overdue]
        if len(cand) == 0:
            return
        pushes = rng.random(len(cand)) < S.CLOSE_DATE_PUSH_PROB
        cand, nxt = cand[pushes], nxt[pushes]
        push_day = close[cand] + rng.integers(1, 8, size=len(cand))
        push_ts = business_time(rng, push_day)
        ok = (push_ts > t[cand]) & (push_ts < nxt)
        cand, nxt, push_ts = cand[ok], nxt[ok], push_ts[ok]
        new_close = close[cand] + rng.integers(14, 46, size=len(cand))
        snap = rng.random(len(cand)) < 0.5
        new_close = np.where(snap, month_end(new_close), new_close)
        close[cand] = new_close
        out.add(deal_ids[cand], push_ts, CLOSE, new_close)

