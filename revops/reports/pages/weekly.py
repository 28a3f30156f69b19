"""The weekly pipeline review page: pipeline created, deals in negotiation, forecast adjusted,
pipeline waterfall of the quarter."""

from __future__ import annotations

from typing import Any

import pandas as pd

from revops.reports import charts
from revops.reports import fmt as f
from revops.reports.calendar import quarter_label, quarter_start, review_week, week_label
from revops.reports.html import Raw, figure, heading, muted, paragraph, table
from revops.reports.numbers import history as h
from revops.reports.numbers import weekly as n
from revops.reports.pages.common import Context, Rendered, render

NEGOTIATION_ROWS = 40
METHOD_LABELS = {
    "weighted_pipeline": "Weighted pipeline",
    "category_commit": "Commit roll-up",
    "category_best_case": "Best-case roll-up",
    "stage_conversion": "Stage conversion",
    "deal_model": "Deal model",
    "monte_carlo": "Monte Carlo",
    "recommended": "Recommended",
}


def method_label(method: str) -> str:
    """Readable name of a forecast method."""
    return METHOD_LABELS.get(method, method)


def _pipeline_created(ctx: Context) -> list[object]:
    weeks = n.pipeline_created(ctx.wh, ctx.as_of)
    s = n.pipeline_created_summary(weeks)
    cur = ctx.currency
    note = f"{f.count(s['count'])} opportunities"
    if not f.missing(s["change_vs_mean"]):
        note += f"; {f.signed_pct(s['change_vs_mean'], 0)} vs the {s['previous_weeks']}-week mean"
    ctx.cards.append(("Pipeline created this week", f.money(s["amount"], cur), note))
    ctx.summary.append(
        f"- Pipeline created in the {week_label(s['week_start'])}: {f.money(s['amount'], cur)} "
        f"({f.count(s['count'])} opportunities); mean of the previous weeks "
        f"{f.money(s['previous_mean_amount'], cur)}"
    )
    labels = [f"{d:%d %b}" for d in weeks["period_start"]]
    chart = charts.bars(
        labels,
        weeks["opportunities_created_amount"].tolist(),
        ylabel=cur,
        highlight=len(weeks) - 1,
        reference=s["previous_mean_amount"],
        reference_label=f"mean of the {len(weeks) - 1} weeks before",
    )
    rows = [
        [
            week_label(r.period_start) + (" (review week)" if r.is_review_week else ""),
            f.count(r.opportunities_created),
            f.money(r.opportunities_created_amount, cur),
        ]
        for r in weeks.itertuples(index=False)
    ]
    return [
        paragraph(
            f"{week_label(s['week_start'])}: {f.money(s['amount'], cur)} of new pipeline in "
            f"{f.count(s['count'])} opportunities, against a mean of "
            f"{f.money(s['previous_mean_amount'], cur)} ({f.count(s['previous_mean_count'])} opportunities) "
            f"over the previous {s['previous_weeks']} weeks."
        ),
        figure(
            chart,
            "Pipeline created per ISO week: corporate amount of the opportunities created in the week, "
            "the review week in orange, the dashed line the mean of the weeks before. Source: "
            "kpi.kpi_values (grain week, company scope, opportunities_created_amount).",
            "Bar chart of pipeline created per week",
        ),
        table(
            ["Week", "Opportunities created", "Pipeline created"],
            rows,
            table_id="pipeline-created",
            numeric=[1, 2],
        ),
    ]


