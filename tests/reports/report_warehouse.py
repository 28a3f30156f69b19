"""A small synthetic warehouse for the report tests: the documented tables the reports read (marts,
kpi, forecast, team_health) with a few seeded rows each, written to a DuckDB file."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from revops.kpis import CATALOGUE
from revops.reports.calendar import add_months, quarter_start, week_start

FY_START = 2  # fiscal year starts in February, as in the demo configuration
AS_OF = date(2025, 5, 5)  # a Monday; current quarter May–Jul, last complete month April
TEAMS = ("north", "south", "west")
METHODS = ("weighted_pipeline", "category_commit", "category_best_case", "stage_conversion", "deal_model",
           "monte_carlo")
HEADLINE = ("opportunities_created", "stage_conversion_demo", "pipeline_coverage", "win_rate_count",
            "sales_cycle_days_mean", "forecast_accuracy")

SCHEMA: dict[str, list[tuple[str, str]]] = {
    "marts.dim_reps": [
        ("rep_id", "VARCHAR"), ("email", "VARCHAR"), ("full_name", "VARCHAR"), ("role", "VARCHAR"),
        ("level", "VARCHAR"), ("team", "VARCHAR"), ("manager_email", "VARCHAR"), ("manager_rep_id", "VARCHAR"),
        ("hire_date", "DATE"), ("exit_date", "DATE"), ("exit_type", "VARCHAR"), ("is_active", "BOOLEAN"),
        ("employee_id", "VARCHAR"), ("salesforce_user_id", "VARCHAR"), ("hubspot_owner_id", "VARCHAR"),
        ("pipedrive_user_id", "VARCHAR")],
    "marts.fct_deals": [
        ("deal_id", "VARCHAR"), ("source", "VARCHAR"), ("source_deal_id", "VARCHAR"), ("deal_name", "VARCHAR"),
        ("account_id", "VARCHAR"), ("owner_rep_id", "VARCHAR"), ("owner_email", "VARCHAR"), ("team", "VARCHAR"),
        ("segment", "VARCHAR"), ("pipeline", "VARCHAR"), ("source_stage", "VARCHAR"), ("stage", "VARCHAR"),
        ("stage_order", "INTEGER"), ("status", "VARCHAR"), ("deal_type", "VARCHAR"), ("currency", "VARCHAR"),
        ("amount", "DOUBLE"), ("fx_rate", "DOUBLE"), ("amount_corporate", "DOUBLE"), ("probability", "DOUBLE"),
        ("forecast_category", "VARCHAR"), ("created_at", "TIMESTAMP"), ("created_date", "DATE"),
        ("expected_close_date", "DATE"), ("closed_date", "DATE"), ("loss_reason", "VARCHAR"),
        ("is_reopened", "BOOLEAN")],
    "marts.fct_deal_stage_events": [
        ("stage_event_id", "VARCHAR"), ("deal_id", "VARCHAR"), ("source", "VARCHAR"), ("stage", "VARCHAR"),
        ("source_stage", "VARCHAR"), ("stage_order", "INTEGER"), ("entered_at", "TIMESTAMP"),
        ("exited_at", "TIMESTAMP"), ("next_stage", "VARCHAR"), ("days_in_stage", "DOUBLE"),
        ("is_first_entry", "BOOLEAN"), ("is_skip", "BOOLEAN"), ("is_backward", "BOOLEAN")],
    "kpi.kpi_values": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("period_end", "DATE"), ("scope_type", "VARCHAR"),
        ("scope_id", "VARCHAR"), ("kpi", "VARCHAR"), ("value", "DOUBLE"), ("numerator", "DOUBLE"),
        ("denominator", "DOUBLE"), ("unit", "VARCHAR"), ("is_small_sample", "BOOLEAN"), ("is_mature", "BOOLEAN")],
    "kpi.kpi_tracking": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"),
        ("kpi", "VARCHAR"), ("kpi_label", "VARCHAR"), ("direction", "VARCHAR"), ("target", "DOUBLE"),
        ("actual", "DOUBLE"), ("gap", "DOUBLE"), ("pct_of_target", "DOUBLE"), ("status", "VARCHAR"),
        ("corrective_action", "VARCHAR"), ("is_headline", "BOOLEAN")],
    "forecast.period_forecasts": [
        ("as_of_date", "DATE"), ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"),
        ("scope_id", "VARCHAR"), ("method", "VARCHAR"), ("forecast", "DOUBLE"), ("closed_won_to_date", "DOUBLE"),
        ("open_pipeline", "DOUBLE"), ("p10", "DOUBLE"), ("p50", "DOUBLE"), ("p90", "DOUBLE")],
    "forecast.forecast_summary": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"),
        ("recommended", "DOUBLE"), ("p10", "DOUBLE"), ("p90", "DOUBLE"), ("method", "VARCHAR"),
        ("method_accuracy", "DOUBLE"), ("method_bias", "DOUBLE"), ("periods_backtested", "INTEGER"),
        ("summary", "VARCHAR")],
    "forecast.forecast_accuracy": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"),
        ("method", "VARCHAR"), ("snapshot_date", "DATE"), ("snapshot_label", "VARCHAR"), ("forecast", "DOUBLE"),
        ("actual", "DOUBLE"), ("accuracy", "DOUBLE"), ("bias", "DOUBLE"), ("predictability", "DOUBLE")],
    "forecast.pipeline_waterfall": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"),
        ("start_amount", "DECIMAL(18,2)"), ("created", "DECIMAL(18,2)"), ("pulled_in", "DECIMAL(18,2)"),
        ("increased", "DECIMAL(18,2)"), ("decreased", "DECIMAL(18,2)"), ("pushed_out", "DECIMAL(18,2)"),
        ("lost", "DECIMAL(18,2)"), ("won", "DECIMAL(18,2)"), ("end_amount", "DECIMAL(18,2)")],
    "team_health.team_health_monthly": [
        ("month", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"), ("headcount_start", "INTEGER"),
        ("headcount_end", "INTEGER"), ("headcount_avg", "DOUBLE"), ("hires", "INTEGER"),
        ("voluntary_exits", "INTEGER"), ("involuntary_exits", "INTEGER"), ("voluntary_exits_12m", "INTEGER"),
        ("voluntary_turnover_12m", "DOUBLE"), ("absenteeism_rate", "DOUBLE"), ("unplanned_absence_days", "INTEGER"),
        ("scheduled_days", "INTEGER"), ("enps", "DOUBLE"), ("enps_respondents", "INTEGER"),
        ("attainment_median", "DOUBLE"), ("attainment_share_100", "DOUBLE"), ("ramping_share_70", "DOUBLE"),
        ("activities_per_rep", "DOUBLE")],
    "team_health.rep_ramp": [
        ("rep_id", "VARCHAR"), ("email", "VARCHAR"), ("role", "VARCHAR"), ("team", "VARCHAR"), ("hire_date", "DATE"),
        ("days_to_first_deal", "INTEGER"), ("days_to_first_meeting", "INTEGER"), ("ramp_days", "INTEGER"),
        ("ramp_reached_on", "DATE")],
    "team_health.ramp_curves": [
        ("hire_cohort", "DATE"), ("role", "VARCHAR"), ("tenure_month", "INTEGER"), ("reps", "INTEGER"),
        ("attainment_median", "DOUBLE")],
    "team_health.manager_impact": [
        ("team", "VARCHAR"), ("change_date", "DATE"), ("old_manager_email", "VARCHAR"),
        ("new_manager_email", "VARCHAR"), ("kpi", "VARCHAR"), ("window_days", "INTEGER"), ("before_value", "DOUBLE"),
        ("after_value", "DOUBLE"), ("comparison_before", "DOUBLE"), ("comparison_after", "DOUBLE"),
        ("did_estimate", "DOUBLE"), ("team_n", "INTEGER"), ("comparison_n", "INTEGER"),
        ("comparison_teams", "VARCHAR"), ("verdict", "VARCHAR")],
}


def reps() -> list[dict[str, object]]:
    """Three reps per team (an AE pair and an SDR), plus a manager per team."""
    out = []
    for t, team in enumerate(TEAMS):
        manager = f"lead.{team}@example.com"
        out.append({"email": manager, "full_name": f"{team.title()} Lead", "role": "manager", "team": team,
                    "manager_email": None, "hire_date": date(2019, 3, 1)})
        for i, role in enumerate(("ae", "ae", "sdr")):
            email = f"rep{t}{i}.{team}@example.com"
            out.append({"email": email, "full_name": f"Rep {t}{i} {team.title()}", "role": role, "team": team,
                        "manager_email": manager, "hire_date": date(2023 + i % 2, 1 + 3 * i, 1)})
    for r in out:
        r["rep_id"] = "r_" + str(r["email"]).split("@")[0].replace(".", "_")
    return out


class Builder:
    """Accumulates rows per table and writes them with the documented column types."""

    def __init__(self, seed: int, as_of: date) -> None:
        self.rng = np.random.default_rng(seed)
        self.as_of = as_of
        self.rows: dict[str, list[dict[str, object]]] = {t: [] for t in SCHEMA}

    def add(self, table: str, **row: object) -> None:
        self.rows[table].append(row)

    def write(self, path: Path, skip: Iterable[str] = ()) -> None:
        skipped = set(skip)
        with duckdb.connect(str(path)) as con:
            for table, columns in SCHEMA.items():
                if table in skipped or table.split(".")[0] in skipped:
                    continue
                schema = table.split(".")[0]
                con.execute(f"create schema if not exists {schema}")
                ddl = ", ".join(f'"{c}" {t}' for c, t in columns)
                con.execute(f"create or replace table {table} ({ddl})")
                frame = pd.DataFrame(self.rows[table], columns=[c for c, _ in columns])
                if len(frame):
                    con.register("_rows", frame)
                    select = ", ".join(f'cast("{c}" as {t})' for c, t in columns)
                    con.execute(f"insert into {table} select {select} from _rows")
                    con.unregister("_rows")


def _kpi_value(rng: np.random.Generator, kpi: str, scale: float) -> tuple[float, float | None, float | None]:
    """(value, numerator, denominator) of a plausible KPI value; `scale` shrinks team and rep values."""
    unit = CATALOGUE[kpi].unit if kpi in CATALOGUE else "ratio"
    if kpi == "pipeline_coverage":
        quota = round(float(rng.uniform(300_000, 600_000)) * scale, 2)
        pipe = round(quota * float(rng.uniform(1.5, 4.5)), 2)
        return pipe / quota, pipe, quota
    if unit == "ratio":
        den = float(rng.integers(int(20 * scale) + 2, int(80 * scale) + 6))
        num = float(rng.integers(0, int(den) + 1))
        return num / den, num, den
    if unit == "currency":
        return round(float(rng.uniform(100_000, 900_000)) * scale, 2), None, None
    if unit == "days":
        n = float(rng.integers(5, 40))
        v = round(float(rng.uniform(25, 90)), 2)
        return v, v * n, n
    return float(rng.integers(int(10 * scale) + 1, int(60 * scale) + 3)), None, None


def _kpis(b: Builder, as_of: date) -> None:
    rng = b.rng
    people = [r for r in reps() if r["role"] != "manager"]
    scopes = [("company", "all", 1.0)] + [("team", t, 0.34) for t in TEAMS] + \
        [("rep", str(r["email"]), 0.12) for r in people]
    kpis = list(HEADLINE) + ["opportunities_created_amount", "won_amount", "quota_attainment", "average_deal_size"]
    q_now = quarter_start(as_of, FY_START)
    periods = [("week", week_start(as_of) - timedelta(days=7 * i), 7) for i in range(16)]
    periods += [("month", add_months(as_of.replace(day=1), -i), 0) for i in range(15)]
    periods += [("quarter", add_months(q_now, 3 * i), 0) for i in range(-5, 2)]
    for grain, start, _ in periods:
        end = start + timedelta(days=7) if grain == "week" else add_months(start, 1 if grain == "month" else 3)
        for stype, sid, scale in scopes:
            for kpi in kpis:
                if stype == "rep" and grain == "week":
                    continue
                if kpi == "forecast_accuracy" and stype == "rep":
                    continue
                value, num, den = _kpi_value(rng, kpi, scale if grain != "week" else scale / 4)
                if kpi == "pipeline_coverage" and grain != "quarter" and stype == "rep":
                    continue
                small = den is not None and den < 30 and CATALOGUE.get(kpi, CATALOGUE["win_rate_count"]).unit == "ratio"
                # one team misses a month of values, so the top movers must skip it
                if stype == "team" and sid == "west" and grain == "month" and start == add_months(as_of.replace(day=1), -2):
                    continue
                b.add("kpi.kpi_values", grain=grain, period_start=start, period_end=end, scope_type=stype,
                      scope_id=sid, kpi=kpi, value=value, numerator=num, denominator=den,
                      unit=CATALOGUE[kpi].unit if kpi in CATALOGUE else "ratio", is_small_sample=small,
                      is_mature=end <= as_of)
    targets = {"opportunities_created": 40, "stage_conversion_demo": 0.4, "pipeline_coverage": 3.0,
               "win_rate_count": 0.3, "sales_cycle_days_mean": 60, "forecast_accuracy": 0.9}
    month_periods = [add_months(as_of.replace(day=1), -i) for i in range(1, 13)]
    quarter_periods = [add_months(q_now, 3 * i) for i in range(-5, 2)]
    values = {(r["grain"], r["period_start"], r["kpi"]): r["value"] for r in b.rows["kpi.kpi_values"]
              if r["scope_type"] == "company"}
    for grain, starts in (("month", month_periods), ("quarter", quarter_periods)):
        for start in starts:
            for kpi, target in targets.items():
                # no monthly target for forecast accuracy: the report falls back to kpi_values
                if grain == "month" and kpi == "forecast_accuracy":
                    continue
                actual = values.get((grain, start, kpi))
                if kpi == "opportunities_created" and grain == "quarter":
                    target = 120
                entry = CATALOGUE[kpi]
                pct = actual / target if actual is not None else None
                if pct is None:
                    status = None
                elif entry.direction == "lower_is_better":
                    status = "green" if pct <= 1 else ("amber" if pct <= 1 / 0.9 else "red")
                else:
                    status = "green" if pct >= 1 else ("amber" if pct >= 0.9 else "red")
                action = {"red": entry.red_action, "amber": entry.amber_action}.get(status or "", "")
                b.add("kpi.kpi_tracking", grain=grain, period_start=start, scope_type="company", scope_id="all",
                      kpi=kpi, kpi_label=entry.label, direction=entry.direction, target=target, actual=actual,
                      gap=None if actual is None else actual - target, pct_of_target=pct, status=status,
                      corrective_action=action or None, is_headline=True)
    # one non-headline KPI with a quarterly target, shown in the quarterly review
    last_q = add_months(q_now, -3)
    won = values.get(("quarter", last_q, "won_amount"))
    b.add("kpi.kpi_tracking", grain="quarter", period_start=last_q, scope_type="company", scope_id="all",
          kpi="won_amount", kpi_label=CATALOGUE["won_amount"].label, direction="higher_is_better", target=1_000_000.0,
          actual=won, gap=won - 1_000_000.0, pct_of_target=won / 1_000_000.0,
          status="green" if won >= 1_000_000 else ("amber" if won >= 900_000 else "red"),
          corrective_action="Review the commit list deal by deal", is_headline=False)


def _deals(b: Builder, as_of: date) -> None:
    rng = b.rng
    people = [r for r in reps() if r["role"] == "ae"]
    for r in reps():
        b.add("marts.dim_reps", rep_id=r["rep_id"], email=r["email"], full_name=r["full_name"], role=r["role"],
              level="1", team=r["team"], manager_email=r["manager_email"], manager_rep_id=None,
              hire_date=r["hire_date"], exit_date=None, exit_type=None, is_active=True, employee_id=None,
              salesforce_user_id=None, hubspot_owner_id=None, pipedrive_user_id=None)
    stages = ["qualification", "demo", "proposal", "negotiation"]
    for i in range(36):
        owner = people[i % len(people)]
        stage = stages[i % 4] if i < 28 else ("closed_won" if i % 2 else "closed_lost")
        status = "open" if i < 28 else ("won" if i % 2 else "lost")
        created = as_of - timedelta(days=int(rng.integers(20, 200)))
        amount = round(float(rng.uniform(5_000, 150_000)), 2)
        ecd = as_of + timedelta(days=int(rng.integers(-20, 90)))
        deal_id = f"salesforce:D{i:03d}"
        unknown_owner = i == 7  # an owner missing from dim_reps shows the CRM e-mail
        b.add("marts.fct_deals", deal_id=deal_id, source="salesforce", source_deal_id=f"D{i:03d}",
              deal_name=f"Deal {i:03d} <Acme & Co>" if i == 3 else f"Deal {i:03d}", account_id=None,
              owner_rep_id="r_unknown" if unknown_owner else owner["rep_id"],
              owner_email="ghost@example.com" if unknown_owner else owner["email"], team=owner["team"],
              segment="smb", pipeline="default", source_stage=stage, stage=stage,
              stage_order={"closed_won": 5, "closed_lost": 0}.get(stage, stages.index(stage) + 1 if stage in stages else 0),
              status=status, deal_type="new_business", currency="USD", amount=amount, fx_rate=1.0,
              amount_corporate=amount, probability=0.6, forecast_category="commit", created_at=datetime.combine(created, datetime.min.time()),
              created_date=created, expected_close_date=ecd, closed_date=None if status == "open" else as_of - timedelta(days=3),
              loss_reason=None, is_reopened=False)
        entered = created
        for k, s in enumerate(stages[: (stages.index(stage) + 1) if stage in stages else 4]):
            nxt = entered + timedelta(days=int(rng.integers(3, 15)))
            last = s == stage
            b.add("marts.fct_deal_stage_events", stage_event_id=f"{deal_id}:{k}", deal_id=deal_id, source="salesforce",
                  stage=s, source_stage=s, stage_order=k + 1, entered_at=datetime.combine(entered, datetime.min.time()) + timedelta(hours=9),
                  exited_at=None if last else datetime.combine(nxt, datetime.min.time()), next_stage=None,
                  days_in_stage=None, is_first_entry=True, is_skip=False, is_backward=False)
            entered = nxt
        # a deal that went back to proposal and re-entered negotiation: days count from the latest entry
        if i == 11:
            b.add("marts.fct_deal_stage_events", stage_event_id=f"{deal_id}:back", deal_id=deal_id, source="salesforce",
                  stage="negotiation", source_stage="negotiation", stage_order=4,
                  entered_at=datetime.combine(as_of - timedelta(days=4), datetime.min.time()), exited_at=None,
                  next_stage=None, days_in_stage=None, is_first_entry=False, is_skip=False, is_backward=False)
            for row in b.rows["marts.fct_deal_stage_events"]:
                if row["deal_id"] == deal_id and row["stage"] == "negotiation" and row["stage_event_id"].endswith(":3"):
                    row["exited_at"] = datetime.combine(as_of - timedelta(days=9), datetime.min.time())


def _forecast(b: Builder, as_of: date) -> None:
    rng = b.rng
    q_now = quarter_start(as_of, FY_START)
    for as_of_date in (as_of - timedelta(days=7), as_of):
        for period in (q_now, add_months(q_now, 3)):
            won = 0.0 if period > as_of else round(float(rng.uniform(100_000, 300_000)), 2)
            for m in METHODS:
                fc = won + round(float(rng.uniform(600_000, 1_400_000)), 2)
                dist = m == "monte_carlo"
                b.add("forecast.period_forecasts", as_of_date=as_of_date, grain="quarter", period_start=period,
                      scope_type="company", scope_id="all", method=m, forecast=fc, closed_won_to_date=won,
                      open_pipeline=round(fc * 2.1, 2), p10=fc * 0.8 if dist else None,
                      p50=fc * 0.98 if dist else None, p90=fc * 1.2 if dist else None)
                b.add("forecast.period_forecasts", as_of_date=as_of_date, grain="quarter", period_start=period,
                      scope_type="team", scope_id="north", method=m, forecast=fc / 3, closed_won_to_date=won / 3,
                      open_pipeline=fc / 2, p10=None, p50=None, p90=None)
    for period in (q_now, add_months(q_now, 3)):
        mc = next(r for r in b.rows["forecast.period_forecasts"] if r["as_of_date"] == as_of and r["period_start"] == period
                  and r["method"] == "deal_model" and r["scope_type"] == "company")
        b.add("forecast.forecast_summary", grain="quarter", period_start=period, scope_type="company", scope_id="all",
              recommended=mc["forecast"], p10=mc["forecast"] * 0.85, p90=mc["forecast"] * 1.15, method="deal_model",
              method_accuracy=0.87, method_bias=-0.04, periods_backtested=4,
              summary=f"Quarter from {period}, the company: expect {mc['forecast']:,.0f} USD.")
    for i in range(1, 5):
        period = add_months(q_now, -3 * i)
        actual = round(float(rng.uniform(800_000, 1_200_000)), 2)
        for m in METHODS:
            accs = []
            for label, day in (("period_start", period), ("week_1", period + timedelta(days=7))):
                fc = actual * float(rng.uniform(0.7, 1.3))
                acc = max(0.0, 1 - abs(fc - actual) / actual)
                accs.append(acc)
                b.add("forecast.forecast_accuracy", grain="quarter", period_start=period, scope_type="company",
                      scope_id="all", method=m, snapshot_date=day, snapshot_label=label, forecast=fc, actual=actual,
                      accuracy=acc, bias=(fc - actual) / actual, predictability=float(rng.uniform(0.02, 0.2)))
    start = 1_500_000.0
    moves = {"created": 400_000.0, "pulled_in": 120_000.0, "increased": 60_000.0, "decreased": 45_000.0,
             "pushed_out": 210_000.0, "lost": 150_000.0, "won": 230_000.0}
    end = start + moves["created"] + moves["pulled_in"] + moves["increased"] - moves["decreased"] - \
        moves["pushed_out"] - moves["lost"] - moves["won"]
    b.add("forecast.pipeline_waterfall", grain="quarter", period_start=q_now, scope_type="company", scope_id="all",
          start_amount=start, end_amount=end, **moves)
    b.add("forecast.pipeline_waterfall", grain="quarter", period_start=q_now, scope_type="team", scope_id="north",
          start_amount=start / 3, end_amount=end / 3, **{k: v / 3 for k, v in moves.items()})


def _team_health(b: Builder, as_of: date) -> None:
    rng = b.rng
    months = [add_months(as_of.replace(day=1), -i) for i in range(14, -1, -1)]
    for m in months:
        survey = m.month in (1, 4, 7, 10)
        for stype, sid, size in [("company", "all", 24)] + [("team", t, s) for t, s in zip(TEAMS, (10, 9, 5), strict=True)]:
            exits12 = int(rng.integers(0, 4))
            respondents = (3 if sid == "west" else size - int(rng.integers(0, 3))) if survey else 0
            enps = float(rng.integers(-30, 60)) if survey and respondents >= 5 else None
            b.add("team_health.team_health_monthly", month=m, scope_type=stype, scope_id=sid,
                  headcount_start=size, headcount_end=size + int(rng.integers(-1, 2)), headcount_avg=float(size),
                  hires=int(rng.integers(0, 3)), voluntary_exits=int(rng.integers(0, 2)), involuntary_exits=0,
                  voluntary_exits_12m=exits12, voluntary_turnover_12m=None if size < 8 else exits12 / size,
                  absenteeism_rate=float(rng.uniform(0.01, 0.06)), unplanned_absence_days=int(rng.integers(2, 20)),
                  scheduled_days=size * 21, enps=enps, enps_respondents=respondents,
                  attainment_median=float(rng.uniform(0.5, 1.2)), attainment_share_100=float(rng.uniform(0, 0.6)),
                  ramping_share_70=float(rng.uniform(0, 1)), activities_per_rep=float(rng.uniform(20, 60)))
    for r in reps():
        if r["role"] == "manager":
            continue
        ramp = None if r["hire_date"] > date(2024, 1, 1) else int(rng.integers(90, 240))
        b.add("team_health.rep_ramp", rep_id=r["rep_id"], email=r["email"], role=r["role"], team=r["team"],
              hire_date=r["hire_date"], days_to_first_deal=int(rng.integers(20, 90)) if r["role"] == "ae" else None,
              days_to_first_meeting=int(rng.integers(5, 30)), ramp_days=ramp,
              ramp_reached_on=None if ramp is None else r["hire_date"] + timedelta(days=ramp))
    for role in ("ae", "sdr"):
        for c in range(8):
            cohort = add_months(date(2023, 2, 1), 3 * c)
            for tenure in range(1, 10):
                b.add("team_health.ramp_curves", hire_cohort=cohort, role=role, tenure_month=tenure,
                      reps=int(rng.integers(1, 5)), attainment_median=min(1.3, 0.11 * tenure * float(rng.uniform(0.8, 1.2))))
    for kpi, verdict in (("win_rate_count", "improved"), ("stage_conversion_demo", "no clear change"),
                         ("forecast_accuracy", "declined"), ("rep_retention", "not enough data")):
        b.add("team_health.manager_impact", team="south", change_date=date(2024, 9, 1),
              old_manager_email="old.south@example.com", new_manager_email="lead.south@example.com", kpi=kpi,
              window_days=180, before_value=0.25, after_value=0.32 if verdict == "improved" else 0.24,
              comparison_before=0.27, comparison_after=0.28, did_estimate=0.06 if verdict == "improved" else -0.02,
              team_n=40 if verdict != "not enough data" else 6, comparison_n=120, comparison_teams="north, west",
              verdict=verdict)


def build_warehouse(path: Path, *, as_of: date = AS_OF, seed: int = 7, skip: Iterable[str] = ()) -> Path:
    """Write the synthetic warehouse to `path`; `skip` leaves out tables ("forecast.period_forecasts")
    or whole schemas ("forecast")."""
    b = Builder(seed, as_of)
    _kpis(b, as_of)
    _deals(b, as_of)
    _forecast(b, as_of)
    _team_health(b, as_of)
    b.write(path, skip)
    return path
