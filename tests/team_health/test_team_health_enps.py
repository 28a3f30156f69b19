"""eNPS: computed per survey month, NULL without a survey, hidden when it could reveal few answers."""

from __future__ import annotations

from datetime import date

import pandas as pd
from team_health_warehouse import Marts

from revops.team_health import compute_team_health, enps_points

AS_OF = date(2024, 6, 30)


def _marts() -> Marts:
    marts = Marts()
    for i in range(8):
        marts.person(f"a{i}@x.com", team="alpha", manager="lead@x.com", hired=date(2022, 1, 1))
    for i in range(3):
        marts.person(f"b{i}@x.com", team="beta", manager="boss@x.com", hired=date(2022, 1, 1))
    return marts


def _row(monthly: pd.DataFrame, scope_type: str, scope_id: str, month: date) -> pd.Series:
    return monthly[(monthly["scope_type"] == scope_type) & (monthly["scope_id"] == scope_id)
                   & (monthly["month"] == month)].iloc[0]


def test_enps_is_promoters_minus_detractors_in_points() -> None:
    assert enps_points([10, 10, 9, 9, 8, 7, 6, 2]) == 25.0
    assert enps_points([0, 6, 7, 8]) == -50.0


def test_month_without_survey_gives_null_not_zero() -> None:
    marts = _marts().survey("s-mar", date(2024, 3, 12), "alpha", [10, 10, 9, 9, 8, 7, 6, 2])
    marts.survey("s-may", date(2024, 5, 14), "alpha", [9, 9, 9, 9, 9, 9, 9, 9])
    result = compute_team_health(marts.frames(), as_of=AS_OF)
    monthly = result.team_health_monthly

    assert _row(monthly, "team", "alpha", date(2024, 3, 1))["enps"] == 25.0
    april = _row(monthly, "team", "alpha", date(2024, 4, 1))
    assert pd.isna(april["enps"]) and pd.isna(april["enps_respondents"])
    assert _row(monthly, "team", "alpha", date(2024, 5, 1))["enps"] == 100.0
    enps = result.kpi_values[(result.kpi_values["kpi"] == "enps") & (result.kpi_values["scope_id"] == "alpha")]
    assert sorted(enps["period_start"]) == [date(2024, 3, 1), date(2024, 5, 1)]


def test_enps_is_hidden_under_the_minimum_but_the_respondent_count_is_shown() -> None:
    marts = _marts().survey("s", date(2024, 3, 12), "beta", [10, 0, 0])
    monthly = compute_team_health(marts.frames(), as_of=AS_OF).team_health_monthly

    beta = _row(monthly, "team", "beta", date(2024, 3, 1))
    assert pd.isna(beta["enps"]) and beta["enps_respondents"] == 3
    alpha = _row(monthly, "team", "alpha", date(2024, 3, 1))
    assert pd.isna(alpha["enps"]) and alpha["enps_respondents"] == 0


def test_large_team_is_hidden_when_company_minus_it_would_reveal_a_small_team() -> None:
    marts = _marts().survey("s", date(2024, 3, 12), "alpha", [10, 10, 9, 9, 8, 7, 6, 2])
    marts.survey("s", date(2024, 3, 12), "beta", [0, 0, 10])
    result = compute_team_health(marts.frames(), as_of=AS_OF, )
    monthly = result.team_health_monthly

    company = _row(monthly, "company", "all", date(2024, 3, 1))
    assert company["enps_respondents"] == 11
    assert company["enps"] == enps_points([10, 10, 9, 9, 8, 7, 6, 2, 0, 0, 10])
    for scope_type, scope_id in [("team", "alpha"), ("manager", "lead@x.com"), ("team", "beta")]:
        assert pd.isna(_row(monthly, scope_type, scope_id, date(2024, 3, 1))["enps"]), scope_id
    published = monthly[(monthly["month"] == date(2024, 3, 1)) & monthly["enps"].notna()]
    assert list(published["scope_id"]) == ["all"]


def test_enps_rows_of_kpi_values_carry_no_numerator() -> None:
    marts = _marts().survey("s", date(2024, 3, 12), "alpha", [10, 10, 9, 9, 8, 7, 6, 2])
    kpi = compute_team_health(marts.frames(), as_of=AS_OF).kpi_values

    enps = kpi[kpi["kpi"] == "enps"]
    assert len(enps) > 0 and enps["numerator"].isna().all()
    beta = enps[enps["scope_id"] == "beta"].iloc[0]
    assert pd.isna(beta["value"]) and beta["denominator"] == 0 and bool(beta["is_small_sample"])