def _negotiation(ctx: Context) -> list[object]:
    deals = n.deals_in_negotiation(ctx.wh, ctx.as_of)
    cur = ctx.currency
    total = deals["amount_corporate"].sum()
    ctx.cards.append(("Deals in negotiation", f"{len(deals)}", f.money(total, cur)))
    shown = deals.head(NEGOTIATION_ROWS)
    rows = []
    for r in shown.itertuples(index=False):
        close: object = f.day(r.expected_close_date)
        if r.past_due:
            close = Raw(f'{close} <span class="badge status-red">past due</span>')
        rows.append(
            [
                f.text(r.deal_name, str(r.deal_id)),
                f.text(r.owner) or muted("no owner"),
                f.money(r.amount_corporate, cur),
                close,
                f.count(r.days_in_stage),
            ]
        )
    parts: list[object] = [
        paragraph(
            f"{len(deals)} open deals in negotiation worth {f.money(total, cur)}, largest first; "
            f"{int(deals['past_due'].sum())} are past their expected close date."
        ),
        table(
            ["Deal", "Owner", "Amount", "Expected close", "Days in stage"],
            rows,
            table_id="negotiation",
            numeric=[2, 4],
        ),
        paragraph(
            "Source: marts.fct_deals (open deals at stage negotiation), owners from marts.dim_reps, days "
            "since the latest entry into negotiation from marts.fct_deal_stage_events.",
            "note",
        ),
    ]
    if len(deals) > NEGOTIATION_ROWS:
        parts.insert(2, paragraph(f"{len(deals) - NEGOTIATION_ROWS} smaller deals not listed.", "note"))
    return parts


def _range_rows(methods: pd.DataFrame, rec: dict[str, Any] | None, prefix: str = "") -> list[charts.RangeRow]:
    rows: list[charts.RangeRow] = []
    if rec is not None:
        rows.append(
            (
                "Recommended",
                rec.get(f"{prefix}p10"),
                None,
                rec.get(f"{prefix}p90"),
                rec.get(f"{prefix}recommended"),
                True,
            )
        )
    for r in methods.to_dict("records"):
        rows.append(
            (
                method_label(r["method"]),
                r[f"{prefix}p10"],
                r[f"{prefix}p50"],
                r[f"{prefix}p90"],
                r[f"{prefix}forecast"],
                False,
            )
        )
    return rows


def _forecast(ctx: Context, history: pd.DataFrame | None, out: dict[str, Any]) -> list[object]:
    adj = n.forecast_adjusted(ctx.wh, ctx.as_of, ctx.fy, history)
    out["adjusted"] = adj
    cur, q = ctx.currency, quarter_label(adj["quarter_start"], ctx.fy)
    if adj["as_of_date"] is None:
        ctx.cards.append((f"Forecast {q}", f.NA, "no forecast for this quarter"))
        return [
            paragraph(
                f"forecast.period_forecasts has no company forecast for {q} dated on or before "
                f"{ctx.as_of}; run the forecast build."
            )
        ]
    methods, rec, prev_date = adj["methods"], adj["recommended"], adj["previous_as_of_date"]
    parts: list[object] = []
    if rec is not None:
        if prev_date is None:
            change = "no earlier forecast to compare with"
        elif f.missing(rec["change"]):
            change = f"no recommended number recorded on {prev_date}"
        else:
            change = f"{f.signed_money(rec['change'], cur)} vs {prev_date}"
        ctx.cards.append((f"Forecast {q}", f.money(rec["recommended"], cur), change))
        ctx.summary.append(
            f"- Forecast {q}: {f.money(rec['recommended'], cur)} (P10 {f.money(rec['p10'], cur)} – "
            f"P90 {f.money(rec['p90'], cur)}), {change}"
        )
        parts.append(
            paragraph(
                f"Recommended forecast for {q}: {f.money(rec['recommended'], cur)} "
                f"(P10 {f.money(rec['p10'], cur)} to P90 {f.money(rec['p90'], cur)}, method "
                f"{method_label(str(rec['method']))})."
            )
        )
        if f.text(rec.get("summary")):
            parts.append(paragraph(f.text(rec["summary"]), "note"))
    else:
        parts.append(
            paragraph("No recommended number: forecast.forecast_summary has no row for this quarter.")
        )
    if prev_date is None:
        parts.append(
            paragraph(
                f"No forecast dated 7 days or more before {adj['as_of_date']} was found (forecast.period_forecasts "
                "keeps the latest forecast; earlier weekly reports log theirs), so there is nothing to compare with "
                "yet.",
                "note",
            )
        )
    else:
        parts.append(
            paragraph(f"Compared with the forecast of {prev_date} (from {adj['previous_source']}).", "note")
        )
    rows = []
    if rec is not None:
        rows.append(
            [
                Raw("<b>Recommended</b>"),
                f.money(rec["recommended"], cur),
                f.money(rec["p10"], cur),
                f.NA,
                f.money(rec["p90"], cur),
                f.money(rec["prev_recommended"], cur),
                f.signed_money(rec["change"], cur),
            ]
        )
    for r in methods.itertuples(index=False):
        rows.append(
            [
                method_label(r.method),
                f.money(r.forecast, cur),
                f.money(r.p10, cur),
                f.money(r.p50, cur),
                f.money(r.p90, cur),
                f.money(r.prev_forecast, cur),
                f.signed_money(r.change, cur),
            ]
        )
    parts.append(
        table(
            [
                "Method",
                f"Forecast ({adj['as_of_date']})",
                "P10",
                "P50",
                "P90",
                f"Last week ({prev_date or 'n/a'})",
                "Change",
            ],
            rows,
            table_id="forecast-adjusted",
            numeric=range(1, 7),
        )
    )
    panels = [(f"This week (as of {adj['as_of_date']})", _range_rows(methods, rec))]
    if prev_date is not None:
        panels.append((f"Last week (as of {prev_date})", _range_rows(methods, rec, "prev_")))
    chart = charts.ranges(panels, xlabel=cur)
    parts.append(
        figure(
            chart,
            f"{q} forecast by method: the bar spans P10 to P90, the tick is P50 and the dot the "
            "expected total (won to date + expected from open deals); the recommended number in "
            "orange. Sources: forecast.period_forecasts and forecast.forecast_summary.",
            "Forecast ranges by method",
        )
    )
    return parts + _trail(ctx, adj, history)


