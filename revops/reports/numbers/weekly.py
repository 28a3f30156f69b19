"""Numbers of the weekly pipeline review: pipeline created by week, deals in negotiation, the quarter's
forecast against last week's, and the quarter's pipeline waterfall."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from revops.reports.calendar import quarter_start, review_week
from revops.reports.numbers.history import LOG_NAME, LOG_SOURCE, current_rows
from revops.reports.source import Warehouse, as_date

WEEKS_SHOWN = 13
COMPANY = "scope_type = 'company' and scope_id = 'all'"
WATERFALL_TERMS = (
    "start_amount",
    "created",
    "pulled_in",
    "increased",
    "decreased",
    "pushed_out",
    "lost",
    "won",
    "end_amount",
)
FORECAST_VALUES = ("forecast", "p10", "p50", "p90")
FORECAST_LOG_NAME = LOG_NAME


def pipeline_created(wh: Warehouse, as_of: date, weeks: int = WEEKS_SHOWN) -> pd.DataFrame:
    """Company pipeline created per ISO week (kpi.kpi_values, grain week), the review week last.

    Columns: period_start, opportunities_created, opportunities_created_amount, is_review_week. A week
    without a row in kpi_values has NaN (nothing was computed for it), not 0."""
    wh.require("kpi.kpi_values")
    last = review_week(as_of)
    starts = [last - timedelta(days=7 * i) for i in range(weeks - 1, -1, -1)]
    got = wh.df(
        f"select period_start, kpi, value from kpi.kpi_values where grain = 'week' and {COMPANY} "
        "and kpi in ('opportunities_created', 'opportunities_created_amount') and period_start between ? and ?",
        [starts[0], last],
    )
    wide = got.pivot_table(index="period_start", columns="kpi", values="value", aggfunc="first")
    out = pd.DataFrame({"period_start": starts})
    for kpi in ("opportunities_created", "opportunities_created_amount"):
        col = wide[kpi] if kpi in wide.columns else pd.Series(dtype="float64")
        out[kpi] = [float(col[s]) if s in col.index and pd.notna(col[s]) else np.nan for s in starts]
    out["is_review_week"] = out["period_start"] == last
    return out


def pipeline_created_summary(weeks: pd.DataFrame) -> dict[str, Any]:
    """The review week against the mean of the previous weeks shown (weeks without a value ignored)."""
    this = weeks[weeks["is_review_week"]].iloc[0]
    before = weeks[~weeks["is_review_week"]]
    mean_amount = before["opportunities_created_amount"].mean()
    mean_count = before["opportunities_created"].mean()
    amount = this["opportunities_created_amount"]
    return {
        "week_start": this["period_start"],
        "amount": amount,
        "count": this["opportunities_created"],
        "previous_weeks": int(before["opportunities_created_amount"].notna().sum()),
        "previous_mean_amount": mean_amount,
        "previous_mean_count": mean_count,
        "change_vs_mean": (amount / mean_amount - 1) if pd.notna(amount) and mean_amount else np.nan,
    }


def deals_in_negotiation(wh: Warehouse, as_of: date) -> pd.DataFrame:
    """Open deals in the negotiation stage (marts.fct_deals), largest first.

    Columns: deal_id, deal_name, owner, amount_corporate, expected_close_date, days_in_stage, past_due.
    The owner is the rep's name from marts.dim_reps (else the owner e-mail); days in stage count from
    the latest entry into negotiation in marts.fct_deal_stage_events to `as_of` (NULL without it)."""
    wh.require("marts.fct_deals")
    owner = (
        "coalesce(r.full_name, d.owner_email, d.owner_rep_id)"
        if wh.has("marts.dim_reps")
        else "coalesce(d.owner_email, d.owner_rep_id)"
    )
    reps = "left join marts.dim_reps r on r.rep_id = d.owner_rep_id" if wh.has("marts.dim_reps") else ""
    if wh.has("marts.fct_deal_stage_events"):
        entered = (
            "left join (select deal_id, max(entered_at) as entered_at from marts.fct_deal_stage_events "
            "where stage = 'negotiation' group by deal_id) e on e.deal_id = d.deal_id"
        )
        days_expr = "date_diff('day', cast(e.entered_at as date), cast(? as date))"
        params: list[Any] = [as_of]
    else:
        entered, days_expr, params = "", "cast(null as bigint)", []
    out = wh.df(
        f"select d.deal_id, d.deal_name, {owner} as owner, d.amount_corporate, d.expected_close_date, "
        f"{days_expr} as days_in_stage from marts.fct_deals d {reps} {entered} "
        "where d.status = 'open' and d.stage = 'negotiation' "
        "order by d.amount_corporate desc nulls last, d.deal_id",
        params,
    )
    out["past_due"] = [d is not None and d < as_of for d in out["expected_close_date"]]
    return out


def _latest_as_of(wh: Warehouse, period: date, not_after: date) -> date | None:
    got = wh.con.execute(
        f"select max(as_of_date) from forecast.period_forecasts where grain = 'quarter' and period_start = ? "
        f"and {COMPANY} and as_of_date <= ?",
        [period, not_after],
    ).fetchone()
    return as_date(got[0]) if got else None


def _methods_at(wh: Warehouse, period: date, as_of_date: date) -> pd.DataFrame:
    return wh.df(
        "select method, forecast, p10, p50, p90, closed_won_to_date, open_pipeline from forecast.period_forecasts "
        f"where grain = 'quarter' and period_start = ? and {COMPANY} and as_of_date = ? order by method",
        [period, as_of_date],
    )


def _summary_at(wh: Warehouse, period: date, as_of_date: date, *, latest: bool) -> dict[str, Any] | None:
    """The recommended number of `period` as of `as_of_date`. A forecast_summary without an as_of_date
    column (the documented contract) only describes the latest forecast."""
    if not wh.has("forecast.forecast_summary"):
        return None
    dated = "as_of_date" in wh.columns("forecast.forecast_summary")
    if not dated and not latest:
        return None
    where = f"grain = 'quarter' and period_start = ? and {COMPANY}" + (" and as_of_date = ?" if dated else "")
    got = wh.df(
        f"select recommended, p10, p90, method, summary from forecast.forecast_summary where {where}",
        [period, as_of_date] if dated else [period],
    )
    return got.iloc[0].to_dict() if len(got) else None


def _logged(history: pd.DataFrame | None, period: date, not_after: date) -> tuple[date | None, pd.DataFrame]:
    """The latest logged forecast of `period` dated on or before `not_after`."""
    if history is None or not len(history):
        return None, pd.DataFrame()
    h = history[(history["period_start"] == period) & (history["as_of_date"] <= not_after)]
    if not len(h):
        return None, pd.DataFrame()
    when = max(h["as_of_date"])
    return when, h[h["as_of_date"] == when]


def _logged_recommended(rows: pd.DataFrame) -> dict[str, Any] | None:
    r = rows[rows["method"] == "recommended"] if len(rows) else rows
    if not len(r):
        return None
    return {"recommended": r["forecast"].iloc[0], "p10": r["p10"].iloc[0], "p90": r["p90"].iloc[0]}


def forecast_adjusted(
    wh: Warehouse, as_of: date, fiscal_year_start_month: int, history: pd.DataFrame | None = None
) -> dict[str, Any]:
    """This quarter's company forecast by method and the recommended number, against the forecast of
    at least 7 days earlier.

    The earlier forecast comes from forecast.period_forecasts / forecast_summary when they hold an
    older as_of_date, else from `history` (rows as_of_date, period_start, method, forecast, p10, p50,
    p90 and optionally source, from meta.forecast_history or the log of earlier weekly reports; method
    'recommended' for the recommended number; see `revops.reports.numbers.history`).
    Returns quarter_start, as_of_date, previous_as_of_date, previous_source, methods (DataFrame with
    prev_* and change columns) and recommended (dict or None)."""
    wh.require("forecast.period_forecasts")
    q = quarter_start(as_of, fiscal_year_start_month)
    current = _latest_as_of(wh, q, as_of)
    out: dict[str, Any] = {
        "quarter_start": q,
        "as_of_date": current,
        "previous_as_of_date": None,
        "previous_source": None,
        "recommended": None,
        "methods": pd.DataFrame(columns=["method", *FORECAST_VALUES]),
    }
    if current is None:
        return out
    methods = _methods_at(wh, q, current)
    newest = _latest_as_of(wh, q, date.max)
    rec = _summary_at(wh, q, current, latest=current == newest)
    previous_rows, prev_rec = pd.DataFrame(), None
    week_before = current - timedelta(days=7)
    previous = _latest_as_of(wh, q, week_before)
    if previous is not None:
        previous_rows = _methods_at(wh, q, previous)
        prev_rec = _summary_at(wh, q, previous, latest=False)
        out["previous_source"] = "forecast.period_forecasts"
        if prev_rec is None:
            when, logged = _logged(history, q, previous)
            prev_rec = _logged_recommended(logged) if when == previous else None
    else:
        previous, logged = _logged(history, q, week_before)
        if previous is not None:
            previous_rows = logged[logged["method"] != "recommended"][["method", *FORECAST_VALUES]]
            prev_rec = _logged_recommended(logged)
            out["previous_source"] = logged["source"].iloc[0] if "source" in logged.columns else LOG_SOURCE
    out["previous_as_of_date"] = previous
    prev = (
        previous_rows.set_index("method")
        if len(previous_rows)
        else pd.DataFrame(columns=list(FORECAST_VALUES))
    )
    for col in FORECAST_VALUES:
        methods[f"prev_{col}"] = [
            float(prev.loc[m, col]) if m in prev.index and pd.notna(prev.loc[m, col]) else np.nan
            for m in methods["method"]
        ]
    methods["change"] = methods["forecast"] - methods["prev_forecast"]
    out["methods"] = methods
    if rec is not None:
        rec = {**rec, "prev_recommended": np.nan, "prev_p10": np.nan, "prev_p90": np.nan}
        if prev_rec is not None:
            rec.update(
                prev_recommended=prev_rec["recommended"], prev_p10=prev_rec["p10"], prev_p90=prev_rec["p90"]
            )
        rec["change"] = rec["recommended"] - rec["prev_recommended"]
    out["recommended"] = rec
    return out


def history_rows(adjusted: dict[str, Any]) -> pd.DataFrame:
    """The current forecast as rows of the weekly forecast log (see `forecast_adjusted`)."""
    return current_rows(adjusted).drop(columns=["source"])


def quarter_waterfall(wh: Warehouse, as_of: date, fiscal_year_start_month: int) -> dict[str, Any] | None:
    """This quarter's company pipeline waterfall (forecast.pipeline_waterfall) with the identity check
    start + created + pulled_in + increased - decreased - pushed_out - lost - won - end (0 when
    consistent). None when the table has no row for the quarter."""
    wh.require("forecast.pipeline_waterfall")
    q = quarter_start(as_of, fiscal_year_start_month)
    has_end = "window_end" in wh.columns("forecast.pipeline_waterfall")
    cols = ", ".join(WATERFALL_TERMS) + (", window_end" if has_end else ", cast(null as date) as window_end")
    got = wh.df(
        f"select {cols} from forecast.pipeline_waterfall where grain = 'quarter' and period_start = ? and {COMPANY}"
        + (" order by window_end desc nulls last" if has_end else "")
        + " limit 1",
        [q],
    )
    if not len(got):
        return None
    row = {
        k: (float(v) if k != "window_end" and pd.notna(v) else v) for k, v in got.iloc[0].to_dict().items()
    }
    row["quarter_start"] = q
    row["check"] = (
        row["start_amount"]
        + row["created"]
        + row["pulled_in"]
        + row["increased"]
        - row["decreased"]
        - row["pushed_out"]
        - row["lost"]
        - row["won"]
        - row["end_amount"]
    )
    return row
