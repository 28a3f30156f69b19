"""Manager impact: difference in differences around a manager change, against teams without one."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from team_health_warehouse import Marts

from revops.team_health import TeamHealthSettings, compute_team_health, detect_manager_changes
from revops.team_health.periods import day_number
from revops.team_health.roster import build_roster

CHANGE = date(2024, 7, 1)
AS_OF = date(2025, 6, 30)
BEFORE = CHANGE - timedelta(days=180)
CHANGES = pd.DataFrame([{"team": "red", "change_date": CHANGE, "old_manager_email": "old@x.com",
                         "new_manager_email": "new@x.com"}])


def _closed(marts: Marts, team: str, start: date, closed: int, won: int) -> None:
    """`closed` deals of the team closed over the 180 days from `start`, the first `won` of them won."""
    for i in range(closed):
        day = start + timedelta(days=i * 179 // closed)
        marts.deal(f"{team}0@x.com" if i % 2 else f"{team}1@x.com", created=day - timedelta(days=30), closed=day,
                   status="won" if i < won else "lost")


def _marts(red_before: int, red_after: int, *, deals: int = 100) -> Marts:
    """Team red changes manager; blue and green do not. Win counts out of `deals` per window."""
    marts = Marts()
    for team, manager in [("red", "new@x.com"), ("blue", "b@x.com"), ("green", "g@x.com")]:
        for i in range(5):
            marts.person(f"{team}{i}@x.com", team=team, manager=manager, hired=date(2022, 1, 1))
    _closed(marts, "red", BEFORE, deals, red_before)
    _closed(marts, "red", CHANGE, deals, red_after)
    for team in ("blue", "green"):
        _closed(marts, team, BEFORE, deals, 30 * deals // 100)
        _closed(marts, team, CHANGE, deals, 35 * deals // 100)
    return marts


def _impact(marts: Marts, changes: pd.DataFrame | None = CHANGES, **settings: int) -> pd.DataFrame:
    result = compute_team_health(marts.frames(), as_of=AS_OF, settings=TeamHealthSettings(**settings),
                                 manager_changes=changes)
    return result.manager_impact.set_index("kpi")


def test_win_rate_improvement_is_measured_net_of_the_comparison_teams() -> None:
    row = _impact(_marts(red_before=30, red_after=60)).loc["win_rate_count"]

    assert (row["before_value"], row["after_value"]) == (0.3, 0.6)
    assert (row["comparison_before"], row["comparison_after"]) == (0.3, 0.35)
    assert row["did_estimate"] == pytest.approx(0.25)
    assert row["verdict"] == "improved"
    assert row["window_days"] == 180
    assert (row["team_n_before"], row["team_n_after"], row["team_n"]) == (100, 100, 200)
    assert (row["comparison_n_before"], row["comparison_n_after"], row["comparison_n"]) == (200, 200, 400)
    assert row["comparison_teams"] == "blue, green"
    assert (row["old_manager_email"], row["new_manager_email"]) == ("old@x.com", "new@x.com")


def test_win_rate_decline_has_a_negative_estimate() -> None:
    row = _impact(_marts(red_before=60, red_after=30)).loc["win_rate_count"]

    assert row["did_estimate"] == pytest.approx(-0.35)
    assert row["verdict"] == "declined"


def test_small_difference_is_no_clear_change() -> None:
    impact = _impact(_marts(red_before=30, red_after=38))

    assert impact.loc["win_rate_count", "did_estimate"] == pytest.approx(0.03)
    assert impact.loc["win_rate_count", "verdict"] == "no clear change"
    # Nobody left any team: retention is 100% everywhere.
    assert impact.loc["rep_retention", "did_estimate"] == 0.0
    assert impact.loc["rep_retention", "verdict"] == "no clear change"


def test_too_few_closed_deals_on_a_side_gives_not_enough_data() -> None:
    impact = _impact(_marts(red_before=3, red_after=9, deals=10))

    assert set(impact["verdict"]) == {"not enough data"}
    assert impact["did_estimate"].isna().all()
    row = impact.loc["win_rate_count"]
    # The figures behind the verdict are still stated.
    assert (row["before_value"], row["after_value"], row["team_n_before"]) == (0.3, 0.9, 10)


def test_minimum_closed_deals_per_side_is_configurable() -> None:
    assert _impact(_marts(30, 60), min_deals_per_side=101).loc["win_rate_count", "verdict"] == "not enough data"
    assert _impact(_marts(3, 9, deals=10), min_deals_per_side=5).loc["win_rate_count", "verdict"] != "not enough data"


def test_teams_with_their_own_change_in_the_windows_are_left_out_of_the_comparison() -> None:
    changes = pd.concat([CHANGES, pd.DataFrame([{"team": "green", "change_date": date(2024, 9, 1)}])])
    impact = compute_team_health(_marts(30, 60).frames(), as_of=AS_OF, manager_changes=changes).manager_impact
    red = impact[(impact["team"] == "red") & (impact["kpi"] == "win_rate_count")].iloc[0]

    assert red["comparison_teams"] == "blue" and red["comparison_n"] == 200


def test_window_is_shortened_to_end_at_the_as_of_date() -> None:
    changes = pd.DataFrame([{"team": "red", "change_date": date(2025, 5, 2)}])
    row = _impact(_marts(30, 60), changes).loc["win_rate_count"]

    assert row["window_days"] == 60 and row["verdict"] == "not enough data"


def test_stage_conversion_and_forecast_accuracy_are_compared_when_available() -> None:
    marts = _marts(30, 60)
    for team, before, after in [("red", 1, 3), ("blue", 2, 2)]:
        for window, passed in [(BEFORE, before), (CHANGE, after)]:
            for i in range(4):
                reached = window + timedelta(days=10 + i)
                stages = [(1, reached - timedelta(days=5)), (2, reached)]
                if i < passed:
                    stages.append((3, reached + timedelta(days=20)))
                marts.deal(f"{team}0@x.com", created=reached - timedelta(days=5), closed=None, status="open",
                           stages=stages)
    for team, accuracy_before, accuracy_after in [("red", [0.6, 0.7], [0.8, 0.9]),
                                                  ("blue", [0.7, 0.7], [0.75, 0.75])]:
        for window, values in [(BEFORE, accuracy_before), (CHANGE, accuracy_after)]:
            for k, value in enumerate(values):
                marts.accuracy(team, date(window.year, window.month, 1) + timedelta(days=40 + 31 * k), value)
    impact = _impact(marts)

    conversion = impact.loc["stage_conversion_demo"]
    assert (conversion["before_value"], conversion["after_value"]) == (0.25, 0.75)
    assert conversion["did_estimate"] == pytest.approx(0.5)
    assert conversion["comparison_teams"] == "blue"
    accuracy = impact.loc["forecast_accuracy"]
    assert accuracy["did_estimate"] == pytest.approx((0.85 - 0.65) - (0.75 - 0.7))
    assert (accuracy["team_n_before"], accuracy["team_n_after"]) == (2, 2)


def test_kpis_without_a_source_table_are_left_out() -> None:
    assert set(_impact(_marts(30, 60)).index) == {"win_rate_count", "rep_retention"}


def test_manager_change_is_reconstructed_from_spells_when_no_list_is_given() -> None:
    marts = _marts(30, 60)
    marts.person("old@x.com", team="leads", manager="vp@x.com", role="manager",
                 spells=[(date(2020, 1, 1), date(2024, 6, 28), "voluntary")])
    marts.person("new@x.com", team="leads", manager="vp@x.com", role="manager", hired=date(2024, 7, 1))
    marts.person("left@x.com", team="red", manager="old@x.com",
                 spells=[(date(2021, 1, 1), date(2024, 2, 1), "voluntary")])
    roster = build_roster(marts.frames().employment_spells, marts.frames().dim_reps, day_number(AS_OF))

    changes = detect_manager_changes(roster)
    assert changes.to_dict("records") == [{"team": "red", "change_date": CHANGE, "old_manager_email": "old@x.com",
                                           "new_manager_email": "new@x.com"}]
    impact = _impact(marts, changes=None)
    assert impact.loc["win_rate_count", "verdict"] == "improved"


def test_explicit_change_list_must_name_team_and_date() -> None:
    with pytest.raises(ValueError, match="change_date"):
        _impact(_marts(30, 60), changes=pd.DataFrame([{"team": "red"}]))
