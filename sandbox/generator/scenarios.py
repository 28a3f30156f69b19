"""Scenarios: a deliberate change to the simulated future, for demos and for testing KPI alerts.

A scenario is applied after the whole timeline has been simulated, and it only rewrites what
happens on or after its start day (`settings.SCENARIO_START_DAYS` after the generation as_of).
Everything before that day is byte-for-byte the world without the scenario: the simulation's random
streams are shared by all deals at once, so changing an outcome inside the simulation would shuffle
the past too. The scenario draws its own random numbers from a stream of its own.

`conversion_drop`: a deal that enters qualification on or after the start day and would move on to
demo (or beyond) keeps that pass only with probability `CONVERSION_DROP_KEEP`; otherwise it is
lost at the moment it would have moved on. What followed the lost pass is removed with it: later
stage, amount, close-date, owner and edit events, the win and the customer status it led to, and
the deal's later activities (a meeting or task already scheduled before the loss is deleted at the
loss, as a cancelled appointment would be).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import settings as S
from .accounts import AccountRecords
from .deals import RENEWAL
from .events import CLOSE, STAGE, EventLog
from .timeutil import DAY, NEVER

if TYPE_CHECKING:
    from .activities import Activities
    from .funnel import Funnel
    from .world import World

QUALIFICATION = 1


def check_scenario(name: str | None) -> None:
    """Refuse an unknown scenario name, listing the known ones."""
    if name is not None and name not in S.SCENARIOS:
        raise ValueError(f"sandbox generator: unknown scenario {name!r}; use one of "
                         f"{', '.join(S.SCENARIOS)}, or none for the unchanged company")


def scenario_rng(seed: int) -> np.random.Generator:
    """The scenario's own random stream (the simulation uses the first ten children of the seed)."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(S.SCENARIO_STREAM + 1)[-1])


def apply_scenario(world: World, name: str) -> World:
    """The world with the scenario applied from its start day on (see the module docstring)."""
    check_scenario(name)
    start_s = (world.generated_as_of + S.SCENARIO_START_DAYS) * DAY
    cuts = lost_passes(world.log, start_s, S.CONVERSION_DROP_KEEP, scenario_rng(world.seed))
    log = _cut_log(world.log, cuts)
    from .world import first_won_ts  # the world module imports this one

    won_ts = first_won_ts(log, len(world.deals))
    changed = np.flatnonzero(won_ts != world.won_ts)
    return dataclasses.replace(
        world, log=log, won_ts=won_ts,
        funnel=_funnel(world, won_ts, changed),
        accounts=_accounts(world, won_ts, changed, start_s),
        activities=_activities(world, cuts),
        scenario=name, static={},
    )


def lost_passes(log: EventLog, start_s: int, keep: float, rng: np.random.Generator) -> dict[int, int]:
    """deal -> time of the qualification pass that becomes a loss instead.

    A candidate is a stage event leaving qualification for a later stage (not a loss) whose stay in
    qualification began at or after `start_s`; each is kept with probability `keep`. A deal's first
    dropped candidate is its cut (what came after it never happens)."""
    pos = np.flatnonzero(log.field == STAGE)  # the log is ordered by (deal, ts, field)
    d, t, v = log.deal[pos], log.ts[pos], log.value[pos]
    if len(pos) == 0:
        return {}
    new_deal = np.r_[True, d[1:] != d[:-1]]
    run_start = new_deal | np.r_[True, v[1:] != v[:-1]]  # a stay: consecutive events of one stage
    run_start_ts = t[np.flatnonzero(run_start)][np.cumsum(run_start) - 1]
    prev_v = np.r_[0.0, v[:-1]]
    prev_entry = np.r_[0, run_start_ts[:-1]]
    cand = np.flatnonzero(~new_deal & (prev_v == QUALIFICATION) & (v > QUALIFICATION) & (v <= S.WON)
                          & (prev_entry >= start_s))
    dropped = cand[rng.random(len(cand)) >= keep]
    cuts: dict[int, int] = {}
    for i in dropped:  # ordered by (deal, ts): the first one per deal wins
        cuts.setdefault(int(d[i]), int(t[i]))
    return cuts


