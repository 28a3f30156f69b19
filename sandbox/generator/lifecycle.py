"""What happens to deals besides the funnel walk: the second qualification stage of HubSpot and
Pipedrive, owner changes when a rep leaves, deletions, and untracked edits ("touches")."""

from __future__ import annotations

import numpy as np

from . import settings as S
from .deals import SALES_OPS, AeIndex, Deals
from .events import OWNER, STAGE, TOUCH, EventBuffer, EventLog, FieldIndex
from .org import Org
from .timeutil import DAY, NEVER, business_time


def lookup(index: FieldIndex, deals: np.ndarray, ts: np.ndarray, base: int) -> np.ndarray:
    """Position in `index` of the last event of each `deals[i]` at or before `ts[i]` (-1: none)."""
    key = (index.deal.astype(np.int64) << 32) | (index.ts - base)
    q = (np.asarray(deals, np.int64) << 32) | (np.asarray(ts, np.int64) - base)
    pos = np.searchsorted(key, q, side="right") - 1
    ok = (pos >= 0) & (index.deal[np.maximum(pos, 0)] == deals)
    return np.where(ok, pos, -1)


def complete_history(rng: np.random.Generator, org: Org, deals: Deals, log: EventLog, as_of: int,
                     horizon: int) -> EventLog:
    """Add sub-stage, owner, touch events and deletions; return the log ordered by (deal, ts)."""
    horizon_s = horizon * DAY
    n = len(deals)
    buf = EventBuffer()
    buf.parts.append(log)
    stages = FieldIndex.build(log, STAGE)
    _qualified_substage(rng, deals, stages, horizon_s, buf)
    last_idx, last_ts = stages.last_before(n, NEVER)
    final = np.where(last_idx >= 0, stages.value[np.maximum(last_idx, 0)], 0)
    closed = final >= S.WON
    end = np.where(closed, last_ts, horizon_s)
    buf.add(np.arange(n), deals.created, OWNER, deals.owner0)
    _reassign(rng, org, deals, end, closed, horizon, buf)
    _delete(rng, deals, as_of, horizon)
    _touches(rng, deals, np.minimum(end, deals.deleted), buf)
    full = buf.log()
    visible = full.ts < deals.deleted[full.deal]
    full = full.take(np.flatnonzero(visible)).sorted()
    # a deal reopened back to qualification returns to the second qualification stage
    pos = np.flatnonzero(full.field == STAGE)
    d = full.deal[pos]
    first = np.r_[True, d[1:] != d[:-1]]
    again = ~first & (full.value[pos] == 1) & (deals.crm[d] != S.SF)
    full.sub[pos[again]] = 1
    return full


def _qualified_substage(rng: np.random.Generator, deals: Deals, stages: FieldIndex, horizon_s: int,
                        buf: EventBuffer) -> None:
    """HubSpot and Pipedrive deals entering at qualification often pass its second stage
    (qualifiedtobuy / Contact Made) before moving on."""
    first = np.r_[True, stages.deal[1:] != stages.deal[:-1]]
    has_next = np.r_[~first[1:], False]
    first_pos = np.flatnonzero(first)
    d = stages.deal[first_pos]
    nxt_ts = np.where(has_next[first_pos], stages.ts[np.minimum(first_pos + 1, len(stages.ts) - 1)], horizon_s)
    m = ((deals.crm[d] != S.SF) & (stages.value[first_pos] == 1)
         & (rng.random(len(d)) < S.HUBSPOT_QUALIFIED_SUBSTAGE))
    d, t0, t1 = d[m], stages.ts[first_pos][m], nxt_ts[m]
    ts = t0 + ((t1 - t0) * rng.uniform(0.3, 0.6, size=len(d))).astype(np.int64)
    ok = (ts > t0 + 600) & (ts < t1 - 600)
    buf.add(d[ok], ts[ok], STAGE, np.ones(ok.sum()), 1)


def _reassign(rng: np.random.Generator, org: Org, deals: Deals, end: np.ndarray, closed: np.ndarray,
              horizon: int, buf: EventBuffer) -> None:
    """Open deals of a rep who leaves go to a teammate a few days later."""
    exit_day = np.array([e.exit if e.exit is not None else 10**9 for e in org.employees] + [10**9],
                        dtype=np.int64)
    owner = deals.owner0
    ex = np.where(owner >= 0, exit_day[np.where(owner >= 0, owner, -1)], 10**9)
    t_re = business_time(rng, np.minimum(ex, horizon) + rng.integers(1, 11, size=len(deals)))
    need = (ex < horizon) & (t_re < horizon * DAY) & (deals.created < ex * DAY) & (~closed | (end > t_re))
    idx = np.flatnonzero(need)
    if len(idx) == 0:
        return
    aes = AeIndex(org, horizon)
    new_owner = aes.pick(rng, deals.team[idx], t_re[idx] // DAY)
    ok = new_owner >= 0
    buf.add(idx[ok], t_re[idx][ok], OWNER, new_owner[ok])


def _delete(rng: np.random.Generator, deals: Deals, as_of: int, horizon: int) -> None:
    """Duplicates and junk get deleted; at least one deal per CRM on each of the first days after
    as_of, so a day step always shows deletions."""
    n = len(deals)
    pick = (rng.random(n) < S.DEAL_DELETE_PROB) & (deals.owner0 != SALES_OPS)
    when = business_time(rng, deals.created // DAY + rng.integers(1, 60, size=n))
    deals.deleted[pick & (when < horizon * DAY)] = when[pick & (when < horizon * DAY)]
    for day in range(as_of, min(horizon, as_of + S.DAILY_DELETES_AFTER_AS_OF_DAYS)):
        t = business_time(rng, np.array([day]), 1.0)[0]
        for crm in (S.SF, S.HS, S.PD):
            cand = np.flatnonzero((deals.crm == crm) & (deals.created < t - DAY) & (deals.deleted == NEVER))
            if len(cand):
                deals.deleted[cand[int(rng.integers(len(cand)))]] = t


def _touches(rng: np.random.Generator, deals: Deals, end: np.ndarray, buf: EventBuffer) -> None:
    """Edits of untracked fields while a deal is open (they move the modified timestamp only)."""
    weeks = np.maximum(0, end - deals.created) / (7 * DAY)
    k = rng.poisson(S.TOUCHES_PER_OPEN_WEEK * weeks)
    d = np.repeat(np.arange(len(deals)), k)
    if len(d) == 0:
        return
    ts = deals.created[d] + (rng.random(len(d)) * (end[d] - deals.created[d])).astype(np.int64)
    day = ts // DAY
    ts = business_time(rng, day)
    ok = (ts > deals.created[d]) & (ts < end[d])
    buf.add(d[ok], ts[ok], TOUCH, np.zeros(ok.sum()))


def touch_counts(log: EventLog) -> np.ndarray:
    """Running number of touches per touch event (for rendering a changing field)."""
    m = log.field == TOUCH
    d = log.deal[m]
    start = np.r_[True, d[1:] != d[:-1]]
    grp = np.cumsum(start) - 1
    first_pos = np.flatnonzero(start)
    run = np.arange(len(d)) - first_pos[grp] + 1
    out = np.zeros(len(log), dtype=np.float64)
    out[m] = run
    return out

