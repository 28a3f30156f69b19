"""The monthly results page: results against objectives with corrective actions, best practices
(top movers) and KPI trends."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from revops.reports import charts
from revops.reports import fmt as f
from revops.reports.calendar import add_months, last_complete_month, month_label, quarter_label
from revops.reports.html import figure, heading, muted, paragraph, status_badge, table
from revops.reports.numbers import monthly as n
from revops.reports.pages.common import Context, Rendered, render


def axis_format(kpi: str) -> Callable[[float], str]:
    """Tick labels of a KPI's small chart."""
    unit = f.unit_of(kpi)
    if kpi in f.MULTIPLE_KPIS:
        return lambda v: f"{v:.1f}×"
    if unit == "ratio":
        return lambda v: f"{v * 100:.0f}%"
    if unit in ("currency", "per_day"):
        return lambda v: charts._short(v)
    return lambda v: f"{v:,.0f}"


def tracking_table(frame: pd.DataFrame, currency: str, table_id: str) -> object:
    """The tracking table: KPI, target, actual, gap, % of target, status, corrective action."""
    rows = []
    for r in frame.to_dict("records"):
        rows.append(
            [
                r["kpi_label"],
                f.kpi_value(r["kpi"], r["target"], currency) if r["has_target"] else muted("no target"),
                f.kpi_value(r["kpi"], r["actual"], currency),
                f.kpi_change(r["kpi"], r["gap"], currency),
                f.pct(r["pct_of_target"], 0),
                status_badge(r["status"]),
                f.text(r["corrective_action"]),
            ]
        )
    return table(
        ["KPI", "Target", "Actual", "Gap", "% of target", "Status", "Corrective action"],
        rows,
        table_id=table_id,
        numeric=[1, 2, 3, 4],
    )


def mover_basis(kpi: str, numerator: object, denominator: object, currency: str) -> str:
    """What a mover's value rests on: 'won / closed' for rates, the deal count for averages."""
    if f.missing(denominator):
        return f.NA
    unit = f.unit_of(kpi)
    if kpi in f.MULTIPLE_KPIS:
        return f"{f.money(numerator, currency)} / {f.money(denominator, currency)}"
    if unit == "ratio":
        return f"{f.count(numerator)} / {f.count(denominator)}"
    return f"{f.count(denominator)} deals"


def _status_counts(frame: pd.DataFrame) -> str:
    counts = frame["status"].value_counts()
    return ", ".join(f"{int(counts.get(s, 0))} {s}" for s in ("green", "amber", "red"))


def _tracking(ctx: Context) -> list[object]:
    frame = n.tracking(ctx.wh, ctx.as_of, ctx.fy, ctx.headline)
    month, quarter = n.review_periods(ctx.as_of, ctx.fy)
    complete = add_months(quarter, 3) <= ctx.as_of
    q = quarter_label(quarter, ctx.fy) + (" (complete)" if complete else " to date")
    m_rows, q_rows = frame[frame["grain"] == "month"], frame[frame["grain"] == "quarter"]
    ctx.cards.append((f"Headline KPIs, {month_label(month)}", _status_counts(m_rows), "green / amber / red"))
    ctx.cards.append((f"Headline KPIs, {q}", _status_counts(q_rows), "green / amber / red"))
    for r in m_rows[m_rows["status"].isin(["red", "amber"])].to_dict("records"):
        ctx.summary.append(
            f"- {r['kpi_label']} ({month_label(month)}): {f.kpi_value(r['kpi'], r['actual'], ctx.currency)}"
            f" vs target {f.kpi_value(r['kpi'], r['target'], ctx.currency)}, {r['status']}: "
            f"{f.text(r['corrective_action'], 'no action set')}"
        )
    return [
        paragraph(
            "Each headline KPI against its objective: gap = actual − target; the status is green at or "
            "beyond the target, amber within the amber band, red below it (for lower-is-better KPIs such "
            "as the sales cycle, beyond means below). Red and amber rows carry the corrective action."
        ),
        heading(month_label(month)),
        tracking_table(m_rows, ctx.currency, "tracking-month"),
        heading(q),
        tracking_table(q_rows, ctx.currency, "tracking-quarter"),
        paragraph(
            "Source: kpi.kpi_tracking (company scope; grain month and quarter). A headline KPI without a "
            "target for the period shows its value from kpi.kpi_values.",
            "note",
        ),
    ]


