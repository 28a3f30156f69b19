"""The synthetic warehouse's constants, the documented columns of the tables the reports read, and a
row collector that writes them with those types."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

FY_START = 2  # fiscal year starts in February, as in the demo configuration
AS_OF = date(2025, 5, 5)  # a Monday; current quarter May–Jul, last complete month April
TEAMS = ("north", "south", "west")
METHODS = (
    "weighted_pipeline",
    "category_commit",
    "category_best_case",
    "stage_conversion",
    "deal_model",
    "monte_carlo",
)
HEADLINE = (
    "opportunities_created",
    "stage_conversion_demo",
    "pipeline_coverage",
    "win_rate_count",
    "sales_cycle_days_mean",
    "forecast_accuracy",
)

# Column lists of docs/warehouse.md, as DDL ("name TYPE, ...").
DDL: dict[str, str] = {
    "marts.dim_reps": (
        "rep_id VARCHAR, email VARCHAR, full_name VARCHAR, role VARCHAR, level VARCHAR, team VARCHAR, "
        "manager_email VARCHAR, manager_rep_id VARCHAR, hire_date DATE, exit_date DATE, exit_type "
        "VARCHAR, is_active BOOLEAN, employee_id VARCHAR, salesforce_user_id VARCHAR, hubspot_owner_id "
        "VARCHAR, pipedrive_user_id VARCHAR"
    ),
    "marts.fct_deals": (
        "deal_id VARCHAR, source VARCHAR, source_deal_id VARCHAR, deal_name VARCHAR, account_id VARCHAR, "
        "owner_rep_id VARCHAR, owner_email VARCHAR, team VARCHAR, segment VARCHAR, pipeline VARCHAR, "
        "source_stage VARCHAR, stage VARCHAR, stage_order INTEGER, status VARCHAR, deal_type VARCHAR, "
        "currency VARCHAR, amount DOUBLE, fx_rate DOUBLE, amount_corporate DOUBLE, probability DOUBLE, "
        "forecast_category VARCHAR, created_at TIMESTAMP, created_date DATE, expected_close_date DATE, "
        "closed_date DATE, loss_reason VARCHAR, is_reopened BOOLEAN"
    ),
    "marts.fct_deal_stage_events": (
        "stage_event_id VARCHAR, deal_id VARCHAR, source VARCHAR, stage VARCHAR, source_stage VARCHAR, "
        "stage_order INTEGER, entered_at TIMESTAMP, exited_at TIMESTAMP, next_stage VARCHAR, "
        "days_in_stage DOUBLE, is_first_entry BOOLEAN, is_skip BOOLEAN, is_backward BOOLEAN"
    ),
    "kpi.kpi_values": (
        "grain VARCHAR, period_start DATE, period_end DATE, scope_type VARCHAR, scope_id VARCHAR, kpi "
        "VARCHAR, value DOUBLE, numerator DOUBLE, denominator DOUBLE, unit VARCHAR, is_small_sample "
        "BOOLEAN, is_mature BOOLEAN"
    ),
    "kpi.kpi_tracking": (
        "grain VARCHAR, period_start DATE, scope_type VARCHAR, scope_id VARCHAR, kpi VARCHAR, kpi_label "
        "VARCHAR, direction VARCHAR, target DOUBLE, actual DOUBLE, gap DOUBLE, pct_of_target DOUBLE, "
        "status VARCHAR, corrective_action VARCHAR, is_headline BOOLEAN"
    ),
    "forecast.period_forecasts": (
        "as_of_date DATE, grain VARCHAR, period_start DATE, scope_type VARCHAR, scope_id VARCHAR, method "
        "VARCHAR, forecast DOUBLE, closed_won_to_date DOUBLE, open_pipeline DOUBLE, p10 DOUBLE, p50 "
        "DOUBLE, p90 DOUBLE"
    ),
    "forecast.forecast_summary": (
        "grain VARCHAR, period_start DATE, scope_type VARCHAR, scope_id VARCHAR, recommended DOUBLE, p10 "
        "DOUBLE, p90 DOUBLE, method VARCHAR, method_accuracy DOUBLE, method_bias DOUBLE, "
        "periods_backtested INTEGER, summary VARCHAR"
    ),
    "forecast.forecast_accuracy": (
        "grain VARCHAR, period_start DATE, scope_type VARCHAR, scope_id VARCHAR, method VARCHAR, "
        "snapshot_date DATE, snapshot_label VARCHAR, forecast DOUBLE, actual DOUBLE, accuracy DOUBLE, "
        "bias DOUBLE, predictability DOUBLE"
    ),
    "forecast.pipeline_waterfall": (
        "grain VARCHAR, period_start DATE, scope_type VARCHAR, scope_id VARCHAR, start_amount "
        "DECIMAL(18,2), created DECIMAL(18,2), pulled_in DECIMAL(18,2), increased DECIMAL(18,2), "
        "decreased DECIMAL(18,2), pushed_out DECIMAL(18,2), lost DECIMAL(18,2), won DECIMAL(18,2), "
        "end_amount DECIMAL(18,2)"
    ),
    "team_health.team_health_monthly": (
        "month DATE, scope_type VARCHAR, scope_id VARCHAR, headcount_start INTEGER, headcount_end "
        "INTEGER, headcount_avg DOUBLE, hires INTEGER, voluntary_exits INTEGER, involuntary_exits "
        "INTEGER, voluntary_exits_12m INTEGER, voluntary_turnover_12m DOUBLE, absenteeism_rate DOUBLE, "
        "unplanned_absence_days INTEGER, scheduled_days INTEGER, enps DOUBLE, enps_respondents INTEGER, "
        "attainment_median DOUBLE, attainment_share_100 DOUBLE, ramping_share_70 DOUBLE, "
        "activities_per_rep DOUBLE"
    ),
    "team_health.rep_ramp": (
        "rep_id VARCHAR, email VARCHAR, role VARCHAR, team VARCHAR, hire_date DATE, days_to_first_deal "
        "INTEGER, days_to_first_meeting INTEGER, ramp_days INTEGER, ramp_reached_on DATE"
    ),
    "team_health.ramp_curves": (
        "hire_cohort DATE, role VARCHAR, tenure_month INTEGER, reps INTEGER, attainment_median DOUBLE"
    ),
    "team_health.manager_impact": (
        "team VARCHAR, change_date DATE, old_manager_email VARCHAR, new_manager_email VARCHAR, kpi "
        "VARCHAR, window_days INTEGER, before_value DOUBLE, after_value DOUBLE, comparison_before DOUBLE, "
        "comparison_after DOUBLE, did_estimate DOUBLE, team_n INTEGER, comparison_n INTEGER, "
        "comparison_teams VARCHAR, verdict VARCHAR"
    ),
}
SCHEMA: dict[str, list[tuple[str, str]]] = {
    table: [(c.split(" ", 1)[0], c.split(" ", 1)[1]) for c in ddl.split(", ")] for table, ddl in DDL.items()
}


def reps() -> list[dict[str, object]]:
    """Three reps per team (an AE pair and an SDR), plus a manager per team."""
    out = []
    for t, team in enumerate(TEAMS):
        manager = f"lead.{team}@example.com"
        out.append(
            {
                "email": manager,
                "full_name": f"{team.title()} Lead",
                "role": "manager",
                "team": team,
                "manager_email": None,
                "hire_date": date(2019, 3, 1),
            }
        )
        for i, role in enumerate(("ae", "ae", "sdr")):
            email = f"rep{t}{i}.{team}@example.com"
            out.append(
                {
                    "email": email,
                    "full_name": f"Rep {t}{i} {team.title()}",
                    "role": role,
                    "team": team,
                    "manager_email": manager,
                    "hire_date": date(2023 + i % 2, 1 + 3 * i, 1),
                }
            )
    for r in out:
        r["rep_id"] = "r_" + str(r["email"]).split("@")[0].replace(".", "_")
    return out


class Builder:
    """Accumulates rows per table and writes them with the documented column types."""

    def __init__(self, seed: int, as_of: date) -> None:
        self.rng = np.random.default_rng(seed)
        self.as_of = as_of
        self.rows: dict[str, list[dict[str, object]]] = {t: [] for t in SCHEMA}

    def add(self, table: str, **row: object) -> None:
        self.rows[table].append(row)

    def write(self, path: Path, skip: Iterable[str] = (), *, empty: bool = False) -> None:
        skipped = set(skip)
        with duckdb.connect(str(path)) as con:
            for table, columns in SCHEMA.items():
                if table in skipped or table.split(".")[0] in skipped:
                    continue
                schema = table.split(".")[0]
                con.execute(f"create schema if not exists {schema}")
                ddl = ", ".join(f'"{c}" {t}' for c, t in columns)
                con.execute(f"create or replace table {table} ({ddl})")
                frame = pd.DataFrame([] if empty else self.rows[table], columns=[c for c, _ in columns])
                if len(frame):
                    con.register("_rows", frame)
                    select = ", ".join(f'cast("{c}" as {t})' for c, t in columns)
                    con.execute(f"insert into {table} select {select} from _rows")
                    con.unregister("_rows")
