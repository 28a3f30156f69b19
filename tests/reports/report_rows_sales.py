"""Rows of the sales tables of the synthetic warehouse: kpi.kpi_values, kpi.kpi_tracking, the deal marts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from report_schema import FY_START, HEADLINE, TEAMS, Builder, reps

from revops.kpis import CATALOGUE
from revops.reports.calendar import add_months, quarter_start, week_start


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


def kpi_rows(b: Builder, as_of: date) -> None:
    """KPI values by week, month and quarter for the company, teams and reps, and the tracking rows of
    the headline KPIs (forecast accuracy has no monthly target)."""
    rng = b.rng
    people = [r for r in reps() if r["role"] != "manager"]
    scopes = (
        [("company", "all", 1.0)]
        + [("team", t, 0.34) for t in TEAMS]
        + [("rep", str(r["email"]), 0.12) for r in people]
    )
    kpis = list(HEADLINE) + [
        "opportunities_created_amount",
        "won_amount",
        "quota_attainment",
        "average_deal_size",
    ]
    q_now = quarter_start(as_of, FY_START)
    periods = [("week", week_start(as_of) - timedelta(days=7 * i), 7) for i in range(16)]
    periods += [("month", add_months(as_of.replace(day=1), -i), 0) for i in range(15)]
    periods += [("quarter", add_months(q_now, 3 * i), 0) for i in range(-5, 2)]
    for grain, start, _ in periods:
        end = (
            start + timedelta(days=7) if grain == "week" else add_months(start, 1 if grain == "month" else 3)
        )
        for stype, sid, scale in scopes:
            for kpi in kpis:
                if stype == "rep" and grain == "week":
                    continue
                if kpi == "forecast_accuracy" and stype == "rep":
                    continue
                value, num, den = _kpi_value(rng, kpi, scale if grain != "week" else scale / 4)
                if kpi == "pipeline_coverage" and grain != "quarter" and stype == "rep":
                    continue
                small = (
                    den is not None
                    and den < 30
                    and CATALOGUE.get(kpi, CATALOGUE["win_rate_count"]).unit == "ratio"
                )
                # one team misses a month of values, so the top movers must skip it
                if (
                    stype == "team"
                    and sid == "west"
                    and grain == "month"
                    and start == add_months(as_of.replace(day=1), -2)
                ):
                    continue
                b.add(
                    "kpi.kpi_values",
                    grain=grain,
                    period_start=start,
                    period_end=end,
                    scope_type=stype,
                    scope_id=sid,
                    kpi=kpi,
                    value=value,
                    numerator=num,
                    denominator=den,
                    unit=CATALOGUE[kpi].unit if kpi in CATALOGUE else "ratio",
                    is_small_sample=small,
                    is_mature=end <= as_of,
                )
    targets = {
        "opportunities_created": 40,
        "stage_conversion_demo": 0.4,
        "pipeline_coverage": 3.0,
        "win_rate_count": 0.3,
        "sales_cycle_days_mean": 60,
        "forecast_accuracy": 0.9,
    }
    month_periods = [add_months(as_of.replace(day=1), -i) for i in range(1, 13)]
    quarter_periods = [add_months(q_now, 3 * i) for i in range(-5, 2)]
    values = {
        (r["grain"], r["period_start"], r["kpi"]): r["value"]
        for r in b.rows["kpi.kpi_values"]
        if r["scope_type"] == "company"
    }
    for grain, starts in (("month", month_periods), ("quarter", quarter_periods)):
        for start in starts:
            for kpi, target in targets.items():
                actual = values.get((grain, start, kpi))
                if grain == "month" and kpi == "forecast_accuracy":
                    # a headline KPI without a target: tracked with its actual only, as the dbt model does
                    target = None
                    actual = None if actual is None else round(actual * 0.97, 4)
                if kpi == "opportunities_created" and grain == "quarter":
                    target = 120
                entry = CATALOGUE[kpi]
                pct = actual / target if actual is not None and target is not None else None
                if pct is None:
                    status = None
                elif entry.direction == "lower_is_better":
                    status = "green" if pct <= 1 else ("amber" if pct <= 1 / 0.9 else "red")
                else:
                    status = "green" if pct >= 1 else ("amber" if pct >= 0.9 else "red")
                action = {"red": entry.red_action, "amber": entry.amber_action}.get(status or "", "")
                b.add(
                    "kpi.kpi_tracking",
                    grain=grain,
                    period_start=start,
                    scope_type="company",
                    scope_id="all",
                    kpi=kpi,
                    kpi_label=entry.label,
                    direction=entry.direction,
                    target=target,
                    actual=actual,
                    gap=None if actual is None or target is None else actual - target,
                    pct_of_target=pct,
                    status=status,
                    corrective_action=action or None,
                    is_headline=True,
                )
    # one non-headline KPI with a quarterly target, shown in the quarterly review
    last_q = add_months(q_now, -3)
    won = values.get(("quarter", last_q, "won_amount"))
    b.add(
        "kpi.kpi_tracking",
        grain="quarter",
        period_start=last_q,
        scope_type="company",
        scope_id="all",
        kpi="won_amount",
        kpi_label=CATALOGUE["won_amount"].label,
        direction="higher_is_better",
        target=1_000_000.0,
        actual=won,
        gap=won - 1_000_000.0,
        pct_of_target=won / 1_000_000.0,
        status="green" if won >= 1_000_000 else ("amber" if won >= 900_000 else "red"),
        corrective_action="Review the commit list deal by deal",
        is_headline=False,
    )


def deal_rows(b: Builder, as_of: date) -> None:
    """Reps, 36 deals (28 open, a quarter of them in negotiation) and their stage entries."""
    rng = b.rng
    people = [r for r in reps() if r["role"] == "ae"]
    for r in reps():
        b.add(
            "marts.dim_reps",
            rep_id=r["rep_id"],
            email=r["email"],
            full_name=r["full_name"],
            role=r["role"],
            level="1",
            team=r["team"],
            manager_email=r["manager_email"],
            manager_rep_id=None,
            hire_date=r["hire_date"],
            exit_date=None,
            exit_type=None,
            is_active=True,
            employee_id=None,
            salesforce_user_id=None,
            hubspot_owner_id=None,
            pipedrive_user_id=None,
        )
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
        b.add(
            "marts.fct_deals",
            deal_id=deal_id,
            source="salesforce",
            source_deal_id=f"D{i:03d}",
            deal_name=f"Deal {i:03d} <Acme & Co>" if i == 3 else f"Deal {i:03d}",
            account_id=None,
            owner_rep_id="r_unknown" if unknown_owner else owner["rep_id"],
            owner_email="ghost@example.com" if unknown_owner else owner["email"],
            team=owner["team"],
            segment="smb",
            pipeline="default",
            source_stage=stage,
            stage=stage,
            stage_order={"closed_won": 5, "closed_lost": 0}.get(
                stage, stages.index(stage) + 1 if stage in stages else 0
            ),
            status=status,
            deal_type="new_business",
            currency="USD",
            amount=amount,
            fx_rate=1.0,
            amount_corporate=amount,
            probability=0.6,
            forecast_category="commit",
            created_at=datetime.combine(created, datetime.min.time()),
            created_date=created,
            expected_close_date=ecd,
            closed_date=None if status == "open" else as_of - timedelta(days=3),
            loss_reason=None,
            is_reopened=False,
        )
        entered = min(created, as_of - timedelta(days=60))
        for k, s in enumerate(stages[: (stages.index(stage) + 1) if stage in stages else 4]):
            nxt = entered + timedelta(days=int(rng.integers(3, 15)))
            last = s == stage
            b.add(
                "marts.fct_deal_stage_events",
                stage_event_id=f"{deal_id}:{k}",
                deal_id=deal_id,
                source="salesforce",
                stage=s,
                source_stage=s,
                stage_order=k + 1,
                entered_at=datetime.combine(entered, datetime.min.time()) + timedelta(hours=9),
                exited_at=None if last else datetime.combine(nxt, datetime.min.time()),
                next_stage=None,
                days_in_stage=None,
                is_first_entry=True,
                is_skip=False,
                is_backward=False,
            )
            entered = nxt
        # a deal that went back to proposal and re-entered negotiation: days count from the latest entry
        if i == 11:
            b.add(
                "marts.fct_deal_stage_events",
                stage_event_id=f"{deal_id}:back",
                deal_id=deal_id,
                source="salesforce",
                stage="negotiation",
                source_stage="negotiation",
                stage_order=4,
                entered_at=datetime.combine(as_of - timedelta(days=4), datetime.min.time()),
                exited_at=None,
                next_stage=None,
                days_in_stage=None,
                is_first_entry=False,
                is_skip=False,
                is_backward=False,
            )
            for row in b.rows["marts.fct_deal_stage_events"]:
                if (
                    row["deal_id"] == deal_id
                    and row["stage"] == "negotiation"
                    and row["stage_event_id"].endswith(":3")
                ):
                    row["exited_at"] = datetime.combine(as_of - timedelta(days=9), datetime.min.time())
