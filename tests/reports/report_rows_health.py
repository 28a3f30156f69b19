"""Rows of the forecast and team_health tables of the synthetic warehouse."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from report_schema import FY_START, METHODS, TEAMS, Builder, reps

from revops.reports.calendar import add_months, quarter_start


def forecast_rows(b: Builder, as_of: date, days: Iterable[int]) -> None:
    """Forecasts of the current and next quarter on each of `days` before `as_of`, the recommended
    numbers, four back-tested quarters and a consistent waterfall of the current quarter."""
    rng = b.rng
    q_now = quarter_start(as_of, FY_START)
    for as_of_date in sorted(as_of - timedelta(days=d) for d in days):
        for period in (q_now, add_months(q_now, 3)):
            won = 0.0 if period > as_of else round(float(rng.uniform(100_000, 300_000)), 2)
            for m in METHODS:
                fc = won + round(float(rng.uniform(600_000, 1_400_000)), 2)
                dist = m == "monte_carlo"
                b.add(
                    "forecast.period_forecasts",
                    as_of_date=as_of_date,
                    grain="quarter",
                    period_start=period,
                    scope_type="company",
                    scope_id="all",
                    method=m,
                    forecast=fc,
                    closed_won_to_date=won,
                    open_pipeline=round(fc * 2.1, 2),
                    p10=fc * 0.8 if dist else None,
                    p50=fc * 0.98 if dist else None,
                    p90=fc * 1.2 if dist else None,
                )
                b.add(
                    "forecast.period_forecasts",
                    as_of_date=as_of_date,
                    grain="quarter",
                    period_start=period,
                    scope_type="team",
                    scope_id="north",
                    method=m,
                    forecast=fc / 3,
                    closed_won_to_date=won / 3,
                    open_pipeline=fc / 2,
                    p10=None,
                    p50=None,
                    p90=None,
                )
    for period in (q_now, add_months(q_now, 3)):
        mc = next(
            r
            for r in b.rows["forecast.period_forecasts"]
            if r["as_of_date"] == as_of
            and r["period_start"] == period
            and r["method"] == "deal_model"
            and r["scope_type"] == "company"
        )
        b.add(
            "forecast.forecast_summary",
            grain="quarter",
            period_start=period,
            scope_type="company",
            scope_id="all",
            recommended=mc["forecast"],
            p10=mc["forecast"] * 0.85,
            p90=mc["forecast"] * 1.15,
            method="deal_model",
            method_accuracy=0.87,
            method_bias=-0.04,
            periods_backtested=4,
            summary=f"Quarter from {period}, the company: expect {mc['forecast']:,.0f}.",
        )
    for i in range(1, 5):
        period = add_months(q_now, -3 * i)
        actual = round(float(rng.uniform(800_000, 1_200_000)), 2)
        for m in METHODS:
            accs = []
            for label, day in (("period_start", period), ("week_1", period + timedelta(days=7))):
                fc = actual * float(rng.uniform(0.7, 1.3))
                acc = max(0.0, 1 - abs(fc - actual) / actual)
                accs.append(acc)
                b.add(
                    "forecast.forecast_accuracy",
                    grain="quarter",
                    period_start=period,
                    scope_type="company",
                    scope_id="all",
                    method=m,
                    snapshot_date=day,
                    snapshot_label=label,
                    forecast=fc,
                    actual=actual,
                    accuracy=acc,
                    bias=(fc - actual) / actual,
                    predictability=float(rng.uniform(0.02, 0.2)),
                )
    start = 1_500_000.0
    moves = {
        "created": 400_000.0,
        "pulled_in": 120_000.0,
        "increased": 60_000.0,
        "decreased": 45_000.0,
        "pushed_out": 210_000.0,
        "lost": 150_000.0,
        "won": 230_000.0,
    }
    end = (
        start
        + moves["created"]
        + moves["pulled_in"]
        + moves["increased"]
        - moves["decreased"]
        - moves["pushed_out"]
        - moves["lost"]
        - moves["won"]
    )
    b.add(
        "forecast.pipeline_waterfall",
        grain="quarter",
        period_start=q_now,
        scope_type="company",
        scope_id="all",
        start_amount=start,
        end_amount=end,
        **moves,
    )
    b.add(
        "forecast.pipeline_waterfall",
        grain="quarter",
        period_start=q_now,
        scope_type="team",
        scope_id="north",
        start_amount=start / 3,
        end_amount=end / 3,
        **{k: v / 3 for k, v in moves.items()},
    )


def team_health_rows(b: Builder, as_of: date) -> None:
    """Fifteen months of team-health rows (one small team, one team under the eNPS minimum), ramp
    rows, eight hire cohorts of ramp curves and one manager change with every verdict."""
    rng = b.rng
    months = [add_months(as_of.replace(day=1), -i) for i in range(14, -1, -1)]
    for m in months:
        survey = m.month in (1, 4, 7, 10)
        for stype, sid, size in [("company", "all", 24)] + [
            ("team", t, s) for t, s in zip(TEAMS, (10, 9, 5), strict=True)
        ]:
            exits12 = int(rng.integers(0, 4))
            respondents = (3 if sid == "west" else size - int(rng.integers(0, 3))) if survey else 0
            enps = float(rng.integers(-30, 60)) if survey and respondents >= 5 else None
            b.add(
                "team_health.team_health_monthly",
                month=m,
                scope_type=stype,
                scope_id=sid,
                headcount_start=size,
                headcount_end=size + int(rng.integers(-1, 2)),
                headcount_avg=float(size),
                hires=int(rng.integers(0, 3)),
                voluntary_exits=int(rng.integers(0, 2)),
                involuntary_exits=0,
                voluntary_exits_12m=exits12,
                voluntary_turnover_12m=None if size < 8 else exits12 / size,
                absenteeism_rate=float(rng.uniform(0.01, 0.06)),
                unplanned_absence_days=int(rng.integers(2, 20)),
                scheduled_days=size * 21,
                enps=enps,
                enps_respondents=respondents,
                attainment_median=float(rng.uniform(0.5, 1.2)),
                attainment_share_100=float(rng.uniform(0, 0.6)),
                ramping_share_70=float(rng.uniform(0, 1)),
                activities_per_rep=float(rng.uniform(20, 60)),
            )
    for r in reps():
        if r["role"] == "manager":
            continue
        ramp = None if r["hire_date"] > date(2024, 1, 1) else int(rng.integers(90, 240))
        b.add(
            "team_health.rep_ramp",
            rep_id=r["rep_id"],
            email=r["email"],
            role=r["role"],
            team=r["team"],
            hire_date=r["hire_date"],
            days_to_first_deal=int(rng.integers(20, 90)) if r["role"] == "ae" else None,
            days_to_first_meeting=int(rng.integers(5, 30)),
            ramp_days=ramp,
            ramp_reached_on=None if ramp is None else r["hire_date"] + timedelta(days=ramp),
        )
    for role in ("ae", "sdr"):
        for c in range(8):
            cohort = add_months(date(2023, 2, 1), 3 * c)
            for tenure in range(1, 10):
                b.add(
                    "team_health.ramp_curves",
                    hire_cohort=cohort,
                    role=role,
                    tenure_month=tenure,
                    reps=int(rng.integers(1, 5)),
                    attainment_median=min(1.3, 0.11 * tenure * float(rng.uniform(0.8, 1.2))),
                )
    for kpi, verdict in (
        ("win_rate_count", "improved"),
        ("stage_conversion_demo", "no clear change"),
        ("forecast_accuracy", "declined"),
        ("rep_retention", "not enough data"),
    ):
        b.add(
            "team_health.manager_impact",
            team="south",
            change_date=date(2024, 9, 1),
            old_manager_email="old.south@example.com",
            new_manager_email="lead.south@example.com",
            kpi=kpi,
            window_days=180,
            before_value=0.25,
            after_value=0.32 if verdict == "improved" else 0.24,
            comparison_before=0.27,
            comparison_after=0.28,
            did_estimate=0.06 if verdict == "improved" else -0.02,
            team_n=40 if verdict != "not enough data" else 6,
            comparison_n=120,
            comparison_teams="north, west",
            verdict=verdict,
        )