def _trail(ctx: Context, adj: dict[str, Any], history: pd.DataFrame | None) -> list[object]:
    """The quarter's forecast week by week, from the forecast history."""
    trail = h.weekly_trail(adj, h.combine(h.from_marts(ctx.wh), history))
    cur, q = ctx.currency, quarter_label(adj["quarter_start"], ctx.fy)
    methods = [c for c in trail.columns if c not in h.TRAIL_COLUMNS]
    parts: list[object] = [heading(f"Week by week: how the {q} forecast moved")]
    if len(trail) < 2:
        parts.append(
            paragraph(
                f"Only this week's forecast of {q} is known so far. Each publication of the serving copy adds "
                f"its forecast to {h.SERVING_HISTORY} (and each weekly report to {h.LOG_NAME}), so the "
                "weeks build up from here.",
                "note",
            )
        )
    records = trail.to_dict("records")
    rows = [
        [
            f"{r['week_start']:%d %b %Y}",
            str(r["as_of_date"]),
            f.money(r["recommended"], cur),
            f.money(r["p10"], cur),
            f.money(r["p90"], cur),
            f.signed_money(r["change"], cur),
        ]
        for r in records
    ]
    parts.append(
        table(
            ["Week of", "As of", "Recommended", "P10", "P90", "Change vs the week before"],
            rows,
            table_id="forecast-trail",
            numeric=range(2, 6),
        )
    )
    if methods:
        by_method = [[f"{r['week_start']:%d %b %Y}", *(f.money(r[m], cur) for m in methods)] for r in records]
        parts.append(
            table(
                ["Week of", *(method_label(m) for m in methods)],
                by_method,
                table_id="forecast-trail-methods",
                numeric=range(1, 1 + len(methods)),
            )
        )
    if len(trail) >= 2:
        labels = [f"{d:%d %b}" for d in trail["as_of_date"]]
        series = {
            "Recommended": trail["recommended"].tolist(),
            "P10": trail["p10"].tolist(),
            "P90": trail["p90"].tolist(),
        }
        series.update(
            {method_label(m): trail[m].tolist() for m in methods if m in ("monte_carlo", "weighted_pipeline")}
        )
        parts.append(
            figure(
                charts.lines(labels, series, ylabel=cur, money=True),
                f"The {q} forecast at the latest as-of date of each week: the recommended number with its P10 "
                "and P90, and two of the methods. Sources: forecast.period_forecasts and "
                "forecast.forecast_summary for this week, the forecast history named below for earlier weeks.",
                "Forecast week by week",
            )
        )
    sources = sorted(set(trail["source"]) - {h.MARTS_SOURCE})
    if sources:
        parts.append(paragraph("Earlier weeks from " + " and ".join(sources) + ".", "note"))
    return parts


