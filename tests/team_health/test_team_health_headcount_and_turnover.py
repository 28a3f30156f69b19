"""Headcount, hires, exits, rolling 12-month voluntary turnover and rep retention."""

from __future__ import annotations

from datetime import date

import pandas as pd
from team_health_warehouse import Marts

from revops.team_health import compute_team_health

AS_OF = date(2024, 12, 31)


def _row(monthly: pd.DataFrame, scope_type: str, scope_id: str, month: date) -> pd.Series:
    rows = monthly[(monthly["scope_type"] == scope_type) & (monthly["scope_id"] == scope_id)
                   & (monthly["month"] == month)]
    assert len(rows) == 1, f"expected one row for {scope_type} {scope_id} {month}, got {len(rows)}"
    return rows.iloc[0]


def _team_with_returner() -> Marts:
    marts = Marts()
    for i in range(9):
        marts.person(f"stay{i}@x.com", team="alpha", manager="lead@x.com", hired=date(2022, 1, 1))
    return marts.person(
        "back@x.com", team="alpha", manager="lead@x.com",
        spells=[(date(2022, 1, 1), date(2024, 3, 15), "voluntary"), (date(2024, 6, 10), None, None)],
    )


def test_rep_who_leaves_and_comes_back_is_counted_once_per_day_and_once_as_a_leaver() -> None:
    monthly = compute_team_health(_team_with_returner().frames(), as_of=AS_OF).team_health_monthly

    march = _row(monthly, "team", "alpha", date(2024, 3, 1))
    assert (march["headcount_start"], march["headcount_end"], march["voluntary_exits"]) == (10, 9, 1)
    april = _row(monthly, "team", "alpha", date(2024, 4, 1))
    assert (april["headcount_start"], april["headcount_end"], april["hires"]) == (9, 9, 0)
    june = _row(monthly, "team", "alpha", date(2024, 6, 1))
    assert (june["headcount_start"], june["headcount_end"], june["hires"]) == (9, 10, 1)
    assert june["headcount_avg"] == 9.5
    alpha = monthly[(monthly["scope_type"] == "team") & (monthly["scope_id"] == "alpha")]
    assert alpha["headcount_end"].max() == 10


def test_rolling_turnover_counts_the_rehired_reps_exit_over_the_mean_headcount() -> None:
    monthly = compute_team_health(_team_with_returner().frames(), as_of=AS_OF).team_health_monthly

    december = _row(monthly, "team", "alpha", date(2024, 12, 1))
    # Exits of Jan–Dec 2024 / mean(headcount on 2024-01-01 = 10, on 2025-01-01 = 10).
    assert december["voluntary_exits_12m"] == 1
    assert december["turnover_headcount_12m"] == 10.0
    assert december["voluntary_turnover_12m"] == 0.1
    february = _row(monthly, "team", "alpha", date(2024, 2, 1))
    assert february["voluntary_exits_12m"] == 0 and february["voluntary_turnover_12m"] == 0.0


def test_a_rep_who_left_and_came_back_within_the_window_is_not_retained() -> None:
    monthly = compute_team_health(_team_with_returner().frames(), as_of=AS_OF).team_health_monthly

    december = _row(monthly, "team", "alpha", date(2024, 12, 1))
    assert (december["reps_start_12m"], december["reps_retained_12m"]) == (10, 9)
    assert december["rep_retention_12m"] == 0.9


def test_team_of_one_reports_the_exit_count_but_no_rate() -> None:
    marts = _team_with_returner().person(
        "solo@x.com", team="solo", manager="other@x.com",
        spells=[(date(2022, 5, 1), date(2024, 5, 10), "voluntary")],
    )
    result = compute_team_health(marts.frames(), as_of=AS_OF)

    june = _row(result.team_health_monthly, "team", "solo", date(2024, 6, 1))
    assert june["voluntary_exits_12m"] == 1
    assert pd.isna(june["voluntary_turnover_12m"])
    company = _row(result.team_health_monthly, "company", "all", date(2024, 6, 1))
    assert company["voluntary_exits_12m"] == 2
    # Company: 11 people on 2023-07-01, 10 on 2024-07-01 → 2 / 10.5.
    assert company["voluntary_turnover_12m"] == 2 / 10.5
    kpi = result.kpi_values
    row = kpi[(kpi["kpi"] == "voluntary_turnover_12m") & (kpi["scope_id"] == "solo")
              & (kpi["period_start"] == date(2024, 6, 1))].iloc[0]
    assert pd.isna(row["value"]) and row["numerator"] == 1 and bool(row["is_small_sample"])


def test_exit_on_the_first_of_a_month_leaves_the_headcount_of_that_day() -> None:
    marts = _team_with_returner().person(
        "gone@x.com", team="alpha", manager="lead@x.com",
        spells=[(date(2022, 1, 1), date(2024, 9, 1), "involuntary")],
    )
    monthly = compute_team_health(marts.frames(), as_of=AS_OF).team_health_monthly

    august = _row(monthly, "team", "alpha", date(2024, 8, 1))
    september = _row(monthly, "team", "alpha", date(2024, 9, 1))
    assert (august["headcount_start"], august["headcount_end"]) == (11, 10)
    assert (september["headcount_start"], september["involuntary_exits"], september["voluntary_exits"]) == (10, 1, 0)


def test_exit_dated_after_the_as_of_date_has_not_happened_yet() -> None:
    marts = _team_with_returner().person(
        "leaving@x.com", team="alpha", manager="lead@x.com",
        spells=[(date(2022, 1, 1), date(2025, 2, 1), "voluntary")],
    )
    monthly = compute_team_health(marts.frames(), as_of=AS_OF).team_health_monthly

    december = _row(monthly, "team", "alpha", date(2024, 12, 1))
    assert december["headcount_end"] == 11 and december["voluntary_exits"] == 0


def test_overlapping_spells_of_one_person_are_not_counted_twice() -> None:
    marts = _team_with_returner().person(
        "twice@x.com", team="alpha", manager="lead@x.com",
        spells=[(date(2022, 1, 1), date(2024, 8, 1), "voluntary"), (date(2024, 5, 1), None, None)],
    )
    monthly = compute_team_health(marts.frames(), as_of=AS_OF).team_health_monthly

    july = _row(monthly, "team", "alpha", date(2024, 7, 1))
    assert (july["headcount_start"], july["headcount_end"]) == (11, 11)
    august = _row(monthly, "team", "alpha", date(2024, 8, 1))
    assert august["voluntary_exits"] == 0 and august["hires"] == 0
