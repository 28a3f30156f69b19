"""Forecast mart: period forecasts by a ladder of methods (CRM-weighted pipeline, forecast categories,
historical stage conversion, a calibrated deal win-probability model, Monte Carlo), back-tested from
point-in-time snapshots, with the pipeline waterfall, a recommended number per scope and lead scores.

Entry point: `build_forecast(con, as_of=..., fiscal_year_start_month=..., corporate_currency=...)`.
"""

from revops.forecast.asof import AsOfView, as_of_view
from revops.forecast.build import build_forecast, compute_forecast, current_periods
from revops.forecast.marts import ForecastInputError, Marts, load_marts
from revops.forecast.methods import METHODS, Period
from revops.forecast.periods import (
    fiscal_quarter_start,
    iso_week_start,
    month_start,
    next_period_start,
    period_bounds,
    period_start,
)

__all__ = [
    "METHODS", "AsOfView", "ForecastInputError", "Marts", "Period", "as_of_view", "build_forecast",
    "compute_forecast", "current_periods", "fiscal_quarter_start", "iso_week_start", "load_marts",
    "month_start", "next_period_start", "period_bounds", "period_start",
]
