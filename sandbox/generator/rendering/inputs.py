"""The company's input CSV files (quotas, targets, HR, surveys, exchange rates) as known at the
cutoff."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .. import settings as S
from ..org import Employee, Org
from ..timeutil import DAY, iso_date
from ..world import World
from .context import last_rate_day


def to_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV text with a header row; None becomes an empty field."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def roster_view(org: Org, cut: int) -> list[dict[str, object]]:
    """HR roster rows as known at the cutoff: current team, role, manager; exits that happened."""
    today = (cut - 1) // DAY
    rows = []
    for e in sorted(org.employees, key=lambda x: x.emp_id):
        if e.hire * DAY >= cut:
            continue
        st = e.stint_at(today)
        team = org.teams[st.team]
        manager: Employee | None
        if st.role in ("ae", "sdr"):
            m = team.manager_at(today)
            manager = org.employees[m] if m is not None else None
        elif st.role == "manager":
            manager = org.employees[org.vp]
        else:
            manager = None
        exited = e.exit is not None and e.exit * DAY < cut
        rows.append({"employee_id": e.emp_id, "email": e.email, "full_name": f"{e.first} {e.last}",
                     "role": st.role, "level": st.level, "team": team.name,
                     "manager_email": manager.email if manager else None, "hire_date": iso_date(e.hire),
                     "exit_date": iso_date(e.exit) if exited and e.exit is not None else None,
                     "exit_type": e.exit_type if exited else None, "idx": e.idx})
    return rows


def visible_quotas(world: World, cut: int) -> list:
    return [q for q in world.quotas if q.known * DAY < cut and world.org.employees[q.employee].hire * DAY < cut]


def render_inputs(world: World) -> dict[str, str]:
    cut = world.cutoff
    org = world.org
    roster = roster_view(org, cut)
    visible = {r["idx"] for r in roster}
    out: dict[str, str] = {}
    out["quotas.csv"] = to_csv(
        ["rep_email", "period_start", "period_end", "quota_type", "quota_amount", "currency"],
        ((org.employees[q.employee].email, iso_date(q.start), iso_date(q.end), q.kind, _fmt(q.amount),
          world.corporate_currency if q.kind == "revenue" else None)
         for q in visible_quotas(world, cut)))
    out["targets.csv"] = to_csv(["kpi", "grain", "scope_type", "scope_id", "target"], _targets(world))
    keys = ["employee_id", "email", "full_name", "role", "level", "team", "manager_email", "hire_date",
            "exit_date", "exit_type"]
    out["hr_roster.csv"] = to_csv(keys, ([r[k] for k in keys] for r in roster))
    events = sorted((e.emp_id, d, t, x) for e in org.employees if e.idx in visible
                    for d, t, x in e.events if d * DAY < cut)
    out["hr_events.csv"] = to_csv(["employee_id", "event_date", "event_type", "detail"],
                                  ((i, iso_date(d), t, x) for i, d, t, x in sorted(events, key=lambda r: (r[1], r[0]))))
    out["absences.csv"] = to_csv(
        ["employee_id", "start_date", "end_date", "absence_type", "planned"],
        ((org.employees[a.employee].emp_id, iso_date(a.start), iso_date(a.end),
          "vacation" if a.planned else "sick", "true" if a.planned else "false")
         for a in world.absences if a.start * DAY < cut))
    out["surveys.csv"] = to_csv(["survey_id", "survey_date", "team", "enps_score"],
                                ((s.survey, iso_date(s.day), org.teams[s.team].name, s.score)
                                 for s in world.answers if s.day * DAY < cut))
    last = last_rate_day(cut)
    out["exchange_rates.csv"] = to_csv(
        ["rate_date", "currency", "rate_to_corporate"],
        ((iso_date(day), code, f"{world.fx[ci, day - world.fx_first]:.6f}")
         for day in range(world.fx_first, last + 1) for ci, code in enumerate(S.CURRENCIES)))
    return out


def _targets(world: World) -> list[tuple[object, ...]]:
    """Company targets for the headline KPIs, from the quotas and the public benchmarks."""
    aes = sum(1 for e in world.org.employees if e.stints[-1].role == "ae" and e.exit is None)
    quarter_revenue = sum(S.FULL_QUARTERLY_QUOTA_EUR[world.org.teams[e.stints[-1].team].market]
                          for e in world.org.employees if e.stints[-1].role == "ae" and e.exit is None)
    created_q = round(aes * 3 * 5.5 * S.SIZES[world.size].deal_rate)
    rows: list[tuple[object, ...]] = []
    for grain, share in (("quarter", 1.0), ("month", 1 / 3)):
        rows += [
            ("opportunities_created", grain, "company", "all", round(created_q * share)),
            ("stage_conversion_demo", grain, "company", "all", 0.6),
            ("win_rate_count", grain, "company", "all", 0.25),
            ("sales_cycle_days_mean", grain, "company", "all", 45),
            ("average_deal_size", grain, "company", "all", 15000),
            ("won_amount", grain, "company", "all", round(quarter_revenue * share, -3)),
            ("pipeline_coverage", grain, "company", "all", S.PIPELINE_COVERAGE_TARGET),
            ("quota_attainment", grain, "company", "all", 1.0),
            ("mql_to_sql_conversion", grain, "company", "all", 0.3),
            ("activities_per_rep_week", grain, "company", "all", 15),
        ]
    return rows
