"""HR data beside the roster: absences (planned leave and sick days), quarterly eNPS answers, and
quotas per rep per fiscal quarter (ramped for new hires)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from . import settings as S
from .org import Org
from .timeutil import add_months, date_of, day_of, quarter_start, weekday


@dataclass
class Absence:
    employee: int
    start: int  # day number (a weekday)
    end: int  # inclusive
    planned: bool


@dataclass
class Answer:
    survey: str
    day: int
    team: int
    score: int


@dataclass
class Quota:
    employee: int
    start: int  # quarter start day
    end: int  # quarter end day (inclusive)
    kind: str  # revenue | meetings
    amount: float
    known: int  # day the quota was set (visible from then on)


def _add_workdays(day: int, n: int) -> int:
    """The n-th working day counting `day` as the first."""
    d, left = day, n
    while True:
        if weekday(np.array([d]))[0] < 5:
            left -= 1
            if left == 0:
                return d
        d += 1


def simulate_absences(rng: np.random.Generator, org: Org, start: int, horizon: int) -> list[Absence]:
    """Planned leave in blocks and short sick spells within each employment, never overlapping."""
    out: list[Absence] = []
    for e in org.employees:
        lo, hi = max(e.hire, start), min(e.exit or horizon, horizon)
        if hi - lo < 5:
            continue
        years = (hi - lo) / 365.0
        items: list[tuple[int, int, bool]] = []
        n_blocks = rng.poisson(5 * years)
        for _ in range(n_blocks):
            length = int(rng.choice([1, 2, 3, 5, 5, 10]))
            items.append((int(rng.integers(lo, hi)), length, True))
        for _ in range(rng.poisson(S.SICK_SPELLS_PER_YEAR * years)):
            items.append((int(rng.integers(lo, hi)), int(rng.integers(*S.SICK_SPELL_DAYS)), False))
        busy_until = -1
        for first, length, planned in sorted(items):
            while weekday(np.array([first]))[0] >= 5:
                first += 1
            if first <= busy_until:
                continue
            last = _add_workdays(first, length)
            if last >= hi:
                continue
            out.append(Absence(e.idx, first, last, planned))
            busy_until = last
    return out


def simulate_surveys(rng: np.random.Generator, org: Org, start: int, horizon: int,
                     fy_start_month: int) -> list[Answer]:
    """One anonymous eNPS survey per fiscal quarter, in the middle of the quarter."""
    weights = np.asarray(S.ENPS_SCORE_WEIGHTS, dtype=float)
    weights /= weights.sum()
    change = org.manager_changes[0] if org.manager_changes else None
    out: list[Answer] = []
    q = quarter_start(date_of(start), fy_start_month)
    while day_of(q) < horizon:
        day = day_of(q + timedelta(days=45))
        while weekday(np.array([day]))[0] >= 5:
            day += 1
        if start <= day < horizon:
            fy = q.year if q.month >= fy_start_month else q.year - 1
            qn = ((q.month - fy_start_month) % 12) // 3 + 1
            survey = f"ENPS-FY{fy}-Q{qn}"
            for e in org.employees:
                if not e.employed(day) or rng.random() >= S.SURVEY_RESPONSE_RATE:
                    continue
                team = e.stint_at(day).team
                score = int(rng.choice(11, p=weights))
                if change is not None and team == change.team:
                    score += S.MANAGER_CHANGE_ENPS_SHIFT if day >= change.day else -1
                out.append(Answer(survey, day, team, int(np.clip(score, 0, 10))))
        q = add_months(q, 3)
    return out


def quota_levels(org: Org, won_market: np.ndarray, won_day: np.ndarray, won_amount: np.ndarray,
                 start: int, horizon: int, fy_start_month: int) -> dict[tuple[str, int], float]:
    """Full quarterly quota per (market, fiscal quarter start day): the bookings per AE seat over
    the span divided by the target attainment, rounded to 5,000 (sales planning sets quotas from
    the expected bookings)."""
    def q_of(day: int) -> int:
        return day_of(quarter_start(date_of(day), fy_start_month))
    seat_days: dict[tuple[str, int], float] = {}
    for e in org.employees:
        for i, st in enumerate(e.stints):
            if st.role != "ae":
                continue
            end = e.stints[i + 1].start if i + 1 < len(e.stints) else (e.exit or horizon)
            market = org.teams[st.team].market
            for day in range(max(st.start, start), min(end, horizon)):
                key = (market, q_of(day))
                seat_days[key] = seat_days.get(key, 0.0) + 1
    booked: dict[tuple[str, int], float] = {}
    quarter_cache: dict[int, int] = {}
    for m, d, a in zip(won_market, won_day, won_amount, strict=True):
        q = quarter_cache.setdefault(int(d), q_of(int(d)))
        booked[(str(m), q)] = booked.get((str(m), q), 0.0) + float(a)
    # one level per market for the whole span, so "full quota" means the same thing for every hire
    out = {}
    for market in {m for m, _ in seat_days}:
        days = sum(v for (m, _), v in seat_days.items() if m == market)
        total = sum(v for (m, _), v in booked.items() if m == market)
        if days >= 30 and total > 0:
            level = total / (days / 91.3)
            for (m, q) in seat_days:
                if m == market:
                    out[(m, q)] = max(5000.0, round(level / S.TARGET_ATTAINMENT / 5000) * 5000)
    return out


def _fy_start(d, fy_start_month: int):  # type: ignore[no-untyped-def]
    year = d.year if d.month >= fy_start_month else d.year - 1
    return d.replace(year=year, month=fy_start_month, day=1)


def simulate_quotas(org: Org, start: int, horizon: int, fy_start_month: int,
                    levels: dict[tuple[str, int], float] | None = None) -> list[Quota]:
    """Revenue quotas (AEs, corporate currency) and meeting quotas (SDRs) per fiscal quarter,
    ramped over the first three quarters in the seat and prorated in the quarter of arrival."""
    levels = levels or {}
    out: list[Quota] = []
    for e in org.employees:
        for i, st in enumerate(e.stints):
            if st.role not in ("ae", "sdr"):
                continue
            end = e.stints[i + 1].start if i + 1 < len(e.stints) else (e.exit or horizon)
            market = org.teams[st.team].market
            first_q = quarter_start(date_of(max(st.start, start)), fy_start_month)
            arrival_q = quarter_start(date_of(st.start), fy_start_month)
            q = first_q
            while day_of(q) < min(end, horizon + 95):
                q_end = add_months(q, 3)
                if st.role == "sdr":
                    full = float(S.SDR_QUARTERLY_MEETINGS)
                else:
                    full = levels.get((market, day_of(q))) or float(S.FULL_QUARTERLY_QUOTA_EUR[market])
                ramp_index = (q.year - arrival_q.year) * 4 + (q.month - arrival_q.month) // 3
                ramp_index += 2 if e.rehire_of is not None else 0
                factor = S.QUOTA_RAMP[ramp_index] if 0 <= ramp_index < len(S.QUOTA_RAMP) else 1.0
                if ramp_index == 0 and st.start > day_of(q):
                    factor *= (day_of(q_end) - st.start) / (day_of(q_end) - day_of(q))
                amount = round(full * factor, -3) if st.role == "ae" else round(full * factor)
                if amount > 0:
                    known = max(day_of(q) - 14, st.start)
                    out.append(Quota(e.idx, day_of(q), day_of(q_end) - 1,
                                     "meetings" if st.role == "sdr" else "revenue", float(amount), known))
                q = q_end
    return out
