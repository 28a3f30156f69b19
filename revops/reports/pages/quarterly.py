"""The quarterly review page: last quarter against targets, forecast range of the current and next
quarter, forecast accuracy history and next quarter's pipeline coverage."""

from __future__ import annotations

import pandas as pd

from revops.reports import charts
from revops.reports import fmt as f
from revops.reports.calendar import quarter_label
from revops.reports.html import Raw, figure, heading, paragraph, table
from revops.reports.numbers import quarterly as n
from revops.reports.pages.common import Context, Rendered, render
from revops.reports.pages.monthly import tracking_table
from revops.reports.pages.weekly import method_label

RESULT_LABELS = {
    "won_amount": "Revenue won",
    "quota_attainment": "Quota attainment",
    "opportunities_created": "Opportunities created",
    "opportunities_created_amount": "Pipeline created",
    "win_rate_count": "Win rate (deals)",
    "average_deal_size": "Average deal size",
    "sales_cycle_days_mean": "Average sales cycle",
}


def _last_quarter(ctx: Context) -> list[object]:
    last, _, _ = n.quarters(ctx.as_of, ctx.fy)
    q, cur = quarter_label(last, ctx.fy), ctx.currency
    parts: list[object] = []
    if ctx.wh.has("kpi.kpi_values"):
        results = n.last_quarter_results(ctx.wh, ctx.as_of, ctx.fy)
        ctx.cards.append(
            (
                f"Revenue won, {q}",
                f.money(results.get("won_amount"), cur),
                f"quota attainment {f.pct(results.get('quota_attainment'), 0)}",
            )
        )
        rows = [[label, f.kpi_value(k, results.get(k), cur)] for k, label in RESULT_LABELS.items()]
        parts += [
            heading(f"Results of {q}"),
            table(["Result", "Value"], rows, table_id="last-quarter-results", numeric=[1]),
            paragraph("Source: kpi.kpi_values (grain quarter, company scope).", "note"),
        ]
    frame = n.last_quarter_vs_targets(ctx.wh, ctx.as_of, ctx.fy, ctx.headline)
    for r in frame[frame["status"] == "red"].to_dict("records"):
        ctx.summary.append(
            f"- {q} {r['kpi_label']}: red ({f.kpi_value(r['kpi'], r['actual'], cur)} vs "
            f"{f.kpi_value(r['kpi'], r['target'], cur)})"
        )
    parts += [
        heading(f"{q} against targets"),
        tracking_table(frame, cur, "last-quarter-tracking"),
        paragraph(
            "Source: kpi.kpi_tracking (grain quarter, company scope); headline KPIs first, then every "
            "other KPI with a target.",
            "note",
        ),
    ]
    return parts