def _waterfall(ctx: Context) -> list[object]:
    w = n.quarter_waterfall(ctx.wh, ctx.as_of, ctx.fy)
    cur = ctx.currency
    q = quarter_label(quarter_start(ctx.as_of, ctx.fy), ctx.fy)
    if w is None:
        return [paragraph(f"forecast.pipeline_waterfall has no company row for {q} yet.")]
    steps = [
        ("Start", w["start_amount"]),
        ("Created", w["created"]),
        ("Pulled in", w["pulled_in"]),
        ("Increased", w["increased"]),
        ("Decreased", -w["decreased"]),
        ("Pushed out", -w["pushed_out"]),
        ("Lost", -w["lost"]),
        ("Won", -w["won"]),
        ("Now", w["end_amount"]),
    ]
    ctx.summary.append(
        f"- Pipeline of {q}: {f.money(w['start_amount'], cur)} at the start, "
        f"{f.money(w['end_amount'], cur)} now; won {f.money(w['won'], cur)}, pushed out "
        f"{f.money(w['pushed_out'], cur)}"
    )
    chart = charts.waterfall(steps, ylabel=cur, label=lambda v: f.money_short(v, "").strip())
    until = f" until {w['window_end']}" if w.get("window_end") is not None else ""
    rows = [
        [name, f.money(value, cur) if name in ("Start", "Now") else f.signed_money(value, cur)]
        for name, value in steps
    ]
    parts: list[object] = [
        figure(
            chart,
            f"How the pipeline expected to close in {q} moved from the quarter's start{until}: created, "
            "pulled in from other periods and amount increases add; decreases, deals pushed out, lost "
            "and won remove. Source: forecast.pipeline_waterfall (grain quarter, company scope).",
            "Pipeline waterfall",
        ),
        table(["Movement", "Amount"], rows, table_id="waterfall", numeric=[1]),
    ]
    if abs(w["check"]) > 1:
        parts.append(paragraph(f"The movements do not add up: off by {f.money(w['check'], cur)}.", "note"))
    return parts


def build(ctx: Context, history: pd.DataFrame | None = None) -> tuple[Rendered, dict[str, Any]]:
    """The weekly page; also returns the forecast numbers so the caller can log this week's forecast."""
    out: dict[str, Any] = {"adjusted": None}
    week = review_week(ctx.as_of)
    q = quarter_label(quarter_start(ctx.as_of, ctx.fy), ctx.fy)
    sections = [
        ctx.guarded("Pipeline created", "pipeline-created-section", lambda: _pipeline_created(ctx)),
        ctx.guarded("Deals in negotiation", "negotiation-section", lambda: _negotiation(ctx)),
        ctx.guarded(f"Forecast adjusted: {q}", "forecast-section", lambda: _forecast(ctx, history, out)),
        ctx.guarded(f"Pipeline waterfall: {q}", "waterfall-section", lambda: _waterfall(ctx)),
    ]
    meta = f"{week_label(week)} · {q} · data as of {ctx.as_of.isoformat()} · amounts in {ctx.currency}"
    return render(ctx, kind="weekly", title="Weekly pipeline review", meta=meta, sections=sections), out
