"""Activities: calls, meetings, e-mails, proposals sent, tasks and notes on deals (owned by the
deal's owner at that moment), a demo meeting when a deal reaches demo, a proposal when it reaches
proposal, and SDR touches on MQLs with a meeting when they become SQL."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import settings as S
from .deals import MARKET_KEYS, RENEWAL, Deals
from .events import OWNER, STAGE, EventLog, FieldIndex, first_reach_ts
from .funnel import Funnel, Records
from .lifecycle import lookup
from .timeutil import DAY, NEVER, business_time

CALL, MEETING, EMAIL, PROPOSAL, TASK, NOTE = range(6)
REC_NONE, REC_CONTACT, REC_LEAD = 0, 1, 2


@dataclass
class Activities:
    crm: np.ndarray
    kind: np.ndarray  # index into settings.ACTIVITY_TYPES
    ts: np.ndarray  # when it happens (call time, meeting start, task due)
    created: np.ndarray
    done: np.ndarray  # completed / logged (NEVER: still open)
    deleted: np.ndarray
    owner: np.ndarray  # employee index (-2: sales ops)
    deal: np.ndarray
    company: np.ndarray
    rec: np.ndarray  # index into the CRM's person records
    rec_kind: np.ndarray  # REC_NONE / REC_CONTACT / REC_LEAD
    duration: np.ndarray  # minutes

    def __len__(self) -> int:
        return len(self.crm)


def _record_of_person(records: Records, persons: np.ndarray) -> np.ndarray:
    """First record index of each world person in a CRM's records (-1: none)."""
    s = pd.Series(np.arange(len(records)), index=records.person)
    s = s[~s.index.duplicated()]
    return s.reindex(persons).fillna(-1).to_numpy(np.int64)