def _forecast(ctx: Context) -> list[object]:
    fr = n.forecast_ranges(ctx.wh, ctx.as_of, ctx.fy)
    cur = ctx.currency
    labels = {
        fr["current"]: quarter_label(fr["current"], ctx.fy),
        fr["next"]: quarter_label(fr["next"], ctx.fy),
    }
    if fr["as_of_date"] is None:
        return [
            paragraph(
                "forecast.period_forecasts has no company forecast for "
                f"{' or '.join(labels.values())}; run the forecast build."
            )
        ]
    rec: pd.DataFrame = fr["recommended"]
    methods: pd.DataFrame = fr["methods"]
    parts: list[object] = [
        paragraph(
            f"Forecasts as of {fr['as_of_date']}. The expected total of a quarter is what "
            "is already won plus what the open deals should bring; the range is the "
            "Monte Carlo P10–P90 spread."
        )
    ]
    rec_rows = []
    for r in rec.to_dict("records"):
        label = labels.get(r["period_start"], str(r["period_start"]))
        ctx.cards.append(
            (
                f"Forecast {label}",
                f.money(r["recommended"], cur),
                f"P10 {f.money_short(r['p10'], cur)} – P90 {f.money_short(r['p90'], cur)}",
            )
        )
        ctx.summary.append(
            f"- Forecast {label}: {f.money(r['recommended'], cur)} (P10 {f.money(r['p10'], cur)} – "
            f"P90 {f.money(r['p90'], cur)}, {method_label(str(r['method']))})"
        )
        rec_rows.append(
            [
                label,
                f.money(r["recommended"], cur),
                f.money(r["p10"], cur),
                f.money(r["p90"], cur),
                method_label(str(r["method"])),
                f.pct(r["method_accuracy"], 0),
                f.signed_pct(r["method_bias"], 0),
                f.count(r["periods_backtested"]),
            ]
        )
    if fr["has_summary"]:
        parts += [
            heading("Recommended numbers"),
            table(
                [
                    "Quarter",
                    "Recommended",
                    "P10",
                    "P90",
                    "Method",
                    "Back-tested accuracy",
                    "Bias",
                    "Quarters back-tested",
                ],
                rec_rows,
                table_id="recommended",
                numeric=[1, 2, 3, 5, 6, 7],
            ),
        ]
        parts += [paragraph(f.text(s), "note") for s in rec["summary"] if f.text(s)]
    else:
        parts.append(
            paragraph("No recommended number: table forecast.forecast_summary does not exist.", "note")
        )
    rows = [
        [
            labels.get(r.period_start, str(r.period_start)),
            method_label(r.method),
            f.money(r.forecast, cur),
            f.money(r.p10, cur),
            f.money(r.p50, cur),
            f.money(r.p90, cur),
            f.money(r.closed_won_to_date, cur),
            f.money(r.open_pipeline, cur),
        ]
        for r in methods.itertuples(index=False)
    ]
    parts += [
        heading("Forecast by method"),
        table(
            ["Quarter", "Method", "Expected", "P10", "P50", "P90", "Won to date", "Open pipeline"],
            rows,
            table_id="forecast-methods",
            numeric=range(2, 8),
        ),
    ]
    panels = []
    for start, label in labels.items():
        prow: list[charts.RangeRow] = []
        for r in rec[rec["period_start"] == start].to_dict("records"):
            prow.append(("Recommended", r["p10"], None, r["p90"], r["recommended"], True))
        for r in methods[methods["period_start"] == start].to_dict("records"):
            prow.append((method_label(r["method"]), r["p10"], r["p50"], r["p90"], r["forecast"], False))
        panels.append((label, prow))
    parts.append(
        figure(
            charts.ranges(panels, xlabel=cur),
            "Forecast of the current and the next quarter by method: the bar spans P10 to P90, the tick "
            "is P50, the dot the expected total; the recommended number in orange. Sources: "
            "forecast.period_forecasts and forecast.forecast_summary (company scope).",
            "Forecast ranges of the current and next quarter",
        )
    )
    return parts


def _accuracy(ctx: Context) -> list[object]:
    history, by_method = n.accuracy_history(ctx.wh)
    if not len(history):
        return [paragraph("forecast.forecast_accuracy has no back-tested quarter yet.")]
    quarters = sorted(history["period_start"].unique())
    qlabels = [quarter_label(q, ctx.fy) for q in quarters]
    series = {}
    for method in by_method["method"]:
        rows = history[history["method"] == method].set_index("period_start")["accuracy"]
        series[method_label(method)] = [rows.get(q) for q in quarters]
    best = by_method.iloc[0]
    ctx.summary.append(
        f"- Most accurate method over {int(best['quarters'])} quarters: "
        f"{method_label(best['method'])} ({f.pct(best['mean_accuracy'], 0)})"
    )
    rows = [
        [
            method_label(r.method),
            f.count(r.quarters),
            f.pct(r.mean_accuracy),
            f.signed_pct(r.mean_bias),
            f.pct(r.predictability),
        ]
        for r in by_method.itertuples(index=False)
    ]
    grid = []
    for method in by_method["method"]:
        rows_m = history[history["method"] == method].set_index("period_start")["accuracy"]
        grid.append([method_label(method), *[f.pct(rows_m.get(q)) for q in quarters]])
    return [
        figure(
            charts.lines(qlabels, series, ylabel="accuracy", percent=True),
            "Forecast accuracy per quarter and method (1 − |forecast − actual| / actual, clipped at 0), with the "
            "forecast as it stood on the quarter's first day. Source: forecast.forecast_accuracy (grain quarter, "
            "company scope, snapshot period_start).",
            "Forecast accuracy history",
        ),
        table(
            ["Method", "Quarters", "Mean accuracy", "Mean bias", "Predictability (std. dev.)"],
            rows,
            table_id="accuracy-by-method",
            numeric=[1, 2, 3, 4],
        ),
        table(["Method", *qlabels], grid, table_id="accuracy-history", numeric=range(1, len(qlabels) + 1)),
        paragraph(
            "Bias above zero means the method forecast more than was won. Predictability is the standard "
            "deviation of accuracy over the last four quarters: lower is steadier.",
            "note",
        ),
    ]


