"""Back-tests: forecasts rebuilt from snapshots, scored against actuals, and the learnt methods win."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from forecast_warehouse import BUILD_SETTINGS

from revops.forecast import build_forecast
from revops.forecast.backtest import snapshot_points
from revops.forecast.methods import Period

LEARNT = ("stage_conversion", "deal_model", "monte_carlo")


def test_learnt_methods_beat_the_crm_weighted_pipeline_when_crm_probabilities_are_biased(
        built_con: duckdb.DuckDBPyConnection) -> None:
    scores = built_con.execute("""
        select grain, method, avg(accuracy) as accuracy, avg(abs(bias)) as abs_bias
        from forecast.forecast_accuracy where scope_type = 'company' group by all""").df()
    for grain in ("quarter", "month"):
        by = scores[scores["grain"] == grain].set_index("method")
        for method in LEARNT:
            assert by.at[method, "accuracy"] > by.at["weighted_pipeline", "accuracy"] + 0.2, (grain, method)
            assert by.at[method, "abs_bias"] < by.at["weighted_pipeline", "abs_bias"], (grain, method)


def test_accuracy_bias_and_predictability_follow_their_definitions(built_con: duckdb.DuckDBPyConnection) -> None:
    acc = built_con.execute("select * from forecast.forecast_accuracy").df()
    with_actual = acc[acc["actual"] > 0]
    expected = (1 - (with_actual["forecast"] - with_actual["actual"]).abs() / with_actual["actual"]).clip(lower=0)
    np.testing.assert_allclose(with_actual["accuracy"], expected)
    np.testing.assert_allclose(with_actual["bias"], (with_actual["forecast"] - with_actual["actual"]) / with_actual["actual"])
    assert acc.loc[acc["actual"] == 0, ["accuracy", "bias"]].isna().all().all()

    series = acc[(acc["scope_type"] == "company") & (acc["method"] == "deal_model") & (acc["grain"] == "quarter")
                 & (acc["snapshot_label"] == "period_start")].sort_values("period_start")
    assert len(series) == 6
    assert pd.isna(series["predictability"].iloc[0])
    last = series["accuracy"].iloc[-4:]
    assert series["predictability"].iloc[-1] == pytest.approx(last.std(), rel=1e-9)


def test_each_period_is_scored_at_its_start_and_every_monday_inside(built_con: duckdb.DuckDBPyConnection) -> None:
    points = snapshot_points(Period("month", date(2024, 12, 1), date(2025, 1, 1)))
    assert points[0] == (date(2024, 12, 1), "period_start")
    assert [p for p, _ in points[1:]] == [date(2024, 12, 2), date(2024, 12, 9), date(2024, 12, 16), date(2024, 12, 23),
                                          date(2024, 12, 30)]
    stored = built_con.execute("""
        select distinct snapshot_date, snapshot_label from forecast.forecast_accuracy
        where grain = 'month' and period_start = DATE '2024-12-01' order by 1""").fetchall()
    assert stored == points
    quarters = built_con.execute("""select count(distinct period_start), min(snapshot_date >= period_start
                                           and snapshot_date < period_start + interval 3 month)
                                    from forecast.forecast_accuracy where grain = 'quarter'""").fetchone()
    assert quarters == (6, True)


def _change_deals_today(path: Path) -> None:
    """Today (the as-of day) a deal won in December has its amount edited, and an open deal jumps."""
    today = BUILD_SETTINGS["as_of"]
    with duckdb.connect(str(path)) as con:
        won = con.execute("""select deal_id, amount from marts.fct_deals where status = 'won'
                             and closed_date between DATE '2024-12-03' and DATE '2024-12-20' limit 1""").fetchone()
        opened = con.execute("""select deal_id from marts.fct_pipeline_daily where snapshot_date = DATE '2024-12-02'
                                intersect select deal_id from marts.fct_pipeline_daily where snapshot_date = ?
                                limit 1""", [today]).fetchone()
        assert won is not None and opened is not None
        con.execute("update marts.fct_deals set amount = amount * 4, amount_corporate = amount_corporate * 4 "
                    "where deal_id = ?", [won[0]])
        con.execute("insert into marts.fct_deal_changes (deal_id, source, changed_at, field, old_value, new_value) "
                    "values (?, 'salesforce', ?, 'amount', ?, ?)",
                    [won[0], f"{today} 15:00:00", str(won[1]), str(won[1] * 4)])
        con.execute("update marts.fct_deals set amount = amount * 10, amount_corporate = amount_corporate * 10, "
                    "stage = 'negotiation', stage_order = 4, probability = 0.9 where deal_id = ?", [opened[0]])
        con.execute("update marts.fct_pipeline_daily set amount_corporate = amount_corporate * 10, stage_order = 4, "
                    "probability = 0.9, expected_close_date = ? where deal_id = ? and snapshot_date = ?",
                    [today, opened[0], today])


def test_past_forecasts_do_not_change_when_deals_change_today(warehouse_file: Path, tmp_path: Path) -> None:
    settings = {**BUILD_SETTINGS, "backtest_periods": 1}
    results, today = [], []
    for name, edit in (("before", False), ("after", True)):
        path = tmp_path / f"{name}.duckdb"
        shutil.copy(warehouse_file, path)
        if edit:
            _change_deals_today(path)
        with duckdb.connect(str(path)) as con:
            build_forecast(con, **settings)
            results.append(con.execute("""select * from forecast.forecast_accuracy
                                          order by grain, period_start, scope_type, scope_id, method, snapshot_date""").df())
            today.append(con.execute("""select forecast from forecast.period_forecasts where scope_type = 'company'
                                        and method = 'weighted_pipeline' and grain = 'month'""").fetchone()[0])
    before, after = results
    assert len(before) == len(after) > 0
    pd.testing.assert_series_equal(before["forecast"], after["forecast"])
    # The edits are real: today's forecast and December's actual moved.
    assert (after["actual"] != before["actual"]).any()
    assert today[1] != pytest.approx(today[0])
