"""Ramp time (AE: trailing-90-day won amount vs full quota; SDR: trailing-30-day meetings) and curves."""

from __future__ import annotations

from datetime import date

import pandas as pd
from team_health_warehouse import Marts

from revops.team_health import TeamHealthSettings, compute_team_health

AS_OF = date(2024, 6, 30)


def _marts() -> Marts:
    marts = (
        Marts()
        .person("ada@x.com", team="alpha", manager="lead@x.com", role="ae", hired=date(2024, 1, 15))
        .person("sam@x.com", team="dev", manager="lead@x.com", role="sdr", hired=date(2024, 3, 1))
        .person("sid@x.com", team="dev", manager="lead@x.com", role="sdr", hired=date(2024, 3, 1))
        .person("noq@x.com", team="alpha", manager="lead@x.com", role="ae", hired=date(2024, 1, 15))
    )
    # Ramped quota in the first quarter, full quota (100k) from the second: the target is 80k.
    marts.quota("ada@x.com", date(2024, 1, 1), date(2024, 3, 31), 75_000)
    marts.quota("ada@x.com", date(2024, 4, 1), date(2024, 6, 30), 100_000)
    # Won before the hire (reassigned to Ada later): never counts towards her ramp.
    marts.deal("ada@x.com", created=date(2023, 11, 1), closed=date(2024, 1, 10), status="won", amount=50_000)
    for closed, amount in [(date(2024, 2, 1), 30_000), (date(2024, 4, 10), 30_000), (date(2024, 5, 5), 20_000),
                           (date(2024, 5, 20), 30_000)]:
        marts.deal("ada@x.com", created=date(2024, 1, 20), closed=closed, status="won", amount=amount)
    marts.deal("ada@x.com", created=date(2024, 1, 20), closed=date(2024, 3, 1), status="lost", amount=90_000)
    marts.activity("ada@x.com", date(2024, 1, 20), "meeting")
    marts.activity("sam@x.com", date(2024, 3, 20), "meeting", count=10)
    marts.activity("sam@x.com", date(2024, 4, 10), "meeting", count=5)
    marts.activity("sam@x.com", date(2024, 4, 15), "meeting", count=6)
    marts.activity("sid@x.com", date(2024, 4, 15), "call", count=40)
    marts.deal("noq@x.com", created=date(2024, 1, 20), closed=date(2024, 2, 1), status="won", amount=500_000)
    return marts


def _ramp(marts: Marts) -> pd.DataFrame:
    return compute_team_health(marts.frames(), as_of=AS_OF).rep_ramp.set_index("email")


def test_ae_ramp_is_the_first_day_trailing_90_day_wins_reach_80_percent_of_full_quota() -> None:
    ada = _ramp(_marts()).loc["ada@x.com"]

    # Trailing sums on win days: 1 Feb 30k; 10 Apr 60k; 5 May 50k (1 Feb dropped out); 20 May 80k.
    assert ada["ramp_reached_on"] == date(2024, 5, 20)
    assert ada["ramp_days"] == 126
    assert ada["days_to_first_deal"] == 17
    assert ada["days_to_first_meeting"] == 5
    assert ada["hire_date"] == date(2024, 1, 15)


def test_sdr_ramp_is_the_first_day_trailing_30_day_meetings_reach_80_percent_of_target() -> None:
    ramp = _ramp(_marts())

    sam = ramp.loc["sam@x.com"]
    # 15 meetings in the 30 days to 10 April, 21 in the 30 days to 15 April (target 0.8 × 20 = 16).
    assert sam["ramp_reached_on"] == date(2024, 4, 15) and sam["ramp_days"] == 45
    sid = ramp.loc["sid@x.com"]
    assert pd.isna(sid["ramp_days"]) and sid["ramp_reached_on"] is None


def test_ramp_is_null_for_an_ae_without_a_quota() -> None:
    noq = _ramp(_marts()).loc["noq@x.com"]

    assert pd.isna(noq["ramp_days"]) and noq["days_to_first_deal"] == 17


def test_ramp_share_and_meeting_target_are_configurable() -> None:
    custom = compute_team_health(_marts().frames(), as_of=AS_OF,
                                 settings=TeamHealthSettings(ramp_share=0.5, sdr_monthly_meeting_target=10))
    ramp = custom.rep_ramp.set_index("email")
    # 50k needed: 60k in the 90 days to 10 April.
    assert ramp.loc["ada@x.com", "ramp_reached_on"] == date(2024, 4, 10)
    # 5 meetings needed: 10 on 20 March.
    assert ramp.loc["sam@x.com", "ramp_reached_on"] == date(2024, 3, 20)


def test_ramp_curves_give_attainment_by_month_of_tenure_per_hire_cohort() -> None:
    curves = compute_team_health(_marts().frames(), as_of=AS_OF).ramp_curves
    ae = curves[curves["role"] == "ae"].set_index("tenure_month")

    assert set(ae["hire_cohort"]) == {date(2024, 1, 1)}
    # Monthly bar: a third of the 100k full quota. Tenure months run from the 15th to the 15th.
    expected = {1: 30_000, 2: 0, 3: 30_000, 4: 20_000, 5: 30_000}
    assert list(ae.index) == [1, 2, 3, 4, 5]
    for month, won in expected.items():
        assert abs(ae.loc[month, "attainment_median"] - won / (100_000 / 3)) < 1e-12
        assert ae.loc[month, "reps"] == 1
    sdr = curves[curves["role"] == "sdr"].set_index(["tenure_month"])
    # Sam and Sid: tenure month 2 (1 April – 1 May): 11 and 0 meetings against 20.
    assert sdr.loc[2, "reps"] == 2 and sdr.loc[2, "attainment_median"] == (11 / 20 + 0) / 2


def test_ramp_cohorts_follow_the_fiscal_quarter() -> None:
    curves = compute_team_health(_marts().frames(), as_of=AS_OF,
                                 settings=TeamHealthSettings(fiscal_year_start_month=2)).ramp_curves
    assert set(curves.loc[curves["role"] == "ae", "hire_cohort"]) == {date(2023, 11, 1)}


def test_median_ramp_days_is_reported_in_the_month_ramp_was_reached() -> None:
    kpi = compute_team_health(_marts().frames(), as_of=AS_OF).kpi_values
    ramp = kpi[(kpi["kpi"] == "ramp_days_median") & (kpi["scope_type"] == "company")].set_index("period_start")

    assert ramp.loc[date(2024, 4, 1), "value"] == 45 and ramp.loc[date(2024, 4, 1), "denominator"] == 1
    assert ramp.loc[date(2024, 5, 1), "value"] == 126
    assert ramp.loc[date(2024, 5, 1), "unit"] == "days"
