"""The forecast schema's tables: column types (the contract in docs/warehouse.md, plus a few added
columns) and one transactional writer that replaces them all."""

from __future__ import annotations

import duckdb
import pandas as pd

MONEY = "DECIMAL(18,2)"
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "period_forecasts": [
        ("as_of_date", "DATE"), ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"), ("method", "VARCHAR"), ("forecast", "DOUBLE"),
        ("closed_won_to_date", "DOUBLE"), ("open_pipeline", "DOUBLE"), ("p10", "DOUBLE"), ("p50", "DOUBLE"),
        ("p90", "DOUBLE"), ("commit_pipeline", "DOUBLE"), ("best_case_pipeline", "DOUBLE"),
        ("pipeline_category_pipeline", "DOUBLE"), ("omitted_pipeline", "DOUBLE"), ("period_end", "DATE"),
    ],
    "deal_scores": [
        ("as_of_date", "DATE"), ("deal_id", "VARCHAR"), ("source", "VARCHAR"), ("owner_rep_id", "VARCHAR"),
        ("stage", "VARCHAR"), ("amount_corporate", "DOUBLE"), ("crm_probability", "DOUBLE"),
        ("win_probability", "DOUBLE"), ("expected_close_date", "DATE"), ("top_factors", "VARCHAR"),
        ("stage_win_probability", "DOUBLE"), ("win_this_quarter_probability", "DOUBLE"),
    ],
    "forecast_accuracy": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"),
        ("method", "VARCHAR"), ("snapshot_date", "DATE"), ("snapshot_label", "VARCHAR"), ("forecast", "DOUBLE"),
        ("actual", "DOUBLE"), ("accuracy", "DOUBLE"), ("bias", "DOUBLE"), ("predictability", "DOUBLE"),
    ],
    "pipeline_waterfall": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"),
        ("start_amount", MONEY), ("created", MONEY), ("pulled_in", MONEY), ("increased", MONEY),
        ("decreased", MONEY), ("pushed_out", MONEY), ("lost", MONEY), ("won", MONEY), ("end_amount", MONEY),
        ("window_end", "DATE"),
    ],
    "forecast_summary": [
        ("grain", "VARCHAR"), ("period_start", "DATE"), ("scope_type", "VARCHAR"), ("scope_id", "VARCHAR"),
        ("recommended", "DOUBLE"), ("p10", "DOUBLE"), ("p90", "DOUBLE"), ("method", "VARCHAR"),
        ("method_accuracy", "DOUBLE"), ("method_bias", "DOUBLE"), ("periods_backtested", "INTEGER"),
        ("summary", "VARCHAR"), ("as_of_date", "DATE"), ("method_basis", "VARCHAR"),
        ("closed_won_to_date", "DOUBLE"), ("quota", "DOUBLE"),
    ],
    "win_model_calibration": [
        ("bin", "INTEGER"), ("predicted_mean", "DOUBLE"), ("observed_rate", "DOUBLE"), ("deals", "INTEGER"),
        ("bin_lower", "DOUBLE"), ("bin_upper", "DOUBLE"), ("as_of_date", "DATE"),
    ],
    "model_metrics": [("model", "VARCHAR"), ("metric", "VARCHAR"), ("value", "DOUBLE"), ("as_of_date", "DATE")],
    "lead_scores": [
        ("as_of_date", "DATE"), ("person_id", "VARCHAR"), ("email", "VARCHAR"), ("mql_at", "TIMESTAMP"),
        ("sql_probability", "DOUBLE"),
    ],
    "lead_score_backtest": [
        ("cohort_period", "DATE"), ("predicted_sql", "DOUBLE"), ("actual_sql", "INTEGER"), ("brier", "DOUBLE"),
        ("auc", "DOUBLE"), ("mqls", "INTEGER"),
    ],
}


def write_tables(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Create or replace every forecast table from its frame, all in one transaction."""
    unknown = set(frames) - set(SCHEMAS)
    if unknown:
        raise ValueError(f"no schema for forecast table(s) {', '.join(sorted(unknown))}")
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS forecast")
        for table, columns in SCHEMAS.items():
            frame = frames.get(table, pd.DataFrame())
            ddl = ", ".join(f'"{c}" {t}' for c, t in columns)
            con.execute(f"CREATE OR REPLACE TABLE forecast.{table} ({ddl})")
            if len(frame):
                missing = [c for c, _ in columns if c not in frame.columns]
                if missing:
                    raise ValueError(f"forecast.{table}: computed rows lack column(s) {', '.join(missing)}")
                name = f"_forecast_{table}"
                con.register(name, frame[[c for c, _ in columns]])
                try:
                    select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in columns)
                    con.execute(f"INSERT INTO forecast.{table} SELECT {select} FROM {name}")
                finally:
                    con.unregister(name)
            counts[table] = len(frame)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return counts
