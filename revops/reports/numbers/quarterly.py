"""Numbers of the quarterly review: the last quarter against its targets, the forecast range of the
current and the next quarter by method, forecast accuracy history and next quarter's pipeline
coverage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from revops.reports.calendar import add_months, quarter_start
from revops.reports.numbers.common import tracking_rows
from revops.reports.source import Warehouse, as_date

COMPANY = "scope_type = 'company' and scope_id = 'all'"
RESULT_KPIS = (
    "won_amount",
    "quota_attainment",
    "opportunities_created",
    "opportunities_created_amount",
    "win_rate_count",
    "average_deal_size",
    "sales_cycle_days_mean",
)
ACCURACY_SNAPSHOT = "period_start"  # the forecast as it stood on the quarter's first day


def quarters(as_of: date, fiscal_year_start_month: int) -> tuple[date, date, date]:
    """(last, current, next) fiscal quarter starts around `as_of`."""
    current = quarter_start(as_of, fiscal_year_start_month)
    return add_months(current, -3), current, add_months(current, 3)


def last_quarter_vs_targets(
    wh: Warehouse, as_of: date, fiscal_year_start_month: int, headline: Sequence[str]
) -> pd.DataFrame:
    """kpi.kpi_tracking of the last complete quarter, company scope: headline KPIs first, then every
    other KPI with a tracking row for that quarter."""
    last, _, _ = quarters(as_of, fiscal_year_start_month)
    return tracking_rows(wh, "quarter", last, headline, include_all_tracked=True)


def last_quarter_results(wh: Warehouse, as_of: date, fiscal_year_start_month: int) -> dict[str, float]:
    """Company results of the last quarter from kpi.kpi_values (won amount, quota attainment, …);
    KPIs without a row are absent from the dict."""
    wh.require("kpi.kpi_values")
    last, _, _ = quarters(as_of, fiscal_year_start_month)
    ph = ", ".join("?" for _ in RESULT_KPIS)
    got = wh.df(
        f"select kpi, value from kpi.kpi_values where grain = 'quarter' and period_start = ? and {COMPANY} "
        f"and kpi in ({ph})",
        [last, *RESULT_KPIS],
    )
    return {k: float(v) for k, v in zip(got["kpi"], got["value"], strict=True) if pd.notna(v)}


def forecast_ranges(wh: Warehouse, as_of: date, fiscal_year_start_month: int) -> dict[str, Any]:
    """Company forecasts of the current and next quarter (forecast.period_forecasts at its latest
    as_of_date not after `as_of`) and the recommended numbers (forecast.forecast_summary).

    Returns as_of_date, methods (period_start, method, forecast, p10, p50, p90, closed_won_to_date,
    open_pipeline) and recommended (period_start, recommended, p10, p90, method, method_accuracy,
    method_bias, periods_backtested, summary)."""
    wh.require("forecast.period_forecasts")
    _, current, nxt = quarters(as_of, fiscal_year_start_month)
    got = wh.con.execute(
        f"select max(as_of_date) from forecast.period_forecasts where grain = 'quarter' and {COMPANY} "
        "and period_start in (?, ?) and as_of_date <= ?",
        [current, nxt, as_of],
    ).fetchone()
    as_of_date = as_date(got[0]) if got else None
    methods = wh.df(
        "select period_start, method, forecast, p10, p50, p90, closed_won_to_date, open_pipeline "
        f"from forecast.period_forecasts where grain = 'quarter' and {COMPANY} and period_start in (?, ?) "
        "and as_of_date = ? order by period_start, method",
        [current, nxt, as_of_date],
    )
    rec_cols = [
        "period_start",
        "recommended",
        "p10",
        "p90",
        "method",
        "method_accuracy",
        "method_bias",
        "periods_backtested",
        "summary",
    ]
    recommended = pd.DataFrame(columns=rec_cols)
    if wh.has("forecast.forecast_summary"):
        dated = "as_of_date" in wh.columns("forecast.forecast_summary")
        recommended = wh.df(
            f"select {', '.join(rec_cols)} from forecast.forecast_summary where grain = 'quarter' and {COMPANY} "
            "and period_start in (?, ?)"
            + (" and as_of_date = ?" if dated else "")
            + " order by period_start",
            [current, nxt, as_of_date] if dated else [current, nxt],
        )
    return {
        "as_of_date": as_of_date,
        "current": current,
        "next": nxt,
        "methods": methods,
        "recommended": recommended,
        "has_summary": wh.has("forecast.forecast_summary"),
    }


def accuracy_history(wh: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Back-tested company accuracy per quarter and method, forecast taken on the quarter's first day
    (forecast.forecast_accuracy, snapshot_label 'period_start').

    Returns (history: period_start, method, forecast, actual, accuracy, bias, predictability;
    by_method: method, quarters, mean_accuracy, mean_bias, predictability of the latest quarter),
    by_method sorted best first."""
    wh.require("forecast.forecast_accuracy")
    history = wh.df(
        "select period_start, method, forecast, actual, accuracy, bias, predictability "
        f"from forecast.forecast_accuracy where grain = 'quarter' and {COMPANY} and snapshot_label = ? "
        "order by period_start, method",
        [ACCURACY_SNAPSHOT],
    )
    cols = ["method", "quarters", "mean_accuracy", "mean_bias", "predictability"]
    if not len(history):
        return history, pd.DataFrame(columns=cols)
    latest = history.sort_values("period_start").groupby("method")["predictability"].last()
    by_method = history.groupby("method", as_index=False).agg(
        quarters=("accuracy", "count"), mean_accuracy=("accuracy", "mean"), mean_bias=("bias", "mean")
    )
    by_method["predictability"] = by_method["method"].map(latest).astype("float64")
    by_method = by_method.sort_values(
        ["mean_accuracy", "method"], ascending=[False, True], na_position="last"
    )
    return history, by_method[cols].reset_index(drop=True)


def next_quarter_coverage(wh: Warehouse, as_of: date, fiscal_year_start_month: int) -> dict[str, Any]:
    """Pipeline coverage of the next quarter (kpi.kpi_values, pipeline_coverage at its period_start:
    today's open pipeline dated in that quarter over its quota), company first then teams, with the
    coverage target from kpi.kpi_tracking (that quarter's, else the latest earlier one).

    Returns next (date), target (float or NaN) and rows (scope_type, scope_id, value, numerator,
    denominator)."""
    wh.require("kpi.kpi_values")
    _, _, nxt = quarters(as_of, fiscal_year_start_month)
    rows = wh.df(
        "select scope_type, scope_id, value, numerator, denominator from kpi.kpi_values "
        "where kpi = 'pipeline_coverage' and grain = 'quarter' and period_start = ? "
        "and scope_type in ('company', 'team') "
        "order by case scope_type when 'company' then 0 else 1 end, scope_id",
        [nxt],
    )
    target = np.nan
    if wh.has("kpi.kpi_tracking"):
        got = wh.con.execute(
            "select target from kpi.kpi_tracking where kpi = 'pipeline_coverage' and grain = 'quarter' and "
            f"{COMPANY} and period_start <= ? and target is not null order by period_start desc limit 1",
            [nxt],
        ).fetchone()
        target = float(got[0]) if got else np.nan
    return {"next": nxt, "target": target, "rows": rows}