def _cut_log(log: EventLog, cuts: dict[int, int]) -> EventLog:
    """Drop each cut deal's events from its cut on, and record the loss (stage and close date)."""
    if not cuts:
        return log
    cut_ts = np.full(int(log.deal.max()) + 1, NEVER, np.int64)
    deals = np.fromiter(cuts.keys(), np.int64, len(cuts))
    ts = np.fromiter(cuts.values(), np.int64, len(cuts))
    cut_ts[deals] = ts
    kept = log.take(np.flatnonzero(log.ts < cut_ts[log.deal]))
    n = len(deals)
    loss = EventLog(np.r_[deals, deals], np.r_[ts, ts], np.r_[np.full(n, STAGE), np.full(n, CLOSE)].astype(np.int8),
                    np.r_[np.full(n, float(S.LOST)), (ts // DAY).astype(np.float64)], np.zeros(2 * n, np.int8))
    return EventLog.concat([kept, loss]).sorted()


def _funnel(world: World, won_ts: np.ndarray, changed: np.ndarray) -> Funnel:
    """HubSpot contacts become customers when their deal is won: follow the new wins."""
    hs = world.funnel.hs_contacts
    if len(changed) == 0:
        return world.funnel
    m = np.isin(hs.deal, changed)
    customer = hs.customer.copy()
    customer[m] = won_ts[hs.deal[m]]
    return dataclasses.replace(world.funnel, hs_contacts=dataclasses.replace(hs, customer=customer))


def _accounts(world: World, won_ts: np.ndarray, changed: np.ndarray,
              start_s: int) -> dict[int, AccountRecords]:
    """Customer-since of the account records whose first win moved (only wins after the start can
    move, and an account with an earlier win or an imported contract keeps its date)."""
    if len(changed) == 0:
        return world.accounts
    deals = world.deals
    out = dict(world.accounts)
    for crm, acc in world.accounts.items():
        moved = np.unique(deals.account[changed][(deals.crm[changed] == crm) & (deals.account[changed] >= 0)])
        m = np.isin(acc.company, moved) & (acc.customer >= start_s)
        if not m.any():
            continue
        own = (deals.crm == crm) & (deals.account >= 0) & ~((deals.dtype == RENEWAL) & (deals.parent < 0))
        first_win = pd.Series(won_ts[own]).groupby(deals.account[own]).min()
        customer = acc.customer.copy()
        new = first_win.reindex(acc.company[m]).fillna(NEVER).to_numpy(np.int64)
        customer[m] = np.where(new >= NEVER, NEVER, np.maximum(new, acc.created[m]))
        out[crm] = dataclasses.replace(acc, customer=customer)
    return out


def _activities(world: World, cuts: dict[int, int]) -> Activities:
    """A cut deal's activities after its loss: not logged, or deleted at the loss when they were
    already scheduled."""
    a = world.activities
    if not cuts:
        return a
    cut_ts = np.full(len(world.deals), NEVER, np.int64)
    cut_ts[np.fromiter(cuts.keys(), np.int64, len(cuts))] = np.fromiter(cuts.values(), np.int64, len(cuts))
    on_deal = a.deal >= 0
    cut = np.where(on_deal, cut_ts[np.maximum(a.deal, 0)], NEVER)
    after = a.ts > cut
    keep = ~(after & (a.created >= cut))
    deleted = np.where(after & (a.created < cut), np.minimum(a.deleted, cut), a.deleted)
    fields = {f.name: getattr(a, f.name)[keep] for f in dataclasses.fields(a)}
    fields["deleted"] = deleted[keep]
    return dataclasses.replace(a, **fields)
