"""Deals: new business created by AEs day by day, then renewals and expansions of won contracts
(and of the customers signed before the CRMs were rolled out), each walked through the funnel."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from . import settings as S
from .companies import Companies, pick_companies
from .events import AMOUNT, STAGE, EventBuffer, EventLog, FieldIndex
from .org import Org
from .paths import PathInputs, expected_close, run_paths
from .timeutil import DAY, business_time, weekday

MARKET_KEYS = ("smb", "mid_market", "enterprise", "strategic", "subsidiary")
NEW, RENEWAL, EXPANSION = 0, 1, 2
SALES_OPS = -2  # owner index of the Salesforce automation user (not in the HR roster)
ROUNDING = {"smb": 50, "mid_market": 500, "enterprise": 1000, "strategic": 1000, "subsidiary": 100}
SEASON = {1: 0.9, 8: 0.7, 12: 0.75}


@dataclass
class Deals:
    """Columnar deal table; index = world deal id."""

    crm: np.ndarray
    team: np.ndarray
    market: np.ndarray
    account: np.ndarray  # company id, -1 without an account
    owner0: np.ndarray  # employee index (SALES_OPS for the automation user)
    created: np.ndarray  # epoch seconds
    dtype: np.ndarray  # NEW / RENEWAL / EXPANSION
    currency: np.ndarray
    channel: np.ndarray  # index into LEAD_CHANNELS
    entry: np.ndarray
    parent: np.ndarray  # renewed / expanded deal, -1
    loss_reason: np.ndarray
    sdr: np.ndarray  # SDR employee who booked the first meeting, -1
    contact: np.ndarray  # world person id of the main contact, -1
    deleted: np.ndarray  # epoch seconds, NEVER when not deleted

    def __len__(self) -> int:
        return len(self.crm)

    @classmethod
    def concat(cls, parts: list[Deals]) -> Deals:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


@dataclass
class Batch:
    """A batch of deals ready to be walked."""

    deals: Deals
    paths: PathInputs


class AeIndex:
    """Which employees held a `role` seat in each team on a given day (AEs own follow-on deals,
    SDRs own leads)."""

    def __init__(self, org: Org, horizon: int, role: str = "ae") -> None:
        self.ramp_days = float(np.mean(S.SDR_RAMP_DAYS if role == "sdr" else S.RAMP_DAYS))
        self.by_team: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        rows: dict[int, list[tuple[int, int, int]]] = {}
        for e in org.employees:
            for i, st in enumerate(e.stints):
                if st.role != role:
                    continue
                end = e.stints[i + 1].start if i + 1 < len(e.stints) else (e.exit or horizon + 1)
                rows.setdefault(st.team, []).append((e.idx, st.start, end))
        for team, items in rows.items():
            arr = np.asarray(items, dtype=np.int64)
            self.by_team[team] = (arr[:, 0], arr[:, 1], arr[:, 2])

    def pick(self, rng: np.random.Generator, teams: np.ndarray, days: np.ndarray,
             prefer: np.ndarray | None = None) -> np.ndarray:
        """An AE employed in the team on the day (the preferred one when still there); -1: none."""
        out = np.full(len(teams), -1, dtype=np.int64)
        for team in np.unique(teams):
            m = np.flatnonzero(teams == team)
            if team not in self.by_team:
                continue
            emp, lo, hi = self.by_team[team]
            cover = (lo[None, :] <= days[m, None]) & (days[m, None] < hi[None, :])
            # newcomers get a smaller share while they ramp up
            ramp = np.clip((days[m, None] - lo[None, :]) / self.ramp_days, 0.15, 1.0)
            score = np.where(cover, rng.random(cover.shape) * ramp, -1.0)
            if prefer is not None:
                score = np.where(cover & (emp[None, :] == prefer[m, None]), 2.0, score)
            best = score.argmax(axis=1)
            ok = score[np.arange(len(m)), best] >= 0
            out[m[ok]] = emp[best[ok]]
        return out


def _batch(rng: np.random.Generator, org: Org, companies: Companies, fx: np.ndarray, fx_first: int,
           start_id: int, team: np.ndarray, owner: np.ndarray, created: np.ndarray, account: np.ndarray,
           dtype: np.ndarray, amount_local: np.ndarray | None, parent: np.ndarray,
           change: tuple[int, int] | None) -> Batch:
    """Deal rows and walk parameters for one batch."""
    n = len(team)
    market = np.array([MARKET_KEYS.index(org.teams[t].market) for t in team], dtype=np.int8)
    crm = np.array([org.teams[t].crm for t in team], dtype=np.int8)
    specs = [S.MARKETS[k] for k in MARKET_KEYS]
    pass_prob = np.array([specs[m].pass_prob for m in market], dtype=np.float64).reshape(n, 4)
    dwell = np.array([specs[m].dwell_days for m in market], dtype=np.float64).reshape(n, 4)
    mid = np.array([specs[m].entry_mid_funnel for m in market]) if n else np.empty(0)
    entry = np.where(rng.random(n) < mid, rng.choice([2, 3, 4], p=[0.6, 0.3, 0.1], size=n), 1)
    currency = np.where(account >= 0, companies.currency[np.maximum(account, 0)],
                        np.where(crm == S.PD, S.GBP, S.EUR)).astype(np.int8)
    renewal, expansion = dtype == RENEWAL, dtype == EXPANSION
    entry = np.where(renewal, np.where(rng.random(n) < 0.6, 3, 4), entry)
    entry = np.where(expansion, np.where(rng.random(n) < 0.5, 1, 2), entry)
    pass_prob[renewal] = (0.97, 0.97, 0.975, 0.94)
    pass_prob[expansion] = np.minimum(0.97, pass_prob[expansion] + (0.2, 0.15, 0.1, 0.1))
    dwell[renewal] = (5, 5, 22, 24)
    dwell[expansion] *= 0.6
    if change is not None:
        team_idx, day = change
        boosted = (team == team_idx) & (dtype == NEW) & (created >= day * DAY)
        pass_prob[boosted] = np.minimum(0.97, pass_prob[boosted] + np.asarray(S.MANAGER_CHANGE_PASS_LIFT))
    steps = np.array([ROUNDING[MARKET_KEYS[m]] for m in market], dtype=np.float64)
    if amount_local is None:
        med = np.array([specs[m].amount_median_eur for m in market])
        sig = np.array([specs[m].amount_sigma for m in market])
        eur = np.exp(np.log(med) + sig * rng.standard_normal(n))
        eur = np.where(expansion, eur * rng.uniform(*S.EXPANSION_SHARE, size=n), eur)
        rate = fx[currency, np.clip(created // DAY - fx_first, 0, fx.shape[1] - 1)]
        amount_local = eur / rate
    amount = np.maximum(steps, np.round(amount_local / steps) * steps)
    cycle = np.array([dwell[i, entry[i] - 1:].sum() for i in range(n)]) if n else np.empty(0)
    close0 = expected_close(rng, created // DAY, cycle)
    channel = _channels(rng, market, dtype)
    loss = np.where(renewal, rng.integers(0, len(S.CHURN_REASONS), size=n),
                    rng.integers(0, len(S.LOSS_REASONS), size=n)).astype(np.int8)
    ids = np.arange(start_id, start_id + n, dtype=np.int64)
    deals = Deals(crm, team.astype(np.int32), market, account.astype(np.int64), owner.astype(np.int64),
                  created.astype(np.int64), dtype.astype(np.int8), currency, channel,
                  entry.astype(np.int8), parent.astype(np.int64), loss, np.full(n, -1, np.int64),
                  np.full(n, -1, np.int64), np.full(n, np.int64(2**62)))
    paths = PathInputs(ids, created.astype(np.int64), entry, pass_prob, dwell, close0, amount, steps,
                       dtype == NEW, dtype == NEW)
    return Batch(deals, paths)


def _channels(rng: np.random.Generator, market: np.ndarray, dtype: np.ndarray) -> np.ndarray:
    """Lead channel: SDR-sourced share per market, otherwise AE sourced, partner or event."""
    n = len(market)
    sdr_share = np.array([S.MARKETS[MARKET_KEYS[m]].sdr_share for m in market]) if n else np.empty(0)
    sdr = rng.random(n) < sdr_share
    other = rng.choice([2, 3, 4], p=[0.7, 0.2, 0.1], size=n)
    ch = np.where(sdr, np.where(rng.random(n) < 0.5, 0, 1), other)
    return np.where(dtype == NEW, ch, 2).astype(np.int8)


def new_business_seeds(rng: np.random.Generator, org: Org, size: S.SizeSpec, start: int,
                       horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(team, owner, created seconds) of the new-business deals, from each AE's daily rate."""
    teams, owners, created = [], [], []
    days_all = np.arange(start, horizon, dtype=np.int64)
    months = days_all.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    season = np.array([SEASON.get(int(m), 1.0) for m in range(1, 13)])[months - 1]
    workday = np.where(weekday(days_all) < 5, 1.0, S.WEEKEND_WORK_SHARE)
    for e in org.employees:
        for i, st in enumerate(e.stints):
            if st.role != "ae":
                continue
            end = e.stints[i + 1].start if i + 1 < len(e.stints) else (e.exit or horizon)
            lo, hi = max(st.start, start), min(end, horizon)
            if hi <= lo:
                continue
            spec = S.MARKETS[org.teams[st.team].market]
            rate = spec.deals_per_ae_month * size.deal_rate * 12 / 260
            d = np.arange(lo, hi)
            ramp = np.clip((d - st.start) / max(e.ramp_days, 1), 0.1, 1.0)
            w = rate * ramp * season[d - start] * workday[d - start]
            counts = rng.poisson(w)
            days = np.repeat(d, counts)
            teams.append(np.full(len(days), st.team, np.int32))
            owners.append(np.full(len(days), e.idx, np.int64))
            created.append(days * DAY + rng.integers(S.BUSINESS_HOURS_UTC[0] * 3600,
                                                    S.BUSINESS_HOURS_UTC[1] * 3600, size=len(days)))
    if not teams:
        return np.empty(0, np.int32), np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(teams), np.concatenate(owners), np.concatenate(created)


