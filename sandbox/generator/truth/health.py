"""Ground truth of team health (monthly, company / team / manager) and of ramp time per new rep."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import settings as S
from ..activities import MEETING
from ..rendering.inputs import roster_view, visible_quotas
from ..timeutil import DAY, add_months, date_of, day_of, periods
from ..world import World
from .frames import activity_frame, deal_frame


def _workdays(lo: np.ndarray | int, hi: np.ndarray | int) -> np.ndarray:
    """Monday-Friday days in [lo, hi) (day numbers); 0 when hi <= lo."""
    lo_a, hi_a = np.asarray(lo, np.int64), np.asarray(hi, np.int64)
    hi_a = np.maximum(hi_a, lo_a)
    return np.busday_count(lo_a.astype("datetime64[D]"), hi_a.astype("datetime64[D]"))


def team_health(world: World) -> pd.DataFrame:
    """Headcount, hires, exits, rolling voluntary turnover, absenteeism and eNPS per month, for the
    company, each team (roster team, as is) and each manager (their direct reports)."""
    cut = world.cutoff
    org = world.org
    roster = roster_view(org, cut)
    idx = np.array([int(r["idx"]) for r in roster], dtype=np.int64)
    hire = np.array([org.employees[i].hire for i in idx], dtype=np.int64)
    exit_ = np.array([org.employees[i].exit if (org.employees[i].exit is not None
                                                and org.employees[i].exit * DAY < cut) else 10**9 for i in idx],
                     dtype=np.int64)
    vol = np.array([r["exit_type"] == "voluntary" for r in roster])
    invol = np.array([r["exit_type"] == "involuntary" for r in roster])
    today = (cut - 1) // DAY
    team_manager = {t.name: org.employees[m].email for t in org.teams if (m := t.manager_at(today)) is not None}
    # groups: (scope, id) -> member mask over roster rows, and the survey teams it covers
    groups: list[tuple[str, str, np.ndarray, set[str]]] = [("company", "all", np.ones(len(roster), bool),
                                                            set(team_manager) | {t.name for t in org.teams})]
    teams = np.array([str(r["team"]) for r in roster], dtype=object)
    managers = np.array([r["manager_email"] or "" for r in roster], dtype=object)
    for team in sorted(set(teams)):
        groups.append(("team", team, teams == team, {team}))
    for mgr in sorted(set(managers) - {""}):
        groups.append(("manager", mgr, managers == mgr, {t for t, m in team_manager.items() if m == mgr}))
    member = np.array([g[2] for g in groups], dtype=float)  # (groups, rows)
    pos_of = {int(e): k for k, e in enumerate(idx)}
    ab = [(pos_of[a.employee], a.start, a.end, a.planned) for a in world.absences
          if a.start * DAY < cut and a.employee in pos_of]
    ab_row = np.array([a[0] for a in ab], dtype=np.int64)
    ab_start = np.array([a[1] for a in ab], dtype=np.int64)
    ab_end = np.array([a[2] for a in ab], dtype=np.int64)
    ab_planned = np.array([a[3] for a in ab], dtype=bool)
    answers = [(s.day, org.teams[s.team].name, s.score) for s in world.answers if s.day * DAY < cut]
    ans_day = np.array([a[0] for a in answers], dtype=np.int64)
    ans_team = np.array([a[1] for a in answers], dtype=object)
    ans_score = np.array([a[2] for a in answers], dtype=np.int64)
    team_cover = [np.isin(ans_team, list(g[3])) for g in groups]
    rows = []
    for ps_d, pe_d in periods("month", date_of(world.start), date_of(cut // DAY), world.fiscal_year_start_month):
        ps, pe = day_of(ps_d), day_of(pe_d)
        w_lo = day_of(add_months(ps_d, -11))

        def count(mask: np.ndarray) -> np.ndarray:
            return member @ mask.astype(float)
        hc_start = count((hire <= ps) & (exit_ > ps))
        hc_end = count((hire <= pe) & (exit_ > pe))
        in_month = (exit_ >= ps) & (exit_ < pe)
        vol_m, invol_m = count(in_month & vol), count(in_month & invol)
        hires = count((hire >= ps) & (hire < pe))
        vol_12 = count(vol & (exit_ >= w_lo) & (exit_ < pe))
        avg_12 = (count((hire <= w_lo) & (exit_ > w_lo)) + hc_end) / 2
        scheduled = member @ _workdays(np.maximum(hire, ps), np.minimum(exit_, pe)).astype(float)
        if len(ab_row):
            lo = np.maximum(ab_start, np.maximum(hire[ab_row], ps))
            hi = np.minimum(ab_end + 1, np.minimum(exit_[ab_row], pe))
            days = _workdays(lo, hi).astype(float)
            per_row_planned = np.bincount(ab_row, weights=days * ab_planned, minlength=len(roster))
            per_row_unplanned = np.bincount(ab_row, weights=days * ~ab_planned, minlength=len(roster))
            planned, unplanned = member @ per_row_planned, member @ per_row_unplanned
        else:
            planned = unplanned = np.zeros(len(groups))
        scheduled = scheduled - planned
        in_survey = (ans_day >= ps) & (ans_day < pe)
        for k, (scope, sid, _, _) in enumerate(groups):
            sel = in_survey & team_cover[k]
            n = int(sel.sum())
            enps = None
            if n >= S.MIN_SURVEY_RESPONDENTS:
                scores = ans_score[sel]
                enps = 100.0 * (int((scores >= 9).sum()) - int((scores <= 6).sum())) / n
            rows.append({
                "month": ps_d.isoformat(), "scope_type": scope, "scope_id": sid,
                "headcount_start": int(hc_start[k]), "headcount_end": int(hc_end[k]),
                "voluntary_exits": int(vol_m[k]), "involuntary_exits": int(invol_m[k]), "hires": int(hires[k]),
                "voluntary_turnover_12m": (vol_12[k] / avg_12[k]) if avg_12[k] >= S.SMALL_TEAM_THRESHOLD else None,
                "voluntary_exits_12m": int(vol_12[k]), "headcount_avg_12m": float(avg_12[k]),
                "absenteeism_rate": unplanned[k] / scheduled[k] if scheduled[k] > 0 else None,
                "unplanned_absence_days": int(unplanned[k]), "scheduled_days": int(scheduled[k]),
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
    emails = {str(r["email"]).lower() for r in roster}
    won_by = {k: g for k, g in won[won["rep"].isin(emails)].groupby("rep")}
    meet_by = {k: g for k, g in meetings[meetings["rep"].isin(emails)].groupby("rep")}
    empty = pd.DataFrame({"close_day": [], "amount_corp": [], "day": []})
    rows = []
    for r in roster:
        email = str(r["email"]).lower()
        hire = day_of_iso(str(r["hire_date"]))
        days = np.arange(hire, last + 1)
        ramp = None
        if r["role"] == "ae" and quotas.get(email):
            mine = won_by.get(email, empty)
            mine = mine[mine["close_day"] >= hire - 90]
            daily = np.bincount((mine["close_day"].to_numpy() - (hire - 90)).astype(np.int64),
                                weights=mine["amount_corp"].to_numpy(float), minlength=len(days) + 91)
            ramp = _first_reach(daily, days, hire, 90, S.RAMP_SHARE * quotas[email])
        elif r["role"] == "sdr":
            mine = meet_by.get(email, empty)
            mine = mine[mine["day"] >= hire - 90]
            daily = np.bincount((mine["day"].to_numpy() - (hire - 90)).astype(np.int64),
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
