"""build_forecast against a DuckDB warehouse: the table contract, the period forecasts, the summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from revops.forecast import ForecastInputError, build_forecast

CONTRACT = {
    "period_forecasts": ["as_of_date", "grain", "period_start", "scope_type", "scope_id", "method", "forecast",
                         "closed_won_to_date", "open_pipeline", "p10", "p50", "p90"],
    "deal_scores": ["as_of_date", "deal_id", "source", "owner_rep_id", "stage", "amount_corporate", "crm_probability",
                    "win_probability", "expected_close_date", "top_factors"],
    "forecast_accuracy": ["grain", "period_start", "scope_type", "scope_id", "method", "snapshot_date",
                          "snapshot_label", "forecast", "actual", "accuracy", "bias", "predictability"],
    "pipeline_waterfall": ["grain", "period_start", "scope_type", "scope_id", "start_amount", "created", "pulled_in",
                           "increased", "decreased", "pushed_out", "lost", "won", "end_amount"],
    "forecast_summary": ["grain", "period_start", "scope_type", "scope_id", "recommended", "p10", "p90", "method",
                         "method_accuracy", "method_bias", "periods_backtested", "summary"],
    "win_model_calibration": ["bin", "predicted_mean", "observed_rate", "deals"],
    "model_metrics": ["model", "metric", "value", "as_of_date"],
    "lead_scores": ["as_of_date", "person_id", "email", "mql_at", "sql_probability"],
    "lead_score_backtest": ["cohort_period", "predicted_sql", "actual_sql", "brier", "auc"],
}
METHODS = {"weighted_pipeline", "category_commit", "category_best_case", "stage_conversion", "deal_model", "monte_carlo"}


def test_build_writes_every_forecast_table_with_the_documented_columns(
        built: tuple[Path, dict[str, int]], built_con: duckdb.DuckDBPyConnection) -> None:
    _, counts = built
    assert set(counts) == set(CONTRACT)
    for table, columns in CONTRACT.items():
        have = [r[0] for r in built_con.execute(f"describe forecast.{table}").fetchall()]
        assert have[:len(columns)] == columns, table
        assert built_con.execute(f"select count(*) from forecast.{table}").fetchone()[0] == counts[table] > 0


def test_every_scope_gets_each_method_for_this_quarter_next_quarter_and_this_month(
        built_con: duckdb.DuckDBPyConnection) -> None:
    rows = built_con.execute("""select grain, period_start, scope_type, scope_id, list(method) as methods
                                from forecast.period_forecasts group by all""").df()
    assert set(zip(rows["grain"], rows["period_start"].dt.date, strict=True)) == {
        ("quarter", date(2024, 11, 1)), ("quarter", date(2025, 2, 1)), ("month", date(2025, 1, 1))}
    assert all(set(m) == METHODS and len(m) == 6 for m in rows["methods"])
    assert set(rows["scope_type"]) == {"company", "team", "manager", "segment", "source"}
    assert {"north", "south", "west"} <= set(rows.loc[rows["scope_type"] == "team", "scope_id"])


def test_crm_weighted_forecast_is_closed_won_plus_probability_weighted_open_pipeline(
        built_con: duckdb.DuckDBPyConnection) -> None:
    stored = built_con.execute("""select forecast, closed_won_to_date, open_pipeline from forecast.period_forecasts
        where method = 'weighted_pipeline' and scope_type = 'company' and grain = 'quarter'
          and period_start = DATE '2024-11-01'""").fetchone()
    won, weighted, pipeline = built_con.execute("""
        select (select sum(amount_corporate) from marts.fct_deals where status = 'won'
                  and closed_date >= DATE '2024-11-01' and closed_date < DATE '2025-01-15'),
               sum(amount_corporate * probability), sum(amount_corporate)
        from marts.fct_pipeline_daily where snapshot_date = DATE '2025-01-15'
          and expected_close_date >= DATE '2025-01-15' and expected_close_date < DATE '2025-02-01'""").fetchone()
    assert stored[1] == pytest.approx(won)
    assert stored[2] == pytest.approx(pipeline)
    assert stored[0] == pytest.approx(won + weighted)


def test_the_top_manager_rolls_up_the_whole_company(built_con: duckdb.DuckDBPyConnection) -> None:
    diff = built_con.execute("""
        select max(abs(c.forecast - v.forecast)) from forecast.period_forecasts c
        join forecast.period_forecasts v using (grain, period_start, method)
        where c.scope_type = 'company' and v.scope_type = 'manager' and v.scope_id = 'vp@acme.test'
          and c.method <> 'monte_carlo'""").fetchone()[0]
    assert diff == pytest.approx(0.0, abs=1e-6)


def test_summary_recommends_the_best_back_tested_method_of_each_scope_in_one_sentence(
        built_con: duckdb.DuckDBPyConnection) -> None:
    summary = built_con.execute("select * from forecast.forecast_summary").df()
    forecasts = built_con.execute("select count(distinct (grain, period_start, scope_type, scope_id)) "
                                  "from forecast.period_forecasts").fetchone()[0]
    assert len(summary) == forecasts
    best = built_con.execute("""
        select grain, scope_type, scope_id, arg_max(method, acc) as method, max(acc) as acc from (
          select grain, scope_type, scope_id, method, avg(accuracy) as acc, count(distinct period_start) as n
          from forecast.forecast_accuracy where accuracy is not null group by all) where n >= 2 group by all""").df()
    merged = summary[summary["method_basis"] == "scope"].merge(best, on=["grain", "scope_type", "scope_id"])
    assert len(merged) > 0
    assert (merged["method_x"] == merged["method_y"]).all()
    assert merged["method_accuracy"].to_numpy() == pytest.approx(merged["acc"].to_numpy())
    assert (summary["p10"] <= summary["recommended"] + 1e-6).all() and (summary["recommended"] <= summary["p90"] + 1e-6).all()
    company = summary[(summary["scope_type"] == "company") & (summary["grain"] == "quarter")].iloc[0]
    assert company["summary"].startswith("Q4 FY2025") and "USD" in company["summary"]
    assert company["summary"].count(".") >= 1 and "back-tested" in company["summary"]


def test_a_missing_mart_is_named_in_the_error(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_deals (deal_id varchar)")
        with pytest.raises(ForecastInputError, match=r"fct_deals lacks column\(s\) account_id.*marts.fct_pipeline_daily does not exist"):
            build_forecast(con, as_of=date(2025, 1, 15), fiscal_year_start_month=1, corporate_currency="EUR")
