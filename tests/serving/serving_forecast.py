"""A working warehouse whose forecast tables are written by the forecast build's own table writer, for
one as-of date at a time (the build keeps only the latest forecast)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from revops.forecast.tables import write_tables

METHODS = ("weighted_pipeline", "monte_carlo")
PERIODS = (date(2025, 5, 1), date(2025, 8, 1))
SCOPES = (("company", "all"), ("team", "north"))


def forecast_value(scope: str, period: date, method: str, scale: float) -> float:
    """The forecast written for one row; tests recompute it to compare."""
    base = 1_000_000.0 if scope == "company" else 300_000.0
    return round(
        base * scale * (1.2 if method == "monte_carlo" else 1.0) * (0.5 if period == PERIODS[1] else 1.0), 2
    )


def write_forecast(path: Path, as_of: date, scale: float) -> None:
    """Replace the forecast tables of the working warehouse at `path` with a forecast as of `as_of`."""
    forecasts = pd.DataFrame(
        [
            {
                "as_of_date": as_of,
                "grain": "quarter",
                "period_start": period,
                "scope_type": stype,
                "scope_id": sid,
                "method": method,
                "forecast": forecast_value(stype, period, method, scale),
                "closed_won_to_date": 0.0,
                "open_pipeline": 2_000_000.0 * scale,
                "p10": 0.8 * forecast_value(stype, period, method, scale)
                if method == "monte_carlo"
                else None,
                "p50": forecast_value(stype, period, method, scale) if method == "monte_carlo" else None,
                "p90": 1.2 * forecast_value(stype, period, method, scale)
                if method == "monte_carlo"
                else None,
                **dict.fromkeys(
                    (
                        "commit_pipeline",
                        "best_case_pipeline",
                        "pipeline_category_pipeline",
                        "omitted_pipeline",
                    ),
                    0.0,
                ),
                "period_end": None,
            }
            for period in PERIODS
            for stype, sid in SCOPES
            for method in METHODS
        ]
    )
    summary = pd.DataFrame(
        [
            {
                "as_of_date": as_of,
                "grain": "quarter",
                "period_start": period,
                "scope_type": "company",
                "scope_id": "all",
                "recommended": recommended(period, scale),
                "p10": 0.9 * recommended(period, scale),
                "p90": 1.1 * recommended(period, scale),
                "method": "monte_carlo",
                "method_accuracy": 0.9,
                "method_bias": 0.01,
                "periods_backtested": 4,
                "summary": "",
                "method_basis": "company",
                "closed_won_to_date": 0.0,
                "quota": 1_500_000.0,
            }
            for period in PERIODS
        ]
    )
    with duckdb.connect(str(path)) as con:
        write_tables(con, {"period_forecasts": forecasts, "forecast_summary": summary})


def recommended(period: date, scale: float) -> float:
    """The recommended number written for a period."""
    return forecast_value("company", period, "monte_carlo", scale)


def history(serving: Path) -> pd.DataFrame:
    """meta.forecast_history of a serving copy."""
    with duckdb.connect() as con:
        con.execute(f"attach '{serving}' as s (read_only)")
        return con.execute("select * from s.meta.forecast_history order by all").df()
