"""The forecast history behind "forecast adjusted": earlier forecasts of the quarter, read from the
serving copy's `meta.forecast_history` (kept by every publication) and from the log the weekly report
writes beside itself (for installations that read the working warehouse), and the week-by-week trail of
the quarter's forecast shown on the weekly page.

History frames have the columns of `HISTORY_COLUMNS`: company scope, quarter grain, one row per as-of
date, quarter and method ('recommended' for the recommended number of forecast.forecast_summary)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from revops.reports.calendar import week_start
from revops.reports.source import Warehouse, as_date

SERVING_HISTORY = "meta.forecast_history"
LOG_NAME = "forecast_history.csv"
LOG_SOURCE = f"the forecast log of earlier weekly reports ({LOG_NAME})"
SERVING_SOURCE = f"{SERVING_HISTORY}, kept by each publication of the serving copy"
MARTS_SOURCE = "forecast.period_forecasts"
COMPANY = "scope_type = 'company' and scope_id = 'all'"
RECOMMENDED = "recommended"
VALUES = ("forecast", "p10", "p50", "p90")
HISTORY_COLUMNS = ["as_of_date", "period_start", "method", *VALUES, "source"]
TRAIL_COLUMNS = ["week_start", "as_of_date", "recommended", "p10", "p90", "change", "source"]


def from_serving(wh: Warehouse) -> pd.DataFrame:
    """Company, quarter-grain rows of meta.forecast_history (empty when the file read has none, e.g.
    the working warehouse)."""
    if not wh.has(SERVING_HISTORY):
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    got = wh.df(
        "select as_of_date, period_start, method, forecast, p10, p50, p90 from meta.forecast_history "
        "where grain = 'quarter' and scope_type = 'company' and scope_id = 'all' "
        "order by as_of_date, period_start, method"
    )
    got["source"] = SERVING_SOURCE
    return got[HISTORY_COLUMNS]


def from_marts(wh: Warehouse) -> pd.DataFrame:
    """Company, quarter-grain forecasts of every as-of date forecast.period_forecasts holds (the
    forecast build keeps only the latest, other builders may keep more), with the recommended number
    when forecast.forecast_summary has an as_of_date column."""
    if not wh.has("forecast.period_forecasts"):
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    parts = [
        "select as_of_date, period_start, method, forecast, p10, p50, p90 from forecast.period_forecasts "
        f"where grain = 'quarter' and {COMPANY}"
    ]
    if wh.has("forecast.forecast_summary") and "as_of_date" in wh.columns("forecast.forecast_summary"):
        parts.append(
            f"select as_of_date, period_start, '{RECOMMENDED}', recommended, p10, cast(null as double), p90 "
            f"from forecast.forecast_summary where grain = 'quarter' and {COMPANY} and as_of_date is not null"
        )
    got = wh.df(" union all ".join(parts) + " order by 1, 2, 3")
    got["source"] = MARTS_SOURCE
    return got[HISTORY_COLUMNS]


def combine(*frames: pd.DataFrame | None) -> pd.DataFrame | None:
    """One history from several, the first frames first: each as-of date comes whole from the first
    frame that has it (never mixed). A frame without a source column is the weekly report's log. None
    when all are empty."""
    kept: list[pd.DataFrame] = []
    known: set[Any] = set()
    for frame in frames:
        if frame is None or not len(frame):
            continue
        frame = frame.assign(as_of_date=[as_date(v) for v in frame["as_of_date"]])
        extra = frame[~frame["as_of_date"].isin(known)]
        if not len(extra):
            continue
        kept.append(extra if "source" in extra.columns else extra.assign(source=LOG_SOURCE))
        known |= set(extra["as_of_date"])
    if not kept:
        return None
    out = pd.concat(kept, ignore_index=True)
    out["period_start"] = [as_date(v) for v in out["period_start"]]
    return out[HISTORY_COLUMNS].sort_values(["as_of_date", "period_start", "method"], ignore_index=True)


def current_rows(adjusted: dict[str, Any]) -> pd.DataFrame:
    """The forecast shown this week (see `weekly.forecast_adjusted`) as history rows."""
    if adjusted["as_of_date"] is None:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    rows = [
        {"method": r["method"], **{k: r[k] for k in VALUES}} for r in adjusted["methods"].to_dict("records")
    ]
    rec = adjusted["recommended"]
    if rec is not None:
        rows.append(
            {
                "method": RECOMMENDED,
                "forecast": rec["recommended"],
                "p10": rec["p10"],
                "p50": np.nan,
                "p90": rec["p90"],
            }
        )
    frame = pd.DataFrame(rows, columns=["method", *VALUES])
    frame.insert(0, "period_start", adjusted["quarter_start"])
    frame.insert(0, "as_of_date", adjusted["as_of_date"])
    frame["source"] = MARTS_SOURCE
    return frame[HISTORY_COLUMNS]


def weekly_trail(adjusted: dict[str, Any], history: pd.DataFrame | None) -> pd.DataFrame:
    """How this quarter's forecast moved: for each ISO week of the quarter up to this week's forecast,
    the latest forecast dated in that week (this week's is the one shown above).

    Columns: week_start, as_of_date, recommended, p10, p90, change (recommended against the week
    before), one column per method's forecast, and source."""
    q, current = adjusted["quarter_start"], adjusted["as_of_date"]
    if current is None:
        return pd.DataFrame(columns=TRAIL_COLUMNS)
    rows = current_rows(adjusted)
    if history is not None and len(history):
        earlier = history[(history["period_start"] == q) & (history["as_of_date"] < current)]
        rows = pd.concat([earlier, rows], ignore_index=True) if len(earlier) else rows
    dates = sorted(set(rows["as_of_date"]))
    latest_per_week: dict[date, date] = {}
    for d in dates:  # sorted, so the last date of each week wins
        latest_per_week[week_start(d)] = d
    methods = [m for m in dict.fromkeys(rows["method"]) if m != RECOMMENDED]
    out = []
    for week, day in sorted(latest_per_week.items()):
        at = rows[rows["as_of_date"] == day].set_index("method")
        rec = at.loc[RECOMMENDED] if RECOMMENDED in at.index else None
        out.append(
            {
                "week_start": week,
                "as_of_date": day,
                "recommended": np.nan if rec is None else rec["forecast"],
                "p10": np.nan if rec is None else rec["p10"],
                "p90": np.nan if rec is None else rec["p90"],
                **{m: (at.loc[m, "forecast"] if m in at.index else np.nan) for m in methods},
                "source": at["source"].iloc[0],
            }
        )
    frame = pd.DataFrame(out)
    for col in ("recommended", "p10", "p90", *methods):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame.insert(5, "change", frame["recommended"].diff())
    return frame
