"""Shared queries: the tracking table of one period, with KPI values for KPIs that have no target."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from revops.reports.fmt import direction_of, label_of, missing, text
from revops.reports.source import Warehouse

TRACKING_COLUMNS = [
    "grain",
    "period_start",
    "kpi",
    "kpi_label",
    "direction",
    "target",
    "actual",
    "gap",
    "pct_of_target",
    "status",
    "corrective_action",
    "is_headline",
    "has_target",
]


def tracking_rows(
    wh: Warehouse,
    grain: str,
    period_start: date,
    headline: Sequence[str],
    *,
    include_all_tracked: bool = False,
) -> pd.DataFrame:
    """Company-scope rows of kpi.kpi_tracking for one period: the headline KPIs in configured order
    (then, with `include_all_tracked`, every other KPI with a target for the period). has_target is
    False for a row without a target; a headline KPI with no tracking row at all takes its actual
    from kpi.kpi_values."""
    wh.require("kpi.kpi_tracking")
    tracked = wh.df(
        "select kpi, kpi_label, direction, target, actual, gap, pct_of_target, status, corrective_action "
        "from kpi.kpi_tracking where grain = ? and period_start = ? and scope_type = 'company' "
        "and scope_id = 'all'",
        [grain, period_start],
    )
    by_kpi = {r["kpi"]: r for r in tracked.to_dict("records")}
    kpis = list(headline)
    if include_all_tracked:
        kpis += sorted(k for k, r in by_kpi.items() if k not in headline and not missing(r["target"]))
    values: dict[str, float] = {}
    absent = [k for k in kpis if k not in by_kpi]
    if absent and wh.has("kpi.kpi_values"):
        placeholders = ", ".join("?" for _ in absent)
        got = wh.df(
            f"select kpi, value from kpi.kpi_values where grain = ? and period_start = ? and "
            f"scope_type = 'company' and scope_id = 'all' and kpi in ({placeholders})",
            [grain, period_start, *absent],
        )
        values = dict(zip(got["kpi"], got["value"], strict=True))
    rows = []
    for kpi in kpis:
        r = by_kpi.get(kpi)
        if r is not None:
            rows.append(
                {
                    **r,
                    "kpi_label": text(r["kpi_label"], label_of(kpi)),
                    "direction": text(r["direction"], direction_of(kpi)),
                    "corrective_action": text(r["corrective_action"]) or None,
                    "has_target": not missing(r["target"]),
                }
            )
        else:
            rows.append(
                {
                    "kpi": kpi,
                    "kpi_label": label_of(kpi),
                    "direction": direction_of(kpi),
                    "target": None,
                    "actual": values.get(kpi),
                    "gap": None,
                    "pct_of_target": None,
                    "status": None,
                    "corrective_action": None,
                    "has_target": False,
                }
            )
    out = pd.DataFrame(
        rows, columns=[c for c in TRACKING_COLUMNS if c not in ("grain", "period_start", "is_headline")]
    )
    out.insert(0, "period_start", period_start)
    out.insert(0, "grain", grain)
    out["is_headline"] = out["kpi"].isin(list(headline))
    return out
