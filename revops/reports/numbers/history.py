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


def combine(serving: pd.DataFrame | None, logged: pd.DataFrame | None) -> pd.DataFrame | None:
    """One history: every as-of date of the serving copy's history, plus the logged as-of dates it
    lacks (an as-of date is never mixed from both). None when both are empty."""
    frames = []
    if serving is not None and len(serving):
        frames.append(serving if "source" in serving.columns else serving.assign(source=SERVING_SOURCE))
    if logged is not None and len(logged):
        known = set(frames[0]["as_of_date"]) if frames else set()
        extra = logged[~logged["as_of_date"].isin(known)]
        if len(extra):
            frames.append(extra.assign(source=LOG_SOURCE))
    if not frames:
        return None
    out = pd.concat(frames, ignore_index=True)
    for col in ("as_of_date", "period_start"):
        out[col] = [as_date(v) for v in out[col]]
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
            {"method": RECOMMENDED, "forecast": rec["recommended"], "p10": rec["p10"], "p50": np.nan, "p90": rec["p90"]}
        )
    frame = pd.DataFrame(rows, columns=["method", *VALUES])
    frame.insert(0, "period_start", adjusted["quarter_start"])
    frame.insert(0, "as_of_date", adjusted["as_of_date"])
    frame["source"] = "forecast.period_forecasts"
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
