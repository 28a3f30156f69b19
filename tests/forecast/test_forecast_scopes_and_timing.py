"""Scope roll-ups and the learnt timing pieces (stage transitions, close-date slips)."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from revops.forecast import Marts, as_of_view
from revops.forecast.marts import day_number
from revops.forecast.scopes import ScopeResolver
from revops.forecast.timing import HORIZON_DAYS, SlipModel, StageConversion

REPS = pd.DataFrame({
    "rep_id": ["r_vp", "r_m", "r_a", "r_b"],
    "email": ["VP@x.test", "m@x.test", "a@x.test", "b@x.test"],
    "team": [None, "north", "north", "south"],
    "manager_email": [None, "vp@x.test", "M@x.test", "m@x.test"],
    "role": ["vp", "manager", "ae", "ae"],
})


def test_a_deal_counts_for_its_team_every_manager_above_its_owner_its_segment_and_source() -> None:
    resolver = ScopeResolver.from_reps(REPS)
    assert resolver.scopes_of("r_a", "smb", "hubspot") == [
        ("company", "all"), ("team", "north"), ("manager", "m@x.test"), ("manager", "vp@x.test"),
        ("segment", "smb"), ("source", "hubspot")]
    assert resolver.scopes_of("someone_else", None, "pipedrive") == [
        ("company", "all"), ("team", "unassigned"), ("segment", "unknown"), ("source", "pipedrive")]
    frame = pd.DataFrame({"owner_rep_id": ["r_a", "r_b", "r_a"], "segment": ["smb"] * 3, "source": ["hubspot"] * 3})
    sums = resolver.sum_by_scope(frame, np.array([1.0, 2.0, 4.0]))
    by = dict(zip(resolver.scopes, sums, strict=True))
    assert by[("company", "all")] == 7 and by[("team", "north")] == 5 and by[("team", "south")] == 2
    assert by[("manager", "vp@x.test")] == 7 and by[("manager", "m@x.test")] == 7


def test_a_management_cycle_in_the_roster_does_not_loop() -> None:
    cyclic = REPS.assign(manager_email=["b@x.test", "vp@x.test", "m@x.test", "a@x.test"])
    chain = ScopeResolver.from_reps(cyclic).chain_of["r_a"]
    assert len(chain) == len(set(chain)) <= 4


def test_quarterly_quotas_are_prorated_by_days_and_summed_up_the_hierarchy() -> None:
    quotas = pd.DataFrame({"rep_id": ["r_a", "r_b", "r_a"], "quota_type": ["revenue", "revenue", "meetings"],
                           "start_day": [day_number(date(2025, 1, 1))] * 3, "end_day": [day_number(date(2025, 4, 1))] * 3,
                           "quota_amount": [90_000.0, 180_000.0, 40.0]})
    resolver = ScopeResolver.from_reps(REPS)
    january = resolver.quota_by_scope(quotas, day_number(date(2025, 1, 1)), day_number(date(2025, 2, 1)))
    assert january[("team", "north")] == pytest.approx(90_000 * 31 / 90)
    assert january[("company", "all")] == pytest.approx(270_000 * 31 / 90)
    assert january[("manager", "m@x.test")] == pytest.approx(270_000 * 31 / 90)


def _view_with_stage_history(marts: Marts) -> tuple[object, int]:
    """A view whose only history is 40 proposal entries: 20 won 10 days in, 20 lost 25 days in."""
    d = date(2024, 6, 3)
    view = as_of_view(marts, d)
    day = day_number(d)
    entered = day - 300 + np.arange(40, dtype=float)
    won = np.arange(40) < 20
    closed_day = entered + np.where(won, 10, 25)
    events = pd.DataFrame({"deal_id": [f"x{i}" for i in range(40)], "stage": "proposal", "stage_order": 3.0,
                           "entered_day": entered, "exited_day": closed_day})
    closed = pd.DataFrame({"deal_id": events["deal_id"], "status": np.where(won, "won", "lost"),
                           "closed_day": closed_day})
    return dataclasses.replace(view, stage_events=events, closed=closed), day


def test_stage_conversion_compares_a_deal_only_with_deals_that_stayed_as_long_in_its_stage(marts: Marts) -> None:
    view, day = _view_with_stage_history(marts)
    model = StageConversion.fit(view)
    fresh, stale = model.win_in_window(np.array([3.0, 3.0]), np.array([0.0, 15.0]), day, day, day + 30)
    assert fresh == pytest.approx(0.5)
    assert stale == pytest.approx(0.0)  # every deal still in proposal after 15 days was lost
    # Only wins landing inside the window count: won 10 days after entry, so not in days 12..30.
    assert model.win_in_window(np.array([3.0]), np.array([0.0]), day, day + 12, day + 30)[0] == pytest.approx(0.0)
    assert model.win_rate[3] == pytest.approx(0.5)
    assert HORIZON_DAYS > 120


def test_slips_for_a_date_already_passed_come_only_from_deals_that_slipped_at_least_as_much() -> None:
    slip = SlipModel(np.sort(np.concatenate([np.zeros(50), np.full(30, 20.0), np.full(20, 60.0)])), np.ones(3))
    day = 1000
    on_time = slip.close_probability(np.array([day + 5.0]), day, day, day + 30)[0]
    late = slip.close_probability(np.array([day - 10.0]), day, day, day + 30)[0]
    assert on_time == pytest.approx(0.8)
    assert late == pytest.approx(30 / 50)  # of the 50 slips >= 10 days, 30 land within the month
    draws = slip.sample_close(np.array([day - 10.0]), day, np.random.default_rng(0).random((1, 2000)))
    assert draws.min() >= day and set(np.unique(draws)) == {day + 10.0, day + 50.0}
