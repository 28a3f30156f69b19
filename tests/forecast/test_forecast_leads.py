"""Lead scoring: MQL-to-SQL probability from what was known at the MQL, back-tested by cohort."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pytest

from revops.forecast import Marts, as_of_view
from revops.forecast.leads import WINDOW_DAYS, converted, lead_features, train_lead_model
from revops.forecast.periods import add_months

AS_OF = date(2025, 1, 15)


def test_lead_back_test_beats_a_constant_predictor_on_mature_cohorts(built_con: duckdb.DuckDBPyConnection) -> None:
    metrics = dict(built_con.execute(
        "select metric, value from forecast.model_metrics where model = 'lead_model'").fetchall())
    assert metrics["brier"] < metrics["brier_constant"]
    assert metrics["auc"] > 0.6
    cohorts = built_con.execute("select * from forecast.lead_score_backtest order by cohort_period").df()
    assert len(cohorts) == 6
    # Only cohorts whose conversion window has closed by the as-of day are scored.
    for start in cohorts["cohort_period"].dt.date:
        assert add_months(start, 1) + timedelta(days=WINDOW_DAYS) <= AS_OF
    assert add_months(cohorts["cohort_period"].dt.date.max(), 2) + timedelta(days=WINDOW_DAYS) > AS_OF
    assert cohorts["predicted_sql"].sum() == pytest.approx(cohorts["actual_sql"].sum(), rel=0.25)


def test_lead_scores_cover_the_open_mqls_inside_their_window(built_con: duckdb.DuckDBPyConnection) -> None:
    scored = built_con.execute("select count(*), min(sql_probability), max(sql_probability), min(mql_at) "
                               "from forecast.lead_scores").fetchone()
    expected = built_con.execute("""select count(*) from marts.fct_lead_funnel where mql_at < DATE '2025-01-15'
        and mql_at >= DATE '2025-01-15' - interval 90 day and sql_at is null""").fetchone()[0]
    assert scored[0] == expected > 0
    assert 0 < scored[1] <= scored[2] < 1


def test_more_account_activity_before_the_mql_raises_the_score(marts: Marts) -> None:
    view = as_of_view(marts, AS_OF)
    model = train_lead_model(view)
    assert model.pipeline is not None
    people = view.leads[view.leads["mql_day"].notna()].head(300)
    features = lead_features(people, view)
    busier = features.assign(account_activities_30d=features["account_activities_30d"] + 5,
                             account_activities_total=features["account_activities_total"] + 5)
    assert (model.predict(busier) > model.predict(features)).all()


def test_a_person_converts_only_when_sql_follows_within_the_window(marts: Marts) -> None:
    leads = marts.leads[marts.leads["mql_day"].notna()].head(50).copy()
    leads["sql_day"] = leads["mql_day"] + np.where(np.arange(len(leads)) % 2 == 0, 30.0, WINDOW_DAYS + 1.0)
    assert list(converted(leads)) == [1.0 if i % 2 == 0 else 0.0 for i in range(len(leads))]
