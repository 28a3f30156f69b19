"""The KPI catalogue: names, labels, units, direction and default corrective actions.

Definitions live in docs/kpis.md. The defaults for corrective actions follow the sales-management
practice the product is built on: every KPI below target should lead to a concrete lever (coaching,
cadence, campaign, qualification), not a sanction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    unit: str  # count, currency, ratio, days, per_rep_week, per_day
    direction: str = "higher_is_better"  # or lower_is_better
    red_action: str = ""
    amber_action: str = ""


_STAGES = ("qualification", "demo", "proposal", "negotiation")
_NEXT = {"qualification": "demo", "demo": "proposal", "proposal": "negotiation", "negotiation": "won"}

CATALOGUE: dict[str, Kpi] = {
    k.name: k
    for k in [
        Kpi("opportunities_created", "Opportunities created", "count",
            red_action="Raise SDR cadence on the weakest segment and review lead routing",
            amber_action="Check SDR activity levels and inbound lead volume this week"),
        Kpi("opportunities_created_amount", "Pipeline created (amount)", "currency",
            red_action="Run a pipeline-generation push on high-value segments",
            amber_action="Review the mix of new opportunities by segment"),
        *[
            Kpi(f"stage_conversion_{s}", f"Conversion {s} → {_NEXT[s]}", "ratio",
                red_action=("Coaching and training on the product pitch" if s == "demo" else
                            f"Review the exit criteria of the {s} stage and coach on stalled deals"),
                amber_action=f"Inspect recent deals lost after {s} in the weekly pipeline review")
            for s in _STAGES
        ],
        Kpi("win_rate_count", "Win rate (deals)", "ratio",
            red_action="Tighten qualification and run win/loss reviews with the team",
            amber_action="Review loss reasons of the last month"),
        Kpi("win_rate_value", "Win rate (amount)", "ratio",
            red_action="Review large lost deals and strengthen executive sponsorship",
            amber_action="Check whether large deals are lost more often than small ones"),
        Kpi("sales_cycle_days_mean", "Average sales cycle (days)", "days", "lower_is_better",
            red_action="Review stalled deals stage by stage and set next steps with dates",
            amber_action="Flag deals without activity for 14 days"),
        Kpi("sales_cycle_days_median", "Median sales cycle (days)", "days", "lower_is_better",
            red_action="Review stalled deals stage by stage and set next steps with dates",
            amber_action="Flag deals without activity for 14 days"),
        Kpi("average_deal_size", "Average deal size", "currency",
            red_action="Coach on value selling and upsell packaging",
            amber_action="Review discounting on recent wins"),
        Kpi("won_amount", "Revenue won", "currency",
            red_action="Focus the team on commit deals and remove blockers with managers",
            amber_action="Review the commit list deal by deal"),
        Kpi("revenue_growth", "Revenue growth vs previous period", "ratio",
            red_action="Revisit territory and segment priorities in the sales plan",
            amber_action="Compare growth by segment to find the lagging one"),
        *[
            Kpi(f"activities_{t}", f"Activities: {t.replace('_', ' ')}", "count",
                red_action="Agree weekly activity goals in one-to-ones",
                amber_action="Share the activity board in the weekly review")
            for t in ("call", "meeting", "email", "proposal_sent", "task", "note")
        ],
        Kpi("activities_per_rep_week", "Sales activity per rep per week", "per_rep_week",
            red_action="Agree weekly activity goals in one-to-ones and protect selling time",
            amber_action="Share the activity board in the weekly review"),
        Kpi("mql_to_sql_conversion", "MQL → SQL conversion", "ratio",
            red_action="Align marketing and sales on the MQL definition and follow-up SLA",
            amber_action="Check lead follow-up times by SDR"),
        Kpi("open_pipeline", "Open pipeline for the period", "currency",
            red_action="Launch a targeted account-based campaign",
            amber_action="Ask each rep for two new opportunities this period"),
        Kpi("weighted_pipeline", "Weighted pipeline", "currency",
            red_action="Launch a targeted account-based campaign",
            amber_action="Advance early-stage deals with clear next steps"),
        Kpi("pipeline_coverage", "Pipeline coverage vs remaining quota", "ratio",
            red_action="Relaunch a targeted account-based (ABM) campaign",
            amber_action="Prioritise pipeline generation for the next quarter"),
        Kpi("quota_attainment", "Quota attainment", "ratio",
            red_action="Deal-by-deal review of the commit list with each rep",
            amber_action="Coach reps below 70% of ramped quota"),
        Kpi("sales_velocity", "Sales velocity (per day)", "per_day",
            red_action="Find the weakest velocity lever (volume, size, win rate, cycle) and act on it",
            amber_action="Review the four velocity levers by team"),
        Kpi("gross_retention", "Gross revenue retention", "ratio",
            red_action="Set up churn-risk reviews with customer success",
            amber_action="Review accounts that shrank this quarter"),
        Kpi("net_retention", "Net revenue retention", "ratio",
            red_action="Build an expansion plan for the top customer accounts",
            amber_action="Identify expansion opportunities in existing accounts"),
        Kpi("forecast_accuracy", "Forecast accuracy", "ratio",
            red_action="Improve qualification criteria and inspect commit deals weekly",
            amber_action="Compare rep calls with the model forecast in the weekly review"),
        Kpi("voluntary_turnover_12m", "Voluntary turnover (12 months)", "ratio", "lower_is_better",
            red_action="Hold stay interviews and review workload and compensation",
            amber_action="Increase one-to-one frequency in the affected team"),
        Kpi("absenteeism_rate", "Absenteeism", "ratio", "lower_is_better",
            red_action="Talk to the team about workload and well-being",
            amber_action="Watch the trend at the next monthly review"),
        Kpi("enps", "Employee NPS", "points",
            red_action="Run a team retrospective on the survey's themes with an action plan",
            amber_action="Share survey results and ask for one improvement per person"),
        Kpi("ramp_days_median", "Ramp time of new reps (median days)", "days", "lower_is_better",
            red_action="Strengthen onboarding: shadowing, certification and a ramp plan per hire",
            amber_action="Pair new reps with a mentor"),
        Kpi("rep_retention_12m", "Rep retention (12 months)", "ratio",
            red_action="Review career paths and coaching time per rep",
            amber_action="Hold stay interviews with top performers"),
    ]
}

DEFAULT_HEADLINE = [
    "opportunities_created",
    "stage_conversion_demo",
    "pipeline_coverage",
    "win_rate_count",
    "sales_cycle_days_mean",
    "forecast_accuracy",
]