def simulate_activities(rng: np.random.Generator, deals: Deals, log: EventLog, funnel: Funnel,
                        size: S.SizeSpec, horizon: int, base_s: int) -> Activities:
    """Deal activities and SDR activities up to the horizon."""
    horizon_s = horizon * DAY
    n = len(deals)
    stages = FieldIndex.build(log, STAGE)
    owners = FieldIndex.build(log, OWNER)
    last_idx, last_ts = stages.last_before(n, NEVER)
    final = np.where(last_idx >= 0, stages.value[np.maximum(last_idx, 0)], 0)
    end = np.where(final >= S.WON, last_ts, horizon_s)
    end = np.minimum(end, deals.deleted)
    mean = np.array([S.ACTIVITIES_PER_DEAL[MARKET_KEYS[m]] for m in range(len(MARKET_KEYS))])[deals.market]
    mean = np.where(deals.dtype == RENEWAL, S.ACTIVITIES_PER_DEAL["renewal"], mean) * size.activity_rate
    k = rng.poisson(mean)
    d = np.repeat(np.arange(n), k)
    span = np.maximum(end[d] - deals.created[d], 3600)
    ts = deals.created[d] + (rng.random(len(d)) * span).astype(np.int64)
    ts = business_time(rng, ts // DAY, S.WEEKEND_WORK_SHARE)
    mix = np.array(list(S.ACTIVITY_MIX.values()))
    kinds = np.array([CALL, EMAIL, MEETING, TASK, NOTE])[rng.choice(len(mix), p=mix / mix.sum(), size=len(d))]
    parts_d, parts_ts, parts_kind = [d], [ts], [kinds]
    for k_stage, kind in ((2, MEETING), (3, PROPOSAL)):
        reach = first_reach_ts(stages, n, k_stage, NEVER)
        dd = np.flatnonzero(reach >= 0)
        parts_d.append(dd)
        parts_ts.append(reach[dd] + rng.integers(0, 3 * 3600, size=len(dd)))
        parts_kind.append(np.full(len(dd), kind))
    d = np.concatenate(parts_d)
    ts = np.concatenate(parts_ts)
    kind = np.concatenate(parts_kind)
    keep = (ts < horizon_s) & (ts < deals.deleted[d]) & (ts >= deals.created[d])
    d, ts, kind = d[keep], ts[keep], kind[keep]
    crm = deals.crm[d]
    kind = np.where((kind == NOTE) & (crm != S.HS), TASK, kind)
    pos = lookup(owners, d, ts, base_s)
    owner = np.where(pos >= 0, owners.value[np.maximum(pos, 0)], deals.owner0[d]).astype(np.int64)
    person = deals.contact[d]
    rec = np.full(len(d), -1, np.int64)
    for c, records in ((S.HS, funnel.hs_contacts), (S.SF, funnel.sf_contacts), (S.PD, funnel.pd_persons)):
        m = crm == c
        rec[m] = _record_of_person(records, person[m])
    deal_part = _finish(rng, crm, kind, ts, owner, d, deals.account[d], rec,
                        np.where(rec >= 0, REC_CONTACT, REC_NONE), deals.created[d], horizon_s)
    sdr_parts = [_sdr(rng, funnel.hs_contacts, S.HS, REC_CONTACT, funnel, horizon_s),
                 _sdr(rng, funnel.sf_leads, S.SF, REC_LEAD, funnel, horizon_s)]
    acts = _concat([deal_part, *sdr_parts])
    order = np.lexsort((acts.ts, acts.created))
    return Activities(*(getattr(acts, f)[order] for f in Activities.__dataclass_fields__))


def _sdr(rng: np.random.Generator, records: Records, crm: int, rec_kind: int, funnel: Funnel,
         horizon_s: int) -> Activities:
    """SDR touches (calls, e-mails) between MQL and SQL, and the meeting at SQL."""
    own = (records.mql < NEVER) & (records.owner >= 0) & ~records.mirror
    idx = np.flatnonzero(own)
    stop = np.minimum(np.where(records.sql[idx] < NEVER, records.sql[idx], records.mql[idx] + 30 * DAY),
                      horizon_s)
    k = rng.poisson(S.SDR_TOUCHES_PER_MQL, size=len(idx))
    r = np.repeat(idx, k)
    lo = records.mql[r]
    ts = lo + (rng.random(len(r)) * np.maximum(np.repeat(stop, k) - lo, 3600)).astype(np.int64)
    ts = business_time(rng, ts // DAY)
    kind = np.where(rng.random(len(r)) < 0.5, CALL, EMAIL)
    met = idx[records.sql[idx] < NEVER]
    r = np.concatenate([r, met])
    ts = np.concatenate([ts, records.sql[met] + rng.integers(600, 2 * 3600, size=len(met))])
    kind = np.concatenate([kind, np.full(len(met), MEETING)])
    keep = (ts < horizon_s) & (ts < records.deleted[r])
    r, ts, kind = r[keep], ts[keep], kind[keep]
    company = funnel.people.company[records.person[r]]
    return _finish(rng, np.full(len(r), crm), kind, ts, records.owner[r], np.full(len(r), -1), company,
                   r, np.full(len(r), rec_kind), records.created[r], horizon_s)


def _finish(rng: np.random.Generator, crm: np.ndarray, kind: np.ndarray, ts: np.ndarray, owner: np.ndarray,
            deal: np.ndarray, company: np.ndarray, rec: np.ndarray, rec_kind: np.ndarray,
            not_before: np.ndarray, horizon_s: int) -> Activities:
    """Creation, completion, deletion times and durations."""
    n = len(crm)
    scheduled = (kind == MEETING) | (kind == TASK)
    created = np.where(scheduled, ts - rng.integers(1, 10, size=n) * DAY, ts)
    created = np.maximum(created, not_before + 60)
    created = np.minimum(created, ts)
    duration = np.where(kind == MEETING, rng.choice([30, 45, 60], size=n),
                        np.where(kind == CALL, rng.integers(2, 40, size=n), 0))
    done = np.where(scheduled, ts + np.maximum(duration, 15) * 60 + rng.integers(0, 2 * 3600, size=n), ts)
    open_task = (kind == TASK) & (rng.random(n) < 0.05)
    done = np.where(open_task, NEVER, done)
    deleted = np.full(n, NEVER, np.int64)
    pick = rng.random(n) < S.ACTIVITY_DELETE_PROB
    when = business_time(rng, created // DAY + rng.integers(1, 30, size=n))
    deleted[pick & (when < horizon_s)] = when[pick & (when < horizon_s)]
    return Activities(np.asarray(crm, np.int8), np.asarray(kind, np.int8), np.asarray(ts, np.int64),
                      np.asarray(created, np.int64), np.asarray(done, np.int64), deleted,
                      np.asarray(owner, np.int64), np.asarray(deal, np.int64), np.asarray(company, np.int64),
                      np.asarray(rec, np.int64), np.asarray(rec_kind, np.int8), np.asarray(duration, np.int32))


def _concat(parts: list[Activities]) -> Activities:
    return Activities(*(np.concatenate([getattr(p, f) for p in parts])
                        for f in Activities.__dataclass_fields__))
