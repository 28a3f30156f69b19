"""Ground truth of team health (monthly, company / team / manager) and of ramp time per new rep."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import settings as S
from ..activities import MEETING
from ..render.inputs import roster_view, visible_quotas
from ..timeutil import DAY, add_months, date_of, day_of, periods
from ..world import World
from .frames import activity_frame, deal_frame


def _workdays(lo: np.ndarray | int, hi: np.ndarray | int) -> np.ndarray:
    """Monday-Friday days in [lo, hi) (day numbers); 0 when hi <= lo."""
    lo_a, hi_a = np.asarray(lo, np.int64), np.asarray(hi, np.int64)
    hi_a = np.maximum(hi_a, lo_a)
    return np.busday_count(lo_a.astype("datetime64[D]"), hi_a.astype("datetime64[D]"))


def team_health(world: World) -> pd.DataFrame:
    """Headcount, hires, exits, rolling voluntary turnover, absenteeism and eNPS per month."""
    cut = world.cutoff
    org = world.org
    roster = pd.DataFrame(roster_view(org, cut))
    roster["hire"] = [e for e in (org.employees[i].hire for i in roster["idx"])]
    roster["exit"] = [org.employees[i].exit if (org.employees[i].exit is not None and org.employees[i].exit * DAY < cut)
                      else 10**9 for i in roster["idx"]]
    today = (cut - 1) // DAY
    team_manager = {t.name: org.employees[m].email for t in org.teams
                    if (m := t.manager_at(today)) is not None}
    absences = pd.DataFrame([(a.employee, a.start, a.end, a.planned) for a in world.absences if a.start * DAY < cut],
                            columns=["idx", "start", "end", "planned"])
    answers = pd.DataFrame([(s.day, org.teams[s.team].name, s.score) for s in world.answers if s.day * DAY < cut],
                           columns=["day", "team", "score"])
    groups: list[tuple[str, str, pd.DataFrame, set[str]]] = [("company", "all", roster, set(team_manager) | set(answers["team"]))]
    for team, g in roster.groupby("team"):
        groups.append(("team", str(team), g, {str(team)}))
    for mgr, g in roster[roster["manager_email"].notna()].groupby("manager_email"):
        groups.append(("manager", str(mgr), g, {t for t, m in team_manager.items() if m == mgr}))
    rows = []
    as_of = date_of(cut // DAY)
    for ps_d, pe_d in periods("month", date_of(world.start), as_of, world.fiscal_year_start_month):
        ps, pe = day_of(ps_d), day_of(pe_d)
        w_lo = day_of(add_months(ps_d, -11))
        for scope, sid, g, teams in groups:
            hire, exit_ = g["hire"].to_numpy(), g["exit"].to_numpy()
            vol = g["exit_type"].to_numpy() == "voluntary"

            def headcount(day: int) -> int:
                return int(((hire <= day) & (exit_ > day)).sum())
            in_month = (exit_ >= ps) & (exit_ < pe)
            vol_12 = int((vol & (exit_ >= w_lo) & (exit_ < pe)).sum())
            avg_12 = (headcount(w_lo) + headcount(pe)) / 2
            members = g["idx"].to_numpy()
            lo = np.maximum(hire, ps)
            hi = np.minimum(exit_, pe)
            scheduled = int(_workdays(lo, hi).sum())
            ab = absences[absences["idx"].isin(members)]
            planned = unplanned = 0
            if len(ab):
                emp = g.set_index("idx").loc[ab["idx"]]
                a_lo = np.maximum(ab["start"].to_numpy(), np.maximum(emp["hire"].to_numpy(), ps))
                a_hi = np.minimum(ab["end"].to_numpy() + 1, np.minimum(emp["exit"].to_numpy(), pe))
                days = _workdays(a_lo, a_hi)
                planned = int(days[ab["planned"].to_numpy()].sum())
                unplanned = int(days[~ab["planned"].to_numpy()].sum())
            scheduled -= planned
            ans = answers[(answers["day"] >= ps) & (answers["day"] < pe) & answers["team"].isin(teams)]
            n = len(ans)
            enps = None
            if n >= S.MIN_SURVEY_RESPONDENTS:
                enps = 100.0 * ((ans["score"] >= 9).sum() - (ans["score"] <= 6).sum()) / n
            rows.append({
                "month": ps_d.isoformat(), "scope_type": scope, "scope_id": sid,
                "headcount_start": headcount(ps), "headcount_end": headcount(pe),
                "voluntary_exits": int((in_month & vol).sum()),
                "involuntary_exits": int((in_month & (g["exit_type"].to_numpy() == "involuntary")).sum()),
                "hires": int(((hire >= ps) & (hire < pe)).sum()),
                "voluntary_turnover_12m": (vol_12 / avg_12) if avg_12 >= S.SMALL_TEAM_THRESHOLD else None,
                "voluntary_exits_12m": vol_12, "headcount_avg_12m": avg_12,
                "absenteeism_rate": unplanned / scheduled if scheduled > 0 else None,
                "unplanned_absence_days": unplanned, "scheduled_days": scheduled,
                "enps": enps, "enps_respondents": n,
            })
    return pd.DataFrame(rows)


def rep_ramp(world: World) -> pd.DataFrame:
    """Days from hire to productivity for AEs and SDRs hired inside the span (NULL: not yet)."""
    cut = world.cutoff
    last = (cut - 1) // DAY
    roster = [r for r in roster_view(world.org, cut)
              if r["role"] in ("ae", "sdr") and day_of_iso(str(r["hire_date"])) >= world.start]
    deals = deal_frame(world)
    won = deals[deals["stage"] == S.WON]
    acts = activity_frame(world)
    meetings = acts[acts["kind"] == MEETING]
    quotas: dict[str, float] = {}
    for q in visible_quotas(world, cut):
        if q.kind == "revenue":
            email = world.org.employees[q.employee].email.lower()
            quotas[email] = max(quotas.get(email, 0.0), q.amount)
    rows = []
    for r in roster:
        email = str(r["email"]).lower()
        hire = day_of_iso(str(r["hire_date"]))
        days = np.arange(hire, last + 1)
        ramp = None
        if r["role"] == "ae" and quotas.get(email):
            mine = won[won["rep"] == email]
            daily = np.bincount(np.clip(mine["close_day"].to_numpy() - (hire - 90), 0, None),
                                weights=mine["amount_corp"].to_numpy(), minlength=len(days) + 91)
            ramp = _first_reach(daily, days, hire, 90, S.RAMP_SHARE * quotas[email])
        elif r["role"] == "sdr":
            mine = meetings[meetings["rep"] == email]
            daily = np.bincount(np.clip(mine["day"].to_numpy() - (hire - 90), 0, None),
                                minlength=len(days) + 91).astype(float)
            ramp = _first_reach(daily, days, hire, 30, S.RAMP_SHARE * S.SDR_MONTHLY_MEETING_TARGET)
        rows.append({"rep_email": email, "role": r["role"], "hire_date": r["hire_date"], "ramp_days": ramp})
    return pd.DataFrame(rows, columns=["rep_email", "role", "hire_date", "ramp_days"])


def _first_reach(daily: np.ndarray, days: np.ndarray, hire: int, window: int, target: float) -> int | None:
    """First day whose trailing `window`-day sum (the day included) reaches the target."""
    if len(days) == 0:
        return None
    csum = np.r_[0.0, np.cumsum(daily)]
    pos = days - (hire - 90)  # index of each day in `daily`
    trailing = csum[pos + 1] - csum[np.maximum(pos + 1 - window, 0)]
    hit = np.flatnonzero(trailing >= target - 1e-9)
    return int(days[hit[0]] - hire) if len(hit) else None


def day_of_iso(text: str) -> int:
    from datetime import date

    return day_of(date.fromisoformat(text))
