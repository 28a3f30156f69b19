"""Manager scope: the teams whose manager is that person, aggregated."""

from __future__ import annotations

from datetime import date

import pandas as pd
from team_health_warehouse import Marts

from revops.team_health import compute_team_health, enps_points

AS_OF = date(2024, 6, 30)


def _marts() -> Marts:
    marts = Marts().person("mia@x.com", team="leads", manager="vp@x.com", role="manager", hired=date(2020, 1, 1))
    for i in range(3):
        marts.person(f"n{i}@x.com", team="north", manager="mia@x.com", hired=date(2022, 1, 1))
    for i in range(2):
        marts.person(f"s{i}@x.com", team="south", manager="mia@x.com", hired=date(2022, 1, 1))
    marts.person("s2@x.com", team="south", manager="mia@x.com",
                 spells=[(date(2022, 1, 1), date(2024, 4, 20), "voluntary")])
    for i in range(6):
        marts.person(f"w{i}@x.com", team="west", manager="kai@x.com", hired=date(2022, 1, 1))
    marts.survey("s", date(2024, 3, 5), "north", [10, 9, 9, 3])
    marts.survey("s", date(2024, 3, 5), "south", [10, 6, 7])
    marts.survey("s", date(2024, 3, 5), "west", [9, 9, 8, 8, 2, 10])
    marts.absence("n0@x.com", date(2024, 3, 4), date(2024, 3, 4), planned=False)
    marts.absence("s0@x.com", date(2024, 3, 5), date(2024, 3, 6), planned=False)
    return marts


def _row(monthly: pd.DataFrame, scope_type: str, scope_id: str, month: date) -> pd.Series:
    return monthly[(monthly["scope_type"] == scope_type) & (monthly["scope_id"] == scope_id)
                   & (monthly["month"] == month)].iloc[0]


def test_manager_of_two_teams_aggregates_headcount_and_exits_of_both() -> None:
    monthly = compute_team_health(_marts().frames(), as_of=AS_OF).team_health_monthly

    april = _row(monthly, "manager", "mia@x.com", date(2024, 4, 1))
    assert (april["headcount_start"], april["headcount_end"], april["voluntary_exits"]) == (6, 5, 1)
    north = _row(monthly, "team", "north", date(2024, 4, 1))
    south = _row(monthly, "team", "south", date(2024, 4, 1))
    assert north["headcount_start"] + south["headcount_start"] == april["headcount_start"]
    assert "leads" not in set(monthly.loc[monthly["scope_id"] == "mia@x.com", "scope_id"])


def test_manager_of_two_teams_pools_absences_and_survey_answers() -> None:
    monthly = compute_team_health(_marts().frames(), as_of=AS_OF).team_health_monthly

    march = _row(monthly, "manager", "mia@x.com", date(2024, 3, 1))
    assert march["unplanned_absence_days"] == 3
    assert march["scheduled_days"] == 6 * 21
    # North (4 answers) and south (3) are each hidden; together they reach the minimum of 5.
    assert march["enps_respondents"] == 7
    assert march["enps"] == enps_points([10, 9, 9, 3, 10, 6, 7])
    assert pd.isna(_row(monthly, "team", "north", date(2024, 3, 1))["enps"])
    assert pd.isna(_row(monthly, "team", "south", date(2024, 3, 1))["enps"])


def test_team_manager_is_the_one_members_name_not_the_managers_own_boss() -> None:
    result = compute_team_health(_marts().frames(), as_of=AS_OF)

    managers = dict(zip(result.team_managers["team"], result.team_managers["manager_email"], strict=True))
    assert managers == {"leads": "vp@x.com", "north": "mia@x.com", "south": "mia@x.com", "west": "kai@x.com"}
