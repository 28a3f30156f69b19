"""Numbers of the monthly results review: the tracking table of the last complete month and of its
quarter, the top movers (best practices to share) and the trend of each headline KPI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from revops.reports.calendar import add_months, last_complete_month, quarter_start
from revops.reports.fmt import direction_of, label_of
from revops.reports.numbers.common import tracking_rows
from revops.reports.source import Warehouse

TREND_MONTHS = 12
MOVER_SCOPES = ("rep", "team")


def review_periods(as_of: date, fiscal_year_start_month: int) -> tuple[date, date]:
    """(month, quarter): the last complete month and the fiscal quarter holding it. On the first day of a
    quarter the quarter is the one that just ended; later in a quarter it is the quarter to date."""
    month = last_complete_month(as_of)
    return month, quarter_start(month, fiscal_year_start_month)


def tracking(
    wh: Warehouse, as_of: date, fiscal_year_start_month: int, headline: Sequence[str]
) -> pd.DataFrame:
    """kpi.kpi_tracking for the headline KPIs (company scope): the month's rows, then the quarter's."""
    month, quarter = review_periods(as_of, fiscal_year_start_month)
    return pd.concat(
        [tracking_rows(wh, "month", month, headline), tracking_rows(wh, "quarter", quarter, headline)],
        ignore_index=True,
    )


def top_movers(wh: Warehouse, as_of: date, headline: Sequence[str], per_kpi: int = 3) -> pd.DataFrame:
    """Reps and teams whose headline KPIs improved most from the month before to the last complete month
    (kpi.kpi_values, grain month). Improvement is the change in the KPI's good direction (a shorter
    cycle is an improvement). Values flagged is_small_sample in either month are left out, so a rep
    going from 1 of 2 to 2 of 2 deals is not held up as a best practice.

    Columns: kpi, kpi_label, scope_type, scope_id, name (the rep's name from marts.dim_reps, else the
    scope id), previous, current, change, improvement, numerator,
    denominator, rank (1 = largest improvement of that KPI); at most `per_kpi` rows per KPI."""
    wh.require("kpi.kpi_values")
    cols = [
        "kpi",
        "kpi_label",
        "scope_type",
        "scope_id",
        "name",
        "previous",
        "current",
        "change",
        "improvement",
        "numerator",
        "denominator",
        "rank",
    ]
    month = last_complete_month(as_of)
    kpis = list(headline)
    if not kpis:
        return pd.DataFrame(columns=cols)
    ph = ", ".join("?" for _ in kpis)
    got = wh.df(
        "select c.kpi, c.scope_type, c.scope_id, p.value as previous, c.value as current, c.numerator, "
        "c.denominator from kpi.kpi_values c join kpi.kpi_values p on p.kpi = c.kpi and p.scope_type = c.scope_type "
        "and p.scope_id = c.scope_id and p.grain = 'month' and p.period_start = ? "
        f"where c.grain = 'month' and c.period_start = ? and c.scope_type in ('rep', 'team') and c.kpi in ({ph}) "
        "and c.value is not null and p.value is not null "
        "and not coalesce(c.is_small_sample, false) and not coalesce(p.is_small_sample, false)",
        [add_months(month, -1), month, *kpis],
    )
    if not len(got):
        return pd.DataFrame(columns=cols)
    got["change"] = got["current"] - got["previous"]
    sign = np.where(got["kpi"].map(direction_of) == "lower_is_better", -1.0, 1.0)
    got["improvement"] = got["change"] * sign
    got = got[got["improvement"] > 0]
    got = got.sort_values(
        ["kpi", "improvement", "scope_type", "scope_id"], ascending=[True, False, True, True]
    )
    got["rank"] = got.groupby("kpi").cumcount() + 1
    got = got[got["rank"] <= per_kpi]
    got["kpi_label"] = got["kpi"].map(label_of)
    got["name"] = _rep_names(wh, got)
    order = {k: i for i, k in enumerate(kpis)}
    got = got.sort_values(["kpi", "rank"], key=lambda s: s.map(order) if s.name == "kpi" else s)
    return got[cols].reset_index(drop=True)


def _rep_names(wh: Warehouse, movers: pd.DataFrame) -> list[str]:
    names: dict[str, str] = {}
    if wh.has("marts.dim_reps"):
        got = wh.df("select lower(email) as email, full_name from marts.dim_reps where email is not null")
        names = {
            e: n for e, n in zip(got["email"], got["full_name"], strict=True) if isinstance(n, str) and n
        }
    return [
        names.get(str(i).lower(), str(i)) if t == "rep" else str(i)
        for t, i in zip(movers["scope_type"], movers["scope_id"], strict=True)
    ]


def kpi_trends(
    wh: Warehouse, as_of: date, headline: Sequence[str], months: int = TREND_MONTHS
) -> pd.DataFrame:
    """Company monthly values of each headline KPI over the last `months` complete months
    (kpi.kpi_values, else the actual of kpi.kpi_tracking), with the month's target from
    kpi.kpi_tracking when there is one.

    Columns: kpi, period_start, value, target; one row per KPI and month (NaN when absent)."""
    wh.require("kpi.kpi_values")
    last = last_complete_month(as_of)
    starts = [add_months(last, -i) for i in range(months - 1, -1, -1)]
    kpis = list(headline)
    ph = ", ".join("?" for _ in kpis)
    values = wh.df(
        f"select kpi, period_start, value from kpi.kpi_values where grain = 'month' and scope_type = 'company' "
        f"and scope_id = 'all' and kpi in ({ph}) and period_start between ? and ?",
        [*kpis, starts[0], last],
    )
    targets = pd.DataFrame(columns=["kpi", "period_start", "target", "actual"])
    if wh.has("kpi.kpi_tracking"):
        targets = wh.df(
            f"select kpi, period_start, target, actual from kpi.kpi_tracking where grain = 'month' and "
            f"scope_type = 'company' and scope_id = 'all' and kpi in ({ph}) and period_start between ? and ?",
            [*kpis, starts[0], last],
        )
    # KPIs computed outside kpi_values (forecast accuracy) have their actual in the tracking table only.
    v = {(r.kpi, r.period_start): r.actual for r in targets.itertuples(index=False) if pd.notna(r.actual)}
    v.update({(r.kpi, r.period_start): r.value for r in values.itertuples(index=False) if pd.notna(r.value)})
    t = {(r.kpi, r.period_start): r.target for r in targets.itertuples(index=False)}
    rows = [
        {"kpi": k, "period_start": s, "value": v.get((k, s), np.nan), "target": t.get((k, s), np.nan)}
        for k in kpis
        for s in starts
    ]
    out = pd.DataFrame(rows)
    out[["value", "target"]] = out[["value", "target"]].astype("float64")
    return out