def _movers(ctx: Context) -> list[object]:
    per_kpi = ctx.config.reports.top_movers
    movers = n.top_movers(ctx.wh, ctx.as_of, ctx.headline, per_kpi)
    month = last_complete_month(ctx.as_of)
    cur = ctx.currency
    rows = []
    for r in movers.to_dict("records"):
        basis = mover_basis(r["kpi"], r["numerator"], r["denominator"], cur)
        rows.append(
            [
                r["kpi_label"],
                r["scope_type"],
                r["name"],
                f.kpi_value(r["kpi"], r["previous"], cur),
                f.kpi_value(r["kpi"], r["current"], cur),
                f.kpi_change(r["kpi"], r["change"], cur),
                basis,
            ]
        )
    for r in movers[movers["rank"] == 1].to_dict("records"):
        ctx.summary.append(
            f"- Best practice, {r['kpi_label']}: {r['scope_type']} {r['name']} "
            f"{f.kpi_value(r['kpi'], r['previous'], cur)} → {f.kpi_value(r['kpi'], r['current'], cur)}"
        )
    return [
        paragraph(
            f"The reps and teams whose headline KPIs improved most from {month_label(add_months(month, -1))} to "
            f"{month_label(month)} (up to {per_kpi} per KPI): ask them what they changed and share it with "
            "the team."
        ),
        table(
            ["KPI", "Scope", "Who", "Previous month", "Last month", "Change", "Based on"],
            rows,
            table_id="top-movers",
            numeric=[3, 4, 5, 6],
        ),
        paragraph(
            "Source: kpi.kpi_values (grain month, rep and team scopes). Improvement follows each KPI's "
            "direction (a shorter cycle improves); values flagged as small samples (fewer than 30 deals) "
            "are left out.",
            "note",
        ),
    ]


def _trends(ctx: Context) -> list[object]:
    trends = n.kpi_trends(ctx.wh, ctx.as_of, ctx.headline)
    empty = [k for k in ctx.headline if trends[trends["kpi"] == k]["value"].isna().all()]
    panels: list[charts.Panel] = []
    for kpi in ctx.headline:
        rows = trends[trends["kpi"] == kpi]
        if kpi in empty:
            continue  # an empty panel says less than the note below
        panels.append(
            (
                f.label_of(kpi),
                [f"{d:%b %y}" for d in rows["period_start"]],
                rows["value"].tolist(),
                rows["target"].tolist(),
                axis_format(kpi),
            )
        )
    parts: list[object] = []
    if panels:
        parts.append(
            figure(
                charts.small_multiples(panels),
                f"Headline KPIs per month over the last {n.TREND_MONTHS} complete months, company scope (blue), "
                "with the monthly target where one is set (dashed orange). Source: kpi.kpi_values (grain month) "
                "and kpi.kpi_tracking.",
                "Small multiples of the headline KPIs",
            )
        )
    if empty:
        labels = ", ".join(f.label_of(k) for k in empty)
        parts.append(paragraph(f"No monthly values in kpi.kpi_values for: {labels}.", "note"))
    return parts


def build(ctx: Context) -> Rendered:
    """The monthly page."""
    month, quarter = n.review_periods(ctx.as_of, ctx.fy)
    sections = [
        ctx.guarded("Results against objectives", "tracking-section", lambda: _tracking(ctx)),
        ctx.guarded("Best practices: top movers", "movers-section", lambda: _movers(ctx)),
        ctx.guarded("KPI trends", "trends-section", lambda: _trends(ctx)),
    ]
    meta = (
        f"{month_label(month)} and {quarter_label(quarter, ctx.fy)} · data as of {ctx.as_of.isoformat()} · "
        f"amounts in {ctx.currency}"
    )
    return render(
        ctx, kind="monthly", title="Monthly results against objectives", meta=meta, sections=sections
    )
