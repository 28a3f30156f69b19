"""The team-health page: headcount, voluntary turnover, absenteeism, eNPS (hidden under the respondent
minimum), ramp curves and manager impact with its verdicts."""

from __future__ import annotations

from typing import Any

from revops.reports import charts
from revops.reports import fmt as f
from revops.reports.calendar import last_complete_month, month_label, quarter_label
from revops.reports.html import figure, heading, muted, paragraph, table, verdict_badge
from revops.reports.numbers import team_health as n
from revops.reports.pages.common import Context, Rendered, render

ROLE_LABELS = {"ae": "Account executives", "sdr": "SDRs", "manager": "Managers"}


def turnover_text(row: dict[str, Any], threshold: int) -> str:
    """The rolling 12-month voluntary turnover, or the exit count when the group is too small for a rate."""
    if not f.missing(row.get("voluntary_turnover_12m")):
        return f.pct(row["voluntary_turnover_12m"])
    if f.missing(row.get("voluntary_exits_12m")):
        return f.NA
    return f"{f.count(row['voluntary_exits_12m'])} exits (no rate under {threshold} people)"


def enps_text(value: Any, respondents: Any, minimum: int) -> str:
    """eNPS in points, "hidden (n < min)" under the respondent minimum, "no survey" without answers."""
    if not f.missing(value):
        return f"{float(value):+.0f}"
    if f.missing(respondents) or int(respondents) == 0:
        return "no survey"
    return f"hidden (n < {minimum})"


def _shown(value: str, hidden: bool) -> object:
    return muted(value) if hidden and value != f.NA else value


def kpi_name(kpi: str) -> str:
    """Label of a manager-impact KPI."""
    label = f.label_of(kpi)
    return label if label != kpi else kpi.replace("_", " ")


def _overview(ctx: Context) -> list[object]:
    th = ctx.config.team_health
    frame = n.overview(ctx.wh, ctx.as_of)
    month = last_complete_month(ctx.as_of)
    rows = []
    for r in frame.to_dict("records"):
        who = "Company" if r["scope_type"] == "company" else r["scope_id"]
        survey = f" ({r['enps_month']:%b %Y})" if r.get("enps_month") is not None else ""
        rows.append(
            [
                who,
                f"{f.count(r['headcount_start'])} → {f.count(r['headcount_end'])}",
                f.count(r["hires"]),
                f.count(r["voluntary_exits"]),
                _shown(turnover_text(r, th.small_team_threshold), f.missing(r["voluntary_turnover_12m"])),
                f.pct(r["absenteeism_rate"]),
                _shown(
                    enps_text(r["enps"], r["enps_respondents"], th.min_survey_respondents),
                    f.missing(r["enps"]),
                ),
                f"{f.count(r['enps_respondents'])}{survey}",
                f.pct(r["attainment_median"], 0),
            ]
        )
    company = frame[frame["scope_type"] == "company"].to_dict("records")
    if not company:
        ctx.summary.append(f"- No company row for {month_label(month)} in team_health.team_health_monthly")
    else:
        c = company[0]
        turnover = turnover_text(c, th.small_team_threshold)
        enps = enps_text(c["enps"], c["enps_respondents"], th.min_survey_respondents)
        ctx.cards += [
            ("Headcount", f.count(c["headcount_end"]), f"hired in {month:%B}: {f.count(c['hires'])}"),
            (
                "Voluntary turnover (12 months)",
                turnover,
                f"voluntary exits in 12 months: {f.count(c['voluntary_exits_12m'])}",
            ),
            ("Absenteeism", f.pct(c["absenteeism_rate"]), f"unplanned, {month:%B}"),
            ("eNPS", enps, f"{f.count(c['enps_respondents'])} respondents"),
        ]
    return [
        paragraph(
            f"{month_label(month)} by team. Voluntary turnover is rolling over 12 months; groups under "
            f"{th.small_team_threshold} people show the exit count instead of a rate. eNPS is the latest "
            f"survey up to the month and stays hidden under {th.min_survey_respondents} respondents."
        ),
        table(
            [
                "Scope",
                "Headcount (start → end)",
                "Hires",
                "Voluntary exits (month)",
                "Voluntary turnover 12m",
                "Absenteeism",
                "eNPS",
                "Respondents (survey)",
                "Median attainment",
            ],
            rows,
            table_id="team-health-overview",
            numeric=[1, 2, 3, 4, 5, 6, 7, 8],
        ),
        paragraph("Source: team_health.team_health_monthly (company and team scopes).", "note"),
    ]


def _trend(ctx: Context) -> list[object]:
    trend = n.company_trend(ctx.wh, ctx.as_of)
    if not len(trend):
        return [paragraph("team_health.team_health_monthly has no company rows for the last 12 months.")]
    labels = [f"{m:%b %y}" for m in trend["month"]]
    return [
        figure(
            charts.bars(labels, trend["headcount_end"].tolist(), ylabel="people", money=False),
            "Company headcount at the end of each month over the last 12 complete months. Source: "
            "team_health.team_health_monthly (company scope, headcount_end).",
            "Headcount per month",
        ),
        figure(
            charts.lines(
                labels,
                {
                    "Voluntary turnover (12 months)": trend["voluntary_turnover_12m"].tolist(),
                    "Absenteeism": trend["absenteeism_rate"].tolist(),
                },
                ylabel="rate",
                percent=True,
            ),
            "Rolling 12-month voluntary turnover and monthly absenteeism (unplanned absence days over scheduled "
            "working days), company scope. Source: team_health.team_health_monthly.",
            "Turnover and absenteeism per month",
        ),
    ]


