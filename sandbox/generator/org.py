"""The sales organisation over time: teams, seats, hires and exits, a rehire, a promotion, and a
manager change with a built-in effect.

Every seat of every team is a chain of occupants: an occupant stays for an exponential tenure
(annual hazard from settings), the seat is vacant for a while, then a new person is hired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import settings as S
from .names import FIRST_NAMES, LAST_NAMES, slug


@dataclass
class Stint:
    """From `start` (day number) the employee holds `role` at `level` in team `team`."""

    start: int
    team: int
    role: str  # ae | sdr | manager | vp
    level: str


@dataclass
class Employee:
    """One employment (one HR roster row); a rehired person has two with the same `person`."""

    idx: int
    person: int
    first: str
    last: str
    email: str
    hire: int
    exit: int | None = None
    exit_type: str | None = None
    stints: list[Stint] = field(default_factory=list)
    events: list[tuple[int, str, str]] = field(default_factory=list)
    ramp_days: int = 120
    emp_id: str = ""
    rehire_of: int | None = None
    dropped: bool = False  # the seat went to an internal candidate instead

    def stint_at(self, day: int) -> Stint:
        """The stint in force on a day (the first one before the hire date)."""
        current = self.stints[0]
        for st in self.stints:
            if st.start <= day:
                current = st
        return current

    def employed(self, day: int) -> bool:
        return self.hire <= day and (self.exit is None or day < self.exit)


@dataclass
class Team:
    idx: int
    name: str
    spec: S.TeamSpec
    copy: int
    managers: list[tuple[int, int]] = field(default_factory=list)  # (from day, employee idx)
    sdr_team: int | None = None

    @property
    def crm(self) -> int:
        return self.spec.crm

    @property
    def market(self) -> str:
        return self.spec.market

    def manager_at(self, day: int) -> int | None:
        current = None
        for start, emp in self.managers:
            if start <= day:
                current = emp
        return current if current is not None else (self.managers[0][1] if self.managers else None)


@dataclass
class ManagerChange:
    team: int
    day: int
    old: int
    new: int


@dataclass
class Org:
    teams: list[Team]
    employees: list[Employee]
    manager_changes: list[ManagerChange]
    vp: int

    def team_by_name(self, name: str) -> Team:
        for t in self.teams:
            if t.name == name:
                return t
        raise KeyError(f"sandbox org: no team named {name!r}")


class _People:
    """Hands out names and unique e-mail addresses."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.count = 0

    def new(self, domain: str) -> tuple[int, str, str, str]:
        first = FIRST_NAMES[self.rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[self.rng.integers(len(LAST_NAMES))]
        local = f"{slug(first)}.{slug(last)}"
        email = f"{local}@{domain}"
        n = 2
        while email in self.used:
            email = f"{local}{n}@{domain}"
            n += 1
        self.used.add(email)
        self.count += 1
        return self.count - 1, first, last, email


def _tenure(rng: np.random.Generator, role: str) -> float:
    hazard = S.EXIT_HAZARD[role]
    return float("inf") if hazard <= 0 else rng.exponential(365.0 / hazard)


def simulate_org(rng: np.random.Generator, size: S.SizeSpec, start: int, as_of: int,
                 horizon: int) -> Org:
    """Simulate teams and employments from before `start` up to `horizon` (day numbers)."""
    people = _People(rng)
    teams: list[Team] = []
    employees: list[Employee] = []
    manager_seats: dict[tuple[int, str], int] = {}

    def add(role: str, level: str, team: int, hire: int, domain: str) -> Employee:
        person, first, last, email = people.new(domain)
        lo, hi = S.SDR_RAMP_DAYS if role == "sdr" else S.RAMP_DAYS
        emp = Employee(len(employees), person, first, last, email, hire,
                       stints=[Stint(hire, team, role, level)], ramp_days=int(rng.integers(lo, hi + 1)))
        emp.events.append((hire, "hire", f"{role} in {teams[team].name}"))
        employees.append(emp)
        return emp

    for copy in range(size.org_copies):
        for spec in S.TEAMS:
            if spec.market == "leadership" and copy > 0:
                continue
            aes, sdrs = (S.TINY_TEAMS[spec.name] if size.tiny_org else (spec.aes, spec.sdrs))
            if size.tiny_org and aes == 0 and sdrs == 0 and spec.market != "leadership":
                continue
            name = spec.name if size.org_copies == 1 or spec.market == "leadership" else f"{spec.name} {copy + 1}"
            team = Team(len(teams), name, spec, copy)
            teams.append(team)
            domain = S.SUBSIDIARY_DOMAIN if spec.market == "subsidiary" else S.COMPANY_DOMAIN
            key = (copy if spec.manager != "vp" else 0, spec.manager)
            if key not in manager_seats:
                role = "vp" if spec.manager == "vp" else "manager"
                hire = start - int(rng.integers(400, 2500))
                mgr = add(role, spec.manager_level, team.idx, hire, domain)
                manager_seats[key] = mgr.idx
            team.managers.append((-10**6, manager_seats[key]))
            for role, count in (("ae", aes), ("sdr", sdrs)):
                years = (horizon - start) / 365.0
                growth = int(rng.binomial(count, min(1.0, S.GROWTH_SEATS_PER_YEAR * years)))
                opens = [None] * count + [int(rng.integers(start + 30, horizon)) for _ in range(growth)]
                for opened in opens:
                    _fill_seat(rng, add, role, team.idx, opened, start, horizon, domain, employees)
    for team in teams:
        if team.spec.sdr_team:
            sdr_name = team.spec.sdr_team if size.org_copies == 1 else f"{team.spec.sdr_team} {team.copy + 1}"
            team.sdr_team = next((t.idx for t in teams if t.name == sdr_name), None)
    vp = manager_seats[(0, "vp")]
    org = Org(teams, employees, [], vp)
    _manager_change(rng, org, people, start, as_of)
    _rehire(rng, org, start, as_of)
    _promotion(rng, org, start, as_of)
    _finish(org, as_of)
    return org


def _fill_seat(rng: np.random.Generator, add: Callable[[str, str, int, int, str], Employee], role: str, team: int, opened: int | None, start: int,
               horizon: int, domain: str, employees: list[Employee]) -> None:
    """Occupants of one seat: the first hired before the span (or when a new seat opens)."""
    if opened is None:
        hire = start - int(rng.integers(*S.PRIOR_TENURE_DAYS))
        exit_at = start + _tenure(rng, role)
    else:
        hire = opened
        exit_at = hire + _tenure(rng, role)
    level_pool = ("junior", "mid") if role == "sdr" else S.LEVELS_AE
    weights = (0.6, 0.4) if role == "sdr" else S.LEVEL_WEIGHTS
    while hire < horizon:
        level = str(rng.choice(level_pool, p=weights))
        emp = add(role, level, team, hire, domain)
        if exit_at >= horizon:
            break
        emp.exit = int(exit_at)
        emp.exit_type = "voluntary" if rng.random() < S.VOLUNTARY_SHARE else "involuntary"
        hire = int(exit_at) + int(rng.integers(*S.VACANCY_DAYS))
        exit_at = hire + _tenure(rng, role)


def _manager_change(rng: np.random.Generator, org: Org, people: _People, start: int, as_of: int) -> None:
    """The designed manager change: the old manager leaves, an external hire takes over."""
    candidates = [t for t in org.teams if t.spec.name == S.MANAGER_CHANGE_TEAM and t.copy == 0]
    if not candidates:
        return
    team = candidates[0]
    day = max(start + 120, as_of - S.MANAGER_CHANGE_DAYS_BEFORE_AS_OF)
    old = org.employees[team.managers[0][1]]
    old.exit, old.exit_type = day, "involuntary"
    person, first, last, email = people.new(S.COMPANY_DOMAIN)
    new = Employee(len(org.employees), person, first, last, email, day,
                   stints=[Stint(day, team.idx, "manager", "manager")])
    new.events.append((day, "hire", f"manager of {team.name}"))
    org.employees.append(new)
    team.managers.append((day, new.idx))
    org.manager_changes.append(ManagerChange(team.idx, day, old.idx, new.idx))
    for emp in org.employees:
        if emp.stints[0].role in ("ae", "sdr") and emp.employed(day) and emp.stint_at(day).team == team.idx:
            emp.events.append((day, "manager_change", f"new manager {new.email}"))


def _ae_hires(org: Org, copy: int) -> list[Employee]:
    return [e for e in org.employees if e.stints[0].role == "ae" and org.teams[e.stints[0].team].copy == copy
            and e.rehire_of is None and not e.dropped]


def _rehire(rng: np.random.Generator, org: Org, start: int, as_of: int) -> None:
    """One voluntary leaver comes back months later into another AE seat (a new roster row)."""
    hires = _ae_hires(org, 0)
    leavers = sorted((e for e in hires if e.exit is not None and start + 20 <= e.exit <= as_of - 150),
                     key=lambda e: e.exit or 0)
    for leaver in leavers:
        assert leaver.exit is not None
        crm = org.teams[leaver.stints[0].team].crm
        later = [e for e in hires if e is not leaver and leaver.exit + 90 <= e.hire <= as_of - 30
                 and org.teams[e.stints[0].team].crm == crm and e.person != leaver.person]
        if not later:
            continue
        back = later[int(rng.integers(len(later)))]
        leaver.exit_type = "voluntary"
        back.person, back.first, back.last, back.email = leaver.person, leaver.first, leaver.last, leaver.email
        back.rehire_of = leaver.idx
        back.ramp_days = 45  # a returning rep knows the product
        back.events = [(back.hire, "rehire", "returns after leaving on " + str(leaver.exit))]
        return


def _promotion(rng: np.random.Generator, org: Org, start: int, as_of: int) -> None:
    """An SDR of the SMB SDR team becomes an AE in a Salesforce team (users in two CRMs)."""
    sdrs = [e for e in org.employees if e.stints[0].role == "sdr" and org.teams[e.stints[0].team].crm == S.HS
            and org.teams[e.stints[0].team].copy == 0]
    seats = [e for e in _ae_hires(org, 0) if org.teams[e.stints[0].team].crm == S.SF
             and start + 120 <= e.hire <= as_of - 60 and org.teams[e.stints[0].team].market == "mid_market"]
    for target in sorted(seats, key=lambda e: e.hire):
        day = target.hire
        movers = [s for s in sdrs if s.hire <= day - 180 and (s.exit is None or s.exit > day + 30)]
        if not movers:
            continue
        mover = movers[int(rng.integers(len(movers)))]
        mover.stints.append(Stint(day, target.stints[0].team, "ae", "junior"))
        mover.exit, mover.exit_type = target.exit, target.exit_type
        mover.ramp_days = 100
        mover.events.append((day, "promotion", "sdr to ae"))
        mover.events.append((day, "team_change", f"to {org.teams[target.stints[0].team].name}"))
        target.dropped = True
        return


def _finish(org: Org, as_of: int) -> None:
    """Drop seats given to internal candidates, add exit events, give stable employee ids
    (E00001… in hire order)."""
    remap: dict[int, int] = {}
    kept: list[Employee] = []
    for e in org.employees:
        if not e.dropped:
            remap[e.idx] = len(kept)
            kept.append(e)
    for e in kept:
        e.idx = remap[e.idx]
        if e.rehire_of is not None:
            e.rehire_of = remap[e.rehire_of]
    for t in org.teams:
        t.managers = [(d, remap[m]) for d, m in t.managers]
    for mc in org.manager_changes:
        mc.old, mc.new = remap[mc.old], remap[mc.new]
    org.vp = remap[org.vp]
    org.employees = kept
    for e in org.employees:
        if e.exit is not None:
            e.events.append((e.exit, "exit", e.exit_type or ""))
    order = sorted(org.employees, key=lambda e: (e.hire, e.email))
    for n, e in enumerate(order, start=1):
        e.emp_id = f"E{n:05d}"
    for e in org.employees:
        if e.rehire_of is not None:
            prev = org.employees[e.rehire_of]
            e.events = [(d, t, (f"previously {prev.emp_id}" if t == "rehire" else x)) for d, t, x in e.events]
