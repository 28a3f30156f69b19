"""What every renderer needs about the world at the cutoff: CRM users, deal state, record ids."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import settings as S
from ..deals import SALES_OPS
from ..events import AMOUNT, CLOSE, OWNER, STAGE, FieldIndex
from ..timeutil import DAY, NEVER
from ..world import World


@dataclass
class User:
    """A person's user in one CRM (a rehired person gets the same user back)."""

    crm: int
    person: int
    employees: list[int]
    first: str
    last: str
    email: str
    created: int
    intervals: list[tuple[int, int]]  # active [from, to) in epoch seconds
    seq: int = 0
    teams: list[int] = field(default_factory=list)

    def active(self, cut: int) -> bool:
        return any(a <= cut - 1 < b for a, b in self.intervals)

    def modified(self, cut: int) -> int:
        stamps = [self.created] + [t for a, b in self.intervals for t in (a, b) if t < cut]
        return max(t for t in stamps if t < cut)


def _users(world: World) -> dict[int, list[User]]:
    """Users per CRM for everyone who worked in (or managed, or oversaw) that CRM's teams."""
    org = world.org
    manages: dict[int, set[int]] = {}
    for t in org.teams:
        for _, m in t.managers:
            manages.setdefault(m, set()).add(t.idx)
    by_key: dict[tuple[int, int], User] = {}
    for e in org.employees:
        needs: dict[int, int] = {}  # crm -> first day needed
        teams = {st.team for st in e.stints} | manages.get(e.idx, set())
        for st in e.stints:
            crm = org.teams[st.team].crm
            needs.setdefault(crm, st.start)
            if st.role == "sdr" and crm == S.SF:
                needs.setdefault(S.HS, st.start)  # SDRs work marketing's leads in HubSpot too
        for t in manages.get(e.idx, set()):
            needs.setdefault(org.teams[t].crm, e.hire)
        if e.stints[0].role == "vp":
            for crm in (S.SF, S.HS, S.PD):
                needs.setdefault(crm, e.hire)
        for crm, day in needs.items():
            start = (day - 2) * DAY + 10 * 3600
            end = (e.exit + 1) * DAY + 10 * 3600 if e.exit is not None else NEVER
            key = (crm, e.person)
            if key in by_key:
                u = by_key[key]
                u.employees.append(e.idx)
                u.intervals.append((start, end))
                u.teams.extend(sorted(teams))
            else:
                by_key[key] = User(crm, e.person, [e.idx], e.first, e.last, e.email, start,
                                   [(start, end)], teams=sorted(teams))
    out: dict[int, list[User]] = {}
    for crm in (S.SF, S.HS, S.PD):
        users = sorted((u for u in by_key.values() if u.crm == crm), key=lambda u: (u.created, u.email))
        for i, u in enumerate(users):
            u.seq = i + 1  # Salesforce seq 0 is the sales ops integration user
        out[crm] = users
    return out


def _seq_by_crm(world: World) -> np.ndarray:
    """Per-CRM creation rank of each deal (its record number in that CRM)."""
    d = world.deals
    seq = np.empty(len(d), dtype=np.int64)
    for crm in (S.SF, S.HS, S.PD):
        idx = np.flatnonzero(d.crm == crm)
        order = idx[np.argsort(d.created[idx], kind="stable")]
        seq[order] = np.arange(len(order))
    return seq


def static(world: World) -> dict:
    """Cutoff-independent indexes, computed once per world."""
    st = world.static
    if "stage" not in st:
        log = world.log
        st["stage"] = FieldIndex.build(log, STAGE)
        st["amount"] = FieldIndex.build(log, AMOUNT)
        st["close"] = FieldIndex.build(log, CLOSE)
        st["owner"] = FieldIndex.build(log, OWNER)
        st["deal_seq"] = _seq_by_crm(world)
        st["users"] = _users(world)
        st["log_start"] = np.searchsorted(log.deal, np.arange(len(world.deals) + 1))
    return st


def last_rate_day(cut: int) -> int:
    """The last day whose exchange rate is published before the cutoff (rates come out at 06:00)."""
    return (cut - 6 * 3600 - 1) // DAY


class Context:
    """The world at its cutoff, with the lookups the renderers share."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.cut = world.cutoff
        st = static(world)
        self.users: dict[int, list[User]] = st["users"]
        self.deal_seq: np.ndarray = st["deal_seq"]
        self.log_start: np.ndarray = st["log_start"]
        self.user_of_emp: dict[int, dict[int, User]] = {
            crm: {e: u for u in users for e in u.employees if u.created < self.cut}
            for crm, users in self.users.items()
        }
        n = len(world.deals)
        d = world.deals
        self.visible = d.created < self.cut
        self.deleted = d.deleted < self.cut
        sidx, _ = st["stage"].last_before(n, self.cut)
        self.stage = np.where(sidx >= 0, st["stage"].value[np.maximum(sidx, 0)], 1).astype(np.int64)
        self.sub = np.where(sidx >= 0, st["stage"].sub[np.maximum(sidx, 0)], 0).astype(np.int64)
        self.amount = st["amount"].value_before(n, self.cut, 0.0)
        self.close = st["close"].value_before(n, self.cut, 0.0).astype(np.int64)
        self.owner = st["owner"].value_before(n, self.cut, SALES_OPS).astype(np.int64)
        log = world.log
        m = log.ts < self.cut
        mod = np.zeros(n, dtype=np.int64)
        np.maximum.at(mod, log.deal[m], log.ts[m])
        self.modified = np.where(self.deleted, np.maximum(mod, d.deleted), mod)
        self.last_stage_ts = np.where(sidx >= 0, st["stage"].ts[np.maximum(sidx, 0)], d.created)

    # -- users --------------------------------------------------------------------------------------
    def user(self, crm: int, emp: int) -> User | None:
        return self.user_of_emp[crm].get(int(emp))

    def employee_email(self, emp: int) -> str:
        if emp == SALES_OPS:
            return S.SALES_OPS_EMAIL
        return self.w.org.employees[int(emp)].email

    def deals_of(self, crm: int) -> np.ndarray:
        """Visible deal ids of a CRM in record order."""
        idx = np.flatnonzero((self.w.deals.crm == crm) & self.visible)
        return idx[np.argsort(self.deal_seq[idx], kind="stable")]

    def deal_events(self, deal: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ts, field, value, sub) of a deal's events before the cutoff, in time order."""
        lo, hi = self.log_start[deal], self.log_start[deal + 1]
        log = self.w.log
        ts = log.ts[lo:hi]
        k = int(np.searchsorted(ts, self.cut))
        return ts[:k], log.field[lo:lo + k], log.value[lo:lo + k], log.sub[lo:lo + k]

    @property
    def last_rate_day(self) -> int:
        return last_rate_day(self.cut)

    def rate(self, currency: int, day: int) -> float:
        """Corporate units per unit of currency on a day (latest earlier rate when missing)."""
        w = self.w
        last_known = min(day, self.last_rate_day) - w.fx_first
        return float(w.fx[currency, max(0, min(last_known, w.fx.shape[1] - 1))])

    def drift_visible(self, crm: str) -> bool:
        return self.w.drift_ts(crm) < self.cut
