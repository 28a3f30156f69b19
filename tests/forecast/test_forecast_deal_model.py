"""Deal win-probability model: calibrated on held-out deals, better than a constant and than the CRM,
explained in words."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from revops.forecast import Marts, as_of_view
from revops.forecast.deal_model import explain, fit_deal_model
from revops.forecast.features import deal_features
from revops.forecast.models import sample_deals, train_models, training_rows


def _metrics(con: duckdb.DuckDBPyConnection, model: str) -> dict[str, float]:
    rows = con.execute("select metric, value from forecast.model_metrics where model = ?", [model]).fetchall()
    return dict(rows)


def test_held_out_brier_beats_a_constant_predictor_and_the_crm_probabilities(
        built_con: duckdb.DuckDBPyConnection) -> None:
    m = _metrics(built_con, "deal_model")
    assert m["test_rows"] > 500 and m["training_rows"] > 2 * m["test_rows"]
    assert m["brier"] < 0.8 * m["brier_constant"]
    assert m["brier"] < m["brier_crm_probability"]
    assert m["auc"] > m["auc_crm_probability"] > 0.5


def test_reliability_table_on_held_out_deals_tracks_the_observed_rates(built_con: duckdb.DuckDBPyConnection) -> None:
    table = built_con.execute("select * from forecast.win_model_calibration order by bin").df()
    assert list(table["bin"]) == list(range(10))
    used = table[table["deals"] > 0]
    assert used["predicted_mean"].between(used["bin_lower"], used["bin_upper"]).all()
    calibration_error = np.average((used["predicted_mean"] - used["observed_rate"]).abs(), weights=used["deals"])
    assert calibration_error < 0.1
    assert table["deals"].sum() >= _metrics(built_con, "deal_model")["test_deals"]


def test_every_open_deal_gets_a_probability_and_its_main_factors_in_words(built_con: duckdb.DuckDBPyConnection) -> None:
    scores = built_con.execute("select * from forecast.deal_scores").df()
    open_now = built_con.execute(
        "select count(*) from marts.fct_pipeline_daily where snapshot_date = DATE '2025-01-15'").fetchone()[0]
    assert len(scores) == open_now
    assert scores["win_probability"].between(0, 1).all()
    assert (scores["win_this_quarter_probability"] <= scores["win_probability"] + 1e-12).all()
    pattern = re.compile(r"^[a-z0-9'][^;]* \([+-]\d+ pts\)(; [a-z0-9'][^;]* \([+-]\d+ pts\))*$")
    assert scores["top_factors"].map(lambda t: bool(pattern.match(t))).mean() > 0.9


def test_a_deal_gone_quiet_is_scored_lower_and_told_so(marts: Marts) -> None:
    view = as_of_view(marts, date(2025, 1, 15))
    with threadpool_limits(limits=1, user_api="openmp"):
        models = train_models(view, seed=0)
    assert models.deal is not None
    features = deal_features(view.open_deals, view)
    active = features[(features["days_since_activity"] < 5) & (features["activities_30d"] >= 5)].head(5).copy()
    assert len(active) >= 3
    quiet = active.assign(days_since_activity=45.0, activities_30d=0.0)
    assert (models.deal.predict(quiet) < models.deal.predict(active)).all()
    texts = explain(models.deal, quiet)
    assert all(re.search(r"no activity in 45 days \(-\d+ pts\)", t) for t in texts)


def test_too_little_labelled_history_trains_no_model() -> None:
    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(120, 20)))
    assert fit_deal_model(features, rng.integers(0, 2, 120), pd.Series(range(120))) is None


def test_the_deal_model_learns_from_a_seeded_draw_of_deals_when_there_are_more_than_its_cap(marts: Marts) -> None:
    view = as_of_view(marts, date(2025, 1, 15))
    rows = training_rows(view)
    deals = rows["deal_id"].nunique()
    cap = deals // 2
    with threadpool_limits(limits=1, user_api="openmp"):
        whole = train_models(view, seed=0)
        a, b = train_models(view, seed=0, max_deals=cap), train_models(view, seed=0, max_deals=cap)
    assert whole.training_deals == deals and whole.training_rows == len(rows)
    assert a.training_deals == cap and a.training_rows == len(rows)  # the stage and timing models see all
    assert a.deal is not None and b.deal is not None and whole.deal is not None
    assert a.deal.metrics["test_deals"] < whole.deal.metrics["test_deals"]
    assert a.deal.metrics["brier"] < 0.8 * a.deal.metrics["brier_constant"]  # still a model worth having
    features = deal_features(view.open_deals, view)
    assert np.array_equal(a.deal.predict(features), b.deal.predict(features))  # the same draw each time
    # the draw depends on the seed and the deals, not on the rows' order
    scrambled = rows.sample(frac=1.0, random_state=7)
    assert set(sample_deals(scrambled, cap, 0)["deal_id"]) == set(sample_deals(rows, cap, 0)["deal_id"])
    assert set(sample_deals(rows, cap, 0)["deal_id"]) != set(sample_deals(rows, cap, 1)["deal_id"])
    assert len(sample_deals(rows, deals, 0)) == len(rows)
    with pytest.raises(ValueError, match="max_deals"):
        train_models(view, max_deals=0)
