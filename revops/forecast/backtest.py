"""Back-test: every method's forecast of past periods as it stood at fixed points (the period start,
then each ISO week start inside the period), rebuilt from point-in-time views, against the period's
actual won amount. Accuracy = 1 - |F - A| / A clipped at 0, bias = (F - A) / A, both NULL when A = 0;
predictability = standard deviation of the accuracy at the same point over the last 4 periods."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from revops.forecast.asof import as_of_view
from revops.forecast.marts import Marts
from revops.forecast.methods import Period, period_forecasts
from revops.forecast.models import LearntModels
from revops.forecast.periods import Grain, completed_periods, week_starts_within
from revops.forecast.scopes import ScopeResolver

PREDICTABILITY_PERIODS = 4
BACKTEST_GRAINS: tuple[Grain, ...] = ("quarter", "month")


def backtest_periods_for(as_of: date, count: int, fiscal_year_start_month: int) -> list[Period]:
    """The last `count` completed quarters and months before `as_of`."""
    out: list[Period] = []
    for grain in BACKTEST_GRAINS:
        out.extend(Period(grain, s, e) for s, e in completed_periods(as_of, grain, count, fiscal_year_start_month))
    return out


def snapshot_points(period: Period) -> list[tuple[date, str]]:
    """(snapshot date, label) pairs: the period start, then week_1, week_2, ... at each Monday inside."""
    points = [(period.start, "period_start")]
    points.extend((d, f"week_{i}") for i, d in enumerate(week_starts_within(period.start, period.end), start=1))
    return points


def actual_won(marts: Marts, resolver: ScopeResolver, period: Period) -> np.ndarray:
    """Won amount of the period per scope, as the warehouse knows it today (the truth to compare with)."""
    deals = marts.deals
    mask = (deals["status"] == "won") & (deals["closed_day"] >= period.start_day) & (deals["closed_day"] < period.end_day)
    won = deals[mask].reset_index(drop=True)
    rows, idx = resolver.memberships(won)
    values = np.nan_to_num(won["amount_corporate"].to_numpy("float64"))
    return np.bincount(idx, weights=values[rows] if len(rows) else np.zeros(0), minlength=len(resolver.scopes))


def accuracy_and_bias(forecast: np.ndarray, actual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy (clipped at 0) and bias; NaN where the actual is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        acc = np.where(actual > 0, np.clip(1 - np.abs(forecast - actual) / actual, 0, None), np.nan)
        bias = np.where(actual > 0, (forecast - actual) / actual, np.nan)
    return acc, bias


def run_backtest(
    marts: Marts,
    resolver: ScopeResolver,
    periods: list[Period],
    models_at: Callable[[date], LearntModels],
    *,
    simulations: int,
    seed: int,
) -> pd.DataFrame:
    """Rows of forecast.forecast_accuracy for the given past periods."""
    tasks: dict[date, list[tuple[Period, str]]] = defaultdict(list)
    for period in periods:
        for point, label in snapshot_points(period):
            tasks[point].append((period, label))
    frames = []
    for point in sorted(tasks):
        view = as_of_view(marts, point)
        wanted = tasks[point]
        fc = period_forecasts(view, models_at(point), [p for p, _ in wanted], resolver,
                              simulations=simulations, seed=seed)
        for period, label in wanted:
            part = fc[(fc["grain"] == period.grain) & (fc["period_start"] == period.start)]
            frames.append(part[["grain", "period_start", "scope_type", "scope_id", "method", "forecast"]]
                          .assign(snapshot_date=point, snapshot_label=label))
    if not frames:
        return pd.DataFrame(columns=["grain", "period_start", "scope_type", "scope_id", "method", "snapshot_date",
                                     "snapshot_label", "forecast", "actual", "accuracy", "bias", "predictability"])
    out = pd.concat(frames, ignore_index=True)
    actual_frames = []
    for period in periods:
        values = actual_won(marts, resolver, period)
        actual_frames.append(pd.DataFrame({
            "grain": period.grain, "period_start": period.start,
            "scope_type": [s[0] for s in resolver.scopes], "scope_id": [s[1] for s in resolver.scopes],
            "actual": values}))
    out = out.merge(pd.concat(actual_frames, ignore_index=True),
                    on=["grain", "period_start", "scope_type", "scope_id"], how="left")
    out["actual"] = out["actual"].fillna(0.0)
    acc, bias = accuracy_and_bias(out["forecast"].to_numpy("float64"), out["actual"].to_numpy("float64"))
    out["accuracy"], out["bias"] = acc, bias
    return add_predictability(out)


def add_predictability(frame: pd.DataFrame) -> pd.DataFrame:
    """Standard deviation of accuracy over the period and the 3 before it (same grain, scope, method and
    snapshot label; at least 2 periods with an accuracy, else NULL)."""
    frame = frame.sort_values(["grain", "scope_type", "scope_id", "method", "snapshot_label", "period_start"],
                              kind="stable").reset_index(drop=True)
    keys = ["grain", "scope_type", "scope_id", "method", "snapshot_label"]
    rolled = frame.groupby(keys, sort=False)["accuracy"].rolling(PREDICTABILITY_PERIODS, min_periods=2).std()
    frame["predictability"] = rolled.reset_index(level=list(range(len(keys))), drop=True).sort_index()
    return frame
