"""Absenteeism: unplanned absence working days over scheduled working days less planned leave."""

from __future__ import annotations

from datetime import date

import pandas as pd
from team_health_warehouse import Marts

from revops.team_health import compute_team_health

AS_OF = date(2024, 6, 30)


def _marts() -> Marts:
    marts = (
        Marts()
        .person("ann@x.com", team="alpha", manager="lead@x.com", hired=date(2020, 1, 1))
        .person("ben@x.com", team="beta", manager="lead@x.com", hired=date(2024, 3, 15))
    )
    # Fri 8 – Tue 12 March: three working days (the weekend does not count).
    marts.absence("ann@x.com", date(2024, 3, 8), date(2024, 3, 12), planned=False)
    # A week of holiday, 18–22 March, and a sick day inside it: the day stays planned leave.
    marts.absence("ann@x.com", date(2024, 3, 18), date(2024, 3, 22), planned=True, kind="vacation")
    marts.absence("ann@x.com", date(2024, 3, 20), date(2024, 3, 20), planned=False)
    # Fri 29 March – Tue 2 April: one working day in March, two in April.
    marts.absence("ann@x.com", date(2024, 3, 29), date(2024, 4, 2), planned=False)
    # Before Ben was hired: not a working day of his.
    marts.absence("ben@x.com", date(2024, 3, 11), date(2024, 3, 11), planned=False)
    return marts


def _row(monthly: pd.DataFrame, scope_type: str, scope_id: str, month: date) -> pd.Series:
    return monthly[(monthly["scope_type"] == scope_type) & (monthly["scope_id"] == scope_id)
                   & (monthly["month"] == month)].iloc[0]


def test_absenteeism_excludes_weekends_and_planned_leave_from_both_sides() -> None:
    monthly = compute_team_health(_marts().frames(), as_of=AS_OF).team_health_monthly

    march = _row(monthly, "team", "alpha", date(2024, 3, 1))
    # March 2024 has 21 weekdays; 5 of them are planned leave.
    assert (march["unplanned_absence_days"], march["planned_leave_days"], march["scheduled_days"]) == (4, 5, 16)
    assert march["absenteeism_rate"] == 4 / 16
    april = _row(monthly, "team", "alpha", date(2024, 4, 1))
    assert (april["unplanned_absence_days"], april["scheduled_days"]) == (2, 22)


def test_scheduled_days_start_at_hire_and_absences_before_it_are_ignored() -> None:
    monthly = compute_team_health(_marts().frames(), as_of=AS_OF).team_health_monthly

    ben = _row(monthly, "team", "beta", date(2024, 3, 1))
    # Hired Friday 15 March: 15, 18–22, 25–29 March.
    assert (ben["scheduled_days"], ben["unplanned_absence_days"]) == (11, 0)
    company = _row(monthly, "company", "all", date(2024, 3, 1))
    assert company["absenteeism_rate"] == 4 / 27


def test_month_in_progress_counts_scheduled_days_up_to_the_as_of_date() -> None:
    monthly = compute_team_health(_marts().frames(), as_of=date(2024, 6, 12)).team_health_monthly

    june = _row(monthly, "team", "alpha", date(2024, 6, 1))
    # 3–7 and 10–12 June.
    assert june["scheduled_days"] == 8