def _coverage(ctx: Context) -> list[object]:
    cov = n.next_quarter_coverage(ctx.wh, ctx.as_of, ctx.fy)
    rows_df: pd.DataFrame = cov["rows"]
    q, cur = quarter_label(cov["next"], ctx.fy), ctx.currency
    company = rows_df[rows_df["scope_type"] == "company"]
    value = company["value"].iloc[0] if len(company) else None
    target = cov["target"]
    ctx.cards.append(
        (
            f"Pipeline coverage {q}",
            f.kpi_value("pipeline_coverage", value, cur),
            f"target {f.kpi_value('pipeline_coverage', target, cur)}",
        )
    )
    rows = []
    for r in rows_df.itertuples(index=False):
        who = "Company" if r.scope_type == "company" else f"Team {r.scope_id}"
        flag: object = ""
        if not f.missing(target) and not f.missing(r.value):
            flag = (
                Raw('<span class="badge status-green">on target</span>')
                if r.value >= target
                else Raw('<span class="badge status-red">below target</span>')
            )
        rows.append(
            [
                who,
                f.kpi_value("pipeline_coverage", r.value, cur),
                f.money(r.numerator, cur),
                f.money(r.denominator, cur),
                flag,
            ]
        )
    return [
        paragraph(
            f"Open pipeline expected to close in {q} over the quota still to win, as of today: "
            f"{f.kpi_value('pipeline_coverage', value, cur)} for the company against a target of "
            f"{f.kpi_value('pipeline_coverage', target, cur)}. Low coverage now is next quarter's shortfall: "
            "plan pipeline generation before the quarter starts."
        ),
        table(
            ["Scope", "Coverage", "Open pipeline", "Remaining quota", ""],
            rows,
            table_id="coverage",
            numeric=[1, 2, 3],
        ),
        paragraph(
            "Source: kpi.kpi_values (pipeline_coverage, grain quarter, period_start of the next quarter); "
            "target from kpi.kpi_tracking.",
            "note",
        ),
    ]


def build(ctx: Context) -> Rendered:
    """The quarterly page."""
    last, current, nxt = n.quarters(ctx.as_of, ctx.fy)
    sections = [
        ctx.guarded(
            f"Last quarter ({quarter_label(last, ctx.fy)}) against targets",
            "last-quarter-section",
            lambda: _last_quarter(ctx),
        ),
        ctx.guarded("Forecast range: current and next quarter", "forecast-section", lambda: _forecast(ctx)),
        ctx.guarded("Forecast accuracy history", "accuracy-section", lambda: _accuracy(ctx)),
        ctx.guarded(
            f"Pipeline coverage for {quarter_label(nxt, ctx.fy)}", "coverage-section", lambda: _coverage(ctx)
        ),
    ]
    meta = (
        f"Review of {quarter_label(last, ctx.fy)}, projection for {quarter_label(current, ctx.fy)} and "
        f"{quarter_label(nxt, ctx.fy)} · data as of {ctx.as_of.isoformat()} · amounts in {ctx.currency}"
    )
    return render(ctx, kind="quarterly", title="Quarterly review", meta=meta, sections=sections)