def outcomes(log: EventLog, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Final stage, time of the last stage event, and final amount of each deal."""
    st = FieldIndex.build(log, STAGE)
    am = FieldIndex.build(log, AMOUNT)
    idx, ts = st.last_before(n, np.int64(2**62))
    stage = np.where(idx >= 0, st.value[np.maximum(idx, 0)], 0).astype(np.int64)
    aidx, _ = am.last_before(n, np.int64(2**62))
    amount = np.where(aidx >= 0, am.value[np.maximum(aidx, 0)], 0.0)
    return stage, ts, amount


def simulate_deals(rng: np.random.Generator, org: Org, companies: Companies, size: S.SizeSpec,
                   fx: np.ndarray, fx_first: int, start: int, horizon: int) -> tuple[Deals, EventLog]:
    """All deals up to the horizon and their stage / amount / close-date events."""
    horizon_s = horizon * DAY
    aes = AeIndex(org, horizon)
    change = (org.manager_changes[0].team, org.manager_changes[0].day) if org.manager_changes else None
    out = EventBuffer()
    parts: list[Deals] = []
    count = [0]

    def add_batch(team: np.ndarray, owner: np.ndarray, created: np.ndarray, account: np.ndarray,
                  dtype: np.ndarray, amount: np.ndarray | None, parent: np.ndarray) -> np.ndarray:
        keep = (created < horizon_s) & (owner != -1)
        b = _batch(rng, org, companies, fx, fx_first, count[0], team[keep], owner[keep], created[keep],
                   account[keep], dtype[keep], None if amount is None else amount[keep], parent[keep],
                   change)
        run_paths(rng, b.paths, horizon_s, out)
        parts.append(b.deals)
        ids = np.arange(count[0], count[0] + len(b.deals))
        count[0] += len(b.deals)
        return ids

    team, owner, created = new_business_seeds(rng, org, size, start, horizon)
    account = pick_companies(rng, companies, team)
    no_org = (np.array([org.teams[t].crm for t in team], dtype=np.int64) == S.PD) & (rng.random(len(team)) < 0.03)
    account[no_org] = -1
    frontier = [add_batch(team, owner, created, account, np.full(len(team), NEW), None,
                          np.full(len(team), -1))]
    # customers signed before the span: their renewals fall in the first year
    b_team, b_account, b_anniv = _existing_customers(rng, org, companies, size, start)
    lead = rng.integers(*S.RENEWAL_LEAD_DAYS, size=len(b_team))
    b_created = business_time(rng, np.maximum(start + 1, b_anniv - lead))
    b_owner = aes.pick(rng, b_team, b_created // DAY)
    frontier.append(add_batch(b_team, b_owner, b_created, b_account, np.full(len(b_team), RENEWAL), None,
                              np.full(len(b_team), -1)))
    for _ in range(8):
        ids = np.concatenate(frontier) if frontier else np.empty(0, np.int64)
        if len(ids) == 0:
            break
        stage, last_ts, amount = outcomes(out.log(), count[0])
        pending = _follow_ons(rng, Deals.concat(parts), ids, stage, last_ts, amount, aes, horizon_s)
        frontier = [add_batch(*p) for p in pending]
    deals = Deals.concat(parts)
    _sales_ops_renewals(rng, deals)
    return deals, out.log()


def _existing_customers(rng: np.random.Generator, org: Org, companies: Companies,
                        size: S.SizeSpec, start: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    teams, accounts, anniv = [], [], []
    for team in org.teams:
        if team.market not in S.MARKETS:
            continue
        seats = sum(1 for e in org.employees if e.stints[0].team == team.idx and e.stints[0].role == "ae"
                    and e.hire < start)
        k = int(rng.poisson(S.EXISTING_CUSTOMERS_PER_AE[team.market] * seats * size.deal_rate))
        pool = np.flatnonzero(companies.team == team.idx)
        if k == 0 or len(pool) == 0:
            continue
        chosen = rng.choice(pool, size=min(k, len(pool)), replace=False)
        teams.append(np.full(len(chosen), team.idx))
        accounts.append(chosen)
        anniv.append(start + rng.integers(0, 365, size=len(chosen)))
    if not teams:
        e = np.empty(0, np.int64)
        return e, e, e
    return np.concatenate(teams), np.concatenate(accounts), np.concatenate(anniv)


def _follow_ons(rng: np.random.Generator, deals: Deals, ids: np.ndarray, stage: np.ndarray,
                last_ts: np.ndarray, amount: np.ndarray, aes: AeIndex, horizon_s: int) -> list:
    """Renewal a year after each win; expansions after some new and renewal wins."""
    won = ids[stage[ids] == S.WON]
    if len(won) == 0:
        return []
    won_day = last_ts[won] // DAY
    out = []
    r_created = business_time(rng, won_day + 365 - rng.integers(*S.RENEWAL_LEAD_DAYS, size=len(won)))
    r_amount = amount[won] * rng.uniform(*S.RENEWAL_UPLIFT, size=len(won))
    r_owner = aes.pick(rng, deals.team[won], r_created // DAY, prefer=deals.owner0[won])
    out.append((deals.team[won], r_owner, r_created, deals.account[won], np.full(len(won), RENEWAL),
                r_amount, won))
    exp = won[(deals.dtype[won] != EXPANSION) & (rng.random(len(won)) < S.EXPANSION_PROB)]
    if len(exp):
        e_created = business_time(rng, last_ts[exp] // DAY + rng.integers(90, 270, size=len(exp)))
        e_amount = amount[exp] * rng.uniform(*S.EXPANSION_SHARE, size=len(exp))
        e_owner = aes.pick(rng, deals.team[exp], e_created // DAY, prefer=deals.owner0[exp])
        out.append((deals.team[exp], e_owner, e_created, deals.account[exp],
                    np.full(len(exp), EXPANSION), e_amount, exp))
    return [o for o in out if (o[2] < horizon_s).any()]


def _sales_ops_renewals(rng: np.random.Generator, deals: Deals) -> None:
    """A few Salesforce renewals are created by automation and stay owned by the sales ops user."""
    m = (deals.dtype == RENEWAL) & (deals.crm == S.SF) & (rng.random(len(deals)) < S.SALES_OPS_RENEWAL_SHARE)
    deals.owner0[m] = SALES_OPS