def _ramp(ctx: Context) -> list[object]:
    parts: list[object] = []
    summary = n.ramp_summary(ctx.wh)
    rows = [
        [
            ROLE_LABELS.get(r.role, r.role),
            f.count(r.reps),
            f.count(r.ramped),
            f.days(r.ramp_days_median),
            f.days(r.first_deal_days_median),
            f.days(r.first_meeting_days_median),
        ]
        for r in summary.itertuples(index=False)
    ]
    parts += [
        table(
            [
                "Role",
                "Reps",
                "Ramped",
                "Median ramp time",
                "Median days to first deal",
                "Median days to first meeting",
            ],
            rows,
            table_id="ramp-summary",
            numeric=range(1, 6),
        ),
        paragraph(
            f"Ramped: reached {ctx.config.team_health.ramp_share:.0%} of full quota (AEs) or of the "
            "monthly meeting target (SDRs). Source: team_health.rep_ramp.",
            "note",
        ),
    ]
    if ctx.wh.has("team_health.ramp_curves"):
        curves = n.ramp_curves(ctx.wh)
        for role in sorted(curves["role"].unique()):
            sub = curves[curves["role"] == role]
            series = {}
            for cohort in sorted(sub["hire_cohort"].unique()):
                c = sub[sub["hire_cohort"] == cohort]
                series[f"hired {quarter_label(cohort, ctx.fy)}"] = (
                    c["tenure_month"].tolist(),
                    c["attainment_median"].tolist(),
                )
            parts += [
                heading(f"Ramp curves: {ROLE_LABELS.get(role, role)}"),
                figure(
                    charts.numeric_lines(
                        series,
                        xlabel="months since hire",
                        ylabel="median attainment",
                        percent=True,
                        reference=1.0,
                    ),
                    f"Median attainment by month of tenure for each hire cohort (quarter of hire, latest "
                    f"{n.COHORTS_SHOWN} cohorts) of {ROLE_LABELS.get(role, role).lower()}; the dashed line is 100%. "
                    "Source: team_health.ramp_curves.",
                    f"Ramp curves of {role}",
                ),
            ]
    else:
        parts.append(
            paragraph("Ramp curves unavailable: table team_health.ramp_curves does not exist.", "note")
        )
    return parts


def _impact(ctx: Context) -> list[object]:
    frame = n.manager_impact(ctx.wh)
    if not len(frame):
        return [paragraph("No manager change in the window: team_health.manager_impact is empty.")]
    rows = []
    for r in frame.itertuples(index=False):
        rows.append(
            [
                f.text(r.team, f.NA),
                f.day(r.change_date),
                f"{f.text(r.old_manager_email, f.NA)} → {f.text(r.new_manager_email, f.NA)}",
                kpi_name(str(r.kpi)),
                f"{f.pct(r.before_value)} → {f.pct(r.after_value)}",
                f"{f.pct(r.comparison_before)} → {f.pct(r.comparison_after)}",
                f.pts(r.did_estimate),
                f.count(r.window_days),
                f"{f.count(r.team_n)} / {f.count(r.comparison_n)}",
                verdict_badge(r.verdict),
            ]
        )
    counts = frame["verdict"].value_counts()
    ctx.summary.append("- Manager impact: " + ", ".join(f"{int(v)} {k}" for k, v in counts.items()))
    return [
        paragraph(
            "Change of a team KPI after a manager change minus the change over the same windows for teams "
            "whose manager did not change (difference in differences). 'Not enough data' means a side had "
            f"fewer than {ctx.config.team_health.min_deals_per_side} closed deals: no verdict is drawn."
        ),
        table(
            [
                "Team",
                "Change",
                "Manager (old → new)",
                "KPI",
                "Team before → after",
                "Comparison before → after",
                "Estimate",
                "Window (days)",
                "n team / comparison",
                "Verdict",
            ],
            rows,
            table_id="manager-impact",
            numeric=[6, 7, 8],
        ),
        paragraph("Source: team_health.manager_impact.", "note"),
    ]


def build(ctx: Context) -> Rendered:
    """The team-health page."""
    month = last_complete_month(ctx.as_of)
    sections = [
        ctx.guarded(
            "Headcount, turnover, absenteeism and engagement", "overview-section", lambda: _overview(ctx)
        ),
        ctx.guarded("Trend over 12 months", "trend-section", lambda: _trend(ctx)),
        ctx.guarded("Ramp of new hires", "ramp-section", lambda: _ramp(ctx)),
        ctx.guarded("Manager impact", "impact-section", lambda: _impact(ctx)),
    ]
    th = ctx.config.team_health
    meta = (
        f"{month_label(month)} · data as of {ctx.as_of.isoformat()} · rates hidden under "
        f"{th.small_team_threshold} people, eNPS under {th.min_survey_respondents} respondents"
    )
    return render(ctx, kind="team_health", title="Team health", meta=meta, sections=sections)
