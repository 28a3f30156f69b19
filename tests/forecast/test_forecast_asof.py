"""The point-in-time view: nothing dated on or after the as-of day reaches a forecast or a model."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from revops.forecast import Marts, as_of_view
from revops.forecast.features import deal_features
from revops.forecast.leads import lead_features, train_lead_model
from revops.forecast.marts import day_number
from revops.forecast.models import train_models

AS_OF = date(2024, 6, 3)
DAY = day_number(AS_OF)


def scramble_future(marts: Marts, seed: int = 1) -> Marts:
    """The same history up to the start of AS_OF, and a different future after it."""
    rng = np.random.default_rng(seed)
    deals = marts.deals.copy()
    later = (deals["closed_day"] > DAY).to_numpy()
    deals.loc[later, "status"] = np.where(deals.loc[later, "status"] == "won", "lost", "won")
    deals.loc[later, "closed_day"] = deals.loc[later, "closed_day"] + 17
    deals.loc[later, "amount_corporate"] = deals.loc[later, "amount_corporate"] * 3
    still_open = (deals["status"] == "open").to_numpy()
    deals.loc[still_open, "ecd_day"] = deals.loc[still_open, "ecd_day"] + 40

    # A deal won before AS_OF whose amount is edited later: the edit is recorded, so it can be undone.
    won_before = deals.index[(deals["status"] == "won") & (deals["closed_day"] < DAY - 30)][0]
    deal_id = deals.at[won_before, "deal_id"]
    old_amount = deals.at[won_before, "amount"]
    deals.at[won_before, "amount"] = old_amount * 5
    deals.at[won_before, "amount_corporate"] = deals.at[won_before, "amount_corporate"] * 5
    edit = pd.DataFrame([{"deal_id": deal_id, "day": float(DAY + 20), "changed_epoch": (DAY + 20) * 86400.0,
                          "field": "amount", "old_value": str(old_amount), "new_value": str(old_amount * 5)}])

    pipeline = marts.pipeline.copy()
    future = (pipeline["day"] > DAY).to_numpy()
    pipeline.loc[future, "amount_corporate"] = pipeline.loc[future, "amount_corporate"] * 2
    pipeline.loc[future, "probability"] = 0.99
    pipeline = pipeline[~future | (rng.random(len(pipeline)) < 0.5)]

    events = marts.stage_events.copy()
    crossing = (events["entered_day"] < DAY) & (events["exited_day"] >= DAY)
    events.loc[crossing, "exited_day"] = events.loc[crossing, "exited_day"] + 9
    events = events[(events["entered_day"] < DAY) | (rng.random(len(events)) < 0.3)]

    acts = marts.activities[marts.activities["day"] < DAY]
    open_ids = deals.loc[still_open, "deal_id"].to_numpy()
    noise = pd.DataFrame({"deal_id": rng.choice(open_ids, 300), "account_id": None, "rep_id": None,
                          "activity_type": "call", "day": DAY + rng.integers(0, 60, 300).astype(float)})
    changes = marts.changes[marts.changes["day"] < DAY]
    changes = pd.concat([changes, edit], ignore_index=True).sort_values(["deal_id", "changed_epoch"],
                                                                        kind="stable").reset_index(drop=True)

    leads = marts.leads.copy()
    for col in ("mql_day", "sql_day"):
        late = leads[col] >= DAY
        leads.loc[late, col] = leads.loc[late, col] + rng.integers(1, 30, int(late.sum()))
    leads.loc[leads["sql_day"].isna() & (leads["mql_day"] < DAY), "sql_day"] = DAY + 3.0
    return dataclasses.replace(marts, deals=deals, pipeline=pipeline.reset_index(drop=True),
                               stage_events=events.reset_index(drop=True),
                               activities=pd.concat([acts, noise], ignore_index=True), changes=changes,
                               leads=leads)


def _same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    pd.testing.assert_frame_equal(a.sort_values(keys).reset_index(drop=True), b.sort_values(keys).reset_index(drop=True),
                                  check_dtype=False)


def test_view_holds_no_row_dated_on_or_after_the_as_of_day_except_its_own_snapshot(marts: Marts) -> None:
    view = as_of_view(marts, AS_OF)
    assert view.snapshots["day"].max() == DAY
    assert (view.open_deals["day"] == DAY).all()
    dated = [view.closed["closed_day"], view.stage_events["entered_day"], view.stage_events["exited_day"],
             view.activities["day"], view.changes["day"], view.leads["mql_day"], view.leads["sql_day"]]
    assert all((s.dropna() < DAY).all() for s in dated)
    assert view.latest_dated_day() == DAY
    # Stage entries that were still running at the start of the day show no exit yet.
    crossing = marts.stage_events[(marts.stage_events["entered_day"] < DAY) & (marts.stage_events["exited_day"] >= DAY)]
    assert len(crossing) > 0
    assert view.stage_events.set_index(["deal_id", "entered_day", "stage_order"]).loc[
        list(crossing.set_index(["deal_id", "entered_day", "stage_order"]).index), "exited_day"].isna().all()


def test_a_different_future_leaves_the_view_and_the_models_trained_as_of_the_day_unchanged(marts: Marts) -> None:
    original, scrambled = as_of_view(marts, AS_OF), as_of_view(scramble_future(marts), AS_OF)
    _same(original.open_deals, scrambled.open_deals, ["deal_id"])
    _same(original.closed, scrambled.closed, ["deal_id"])
    _same(original.snapshots, scrambled.snapshots, ["day", "deal_id"])
    _same(original.stage_events, scrambled.stage_events, ["deal_id", "entered_day", "stage_order"])
    _same(original.activities, scrambled.activities, ["deal_id", "account_id", "day"])
    _same(original.changes, scrambled.changes, ["deal_id", "changed_epoch", "field"])
    _same(original.leads, scrambled.leads, ["person_id"])

    with threadpool_limits(limits=1, user_api="openmp"):
        a, b = train_models(original, seed=3), train_models(scrambled, seed=3)
    assert a.deal is not None and b.deal is not None
    fa, fb = deal_features(original.open_deals, original), deal_features(scrambled.open_deals, scrambled)
    np.testing.assert_array_equal(a.deal.predict(fa), b.deal.predict(fb))
    np.testing.assert_array_equal(a.slip.slips, b.slip.slips)
    assert a.stage.win_rate == b.stage.win_rate
    la, lb = train_lead_model(original), train_lead_model(scrambled)
    people = original.leads[original.leads["mql_day"].notna()].head(200)
    np.testing.assert_array_equal(la.predict(lead_features(people, original)), lb.predict(lead_features(people, scrambled)))


def test_an_amount_edited_after_the_as_of_day_is_undone_from_the_recorded_change(marts: Marts) -> None:
    scrambled = scramble_future(marts)
    edited = scrambled.changes[scrambled.changes["day"] == DAY + 20]["deal_id"].iloc[0]
    today = scrambled.deals.set_index("deal_id").at[edited, "amount_corporate"]
    then = as_of_view(scrambled, AS_OF).closed.set_index("deal_id").at[edited, "amount_corporate"]
    assert then == pytest.approx(today / 5)


def test_a_deal_closing_on_the_as_of_day_is_open_at_its_start_whatever_the_snapshot_convention(marts: Marts) -> None:
    closing = marts.deals[marts.deals["closed_day"] == DAY]["deal_id"]
    assert len(closing) > 0
    # The synthetic marts leave deals out of the snapshot of their closing day; add them back.
    prev = marts.pipeline[(marts.pipeline["day"] == DAY - 1) & marts.pipeline["deal_id"].isin(closing)].copy()
    prev["day"] = float(DAY)
    prev["days_in_stage"] += 1
    inclusive = dataclasses.replace(marts, pipeline=pd.concat([marts.pipeline, prev], ignore_index=True))
    a, b = as_of_view(marts, AS_OF), as_of_view(inclusive, AS_OF)
    assert set(closing) <= set(a.open_deals["deal_id"])
    assert not set(closing) & set(a.closed["deal_id"])
    _same(a.open_deals, b.open_deals, ["deal_id"])


@pytest.mark.parametrize("as_of", [date(2023, 3, 6), AS_OF, date(2024, 11, 4)])
def test_features_from_the_marts_shared_event_index_equal_those_from_the_views_own_events(
        marts: Marts, as_of: date) -> None:
    view = as_of_view(marts, as_of)
    assert view.events is marts.deal_events  # built once, shared by every view
    own = dataclasses.replace(view, events=None)
    weekly = view.snapshots[(view.snapshots["day"] + 3) % 7 == 0]  # Mondays: training-like rows
    assert len(weekly) > 100 and (marts.activities["day"] >= view.day).any()  # later events exist
    for rows in (view.open_deals, weekly):
        pd.testing.assert_frame_equal(deal_features(rows, view), deal_features(rows, own))


@pytest.mark.parametrize("field", ["status", "amount"])
def test_a_deals_value_at_the_start_of_a_day_is_the_old_value_of_its_first_later_change(marts: Marts,
                                                                                       field: str) -> None:
    from revops.forecast.asof import value_at_start_of

    changes = marts.changes[marts.changes["field"] == field]
    for day in (DAY - 200, DAY, DAY + 150):
        later = changes[changes["day"] >= day].sort_values(["deal_id", "changed_epoch"], kind="stable")
        expected = later.groupby("deal_id", sort=False)["old_value"].first()
        got = value_at_start_of(marts, field, day)
        assert got is not None and len(got) == len(marts.deals)
        by_deal = dict(zip(marts.deals["deal_id"], got, strict=True))
        assert {k for k, v in by_deal.items() if v is not None} == set(expected.index)
        assert all(by_deal[k] == v for k, v in expected.items())
        assert len(expected) > 0
    assert value_at_start_of(marts, "no such field", DAY) is None


def test_features_refuse_rows_dated_after_the_view(marts: Marts) -> None:
    view = as_of_view(marts, AS_OF)
    later = marts.pipeline[marts.pipeline["day"] == DAY + 7]
    with pytest.raises(ValueError, match="after the as-of day"):
        deal_features(later, view)
