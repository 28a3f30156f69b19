"""Build the team_health schema: read the marts from DuckDB, compute, write the tables in one transaction."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from revops.team_health.compute import MartFrames, TeamHealthSettings, compute_team_health

SCHEMA = "team_health"

REQUIRED_MARTS = {
    "dim_reps": ("marts", "dim_reps"),
    "employment_spells": ("marts", "fct_employment_spells"),
    "absences": ("marts", "fct_absences"),
    "survey_responses": ("marts", "fct_survey_responses"),
    "quotas": ("marts", "fct_quotas"),
    "deals": ("marts", "fct_deals"),
    "activities": ("marts", "fct_activities"),
}
OPTIONAL_MARTS = {
    "deal_stage_events": ("marts", "fct_deal_stage_events"),
    "forecast_accuracy": ("forecast", "forecast_accuracy"),
    "manager_changes": ("marts", "fct_manager_changes"),
}
# Only the columns used are read: fct_activities and fct_deals are the largest tables of the warehouse.
READ_COLUMNS = {
    "activities": ("rep_id", "activity_type", "activity_date"),
    "deals": ("deal_id", "owner_rep_id", "team", "status", "created_date", "closed_date", "amount_corporate"),
    "deal_stage_events": ("deal_id", "stage_order", "entered_at"),
}

TABLE_TYPES: dict[str, dict[str, str]] = {
    "team_health_monthly": {
        "month": "DATE", "scope_type": "VARCHAR", "scope_id": "VARCHAR", "headcount_start": "INTEGER",
        "headcount_end": "INTEGER", "headcount_avg": "DOUBLE", "hires": "INTEGER", "voluntary_exits": "INTEGER",
        "involuntary_exits": "INTEGER", "voluntary_exits_12m": "INTEGER", "voluntary_turnover_12m": "DOUBLE",
        "absenteeism_rate": "DOUBLE", "unplanned_absence_days": "INTEGER", "scheduled_days": "INTEGER",
        "enps": "DOUBLE", "enps_respondents": "INTEGER", "attainment_median": "DOUBLE",
        "attainment_share_100": "DOUBLE", "ramping_share_70": "DOUBLE", "activities_per_rep": "DOUBLE",
        "turnover_headcount_12m": "DOUBLE", "planned_leave_days": "INTEGER", "reps_start_12m": "INTEGER",
        "reps_retained_12m": "INTEGER", "rep_retention_12m": "DOUBLE",
    },
    "rep_ramp": {
        "rep_id": "VARCHAR", "email": "VARCHAR", "role": "VARCHAR", "team": "VARCHAR", "hire_date": "DATE",
        "days_to_first_deal": "INTEGER", "days_to_first_meeting": "INTEGER", "ramp_days": "INTEGER",
        "ramp_reached_on": "DATE",
    },
    "ramp_curves": {
        "hire_cohort": "DATE", "role": "VARCHAR", "tenure_month": "INTEGER", "reps": "INTEGER",
        "attainment_median": "DOUBLE",
    },
    "manager_impact": {
        "team": "VARCHAR", "change_date": "DATE", "old_manager_email": "VARCHAR", "new_manager_email": "VARCHAR",
        "kpi": "VARCHAR", "window_days": "INTEGER", "before_value": "DOUBLE", "after_value": "DOUBLE",
        "comparison_before": "DOUBLE", "comparison_after": "DOUBLE", "did_estimate": "DOUBLE",
        "team_n": "INTEGER", "comparison_n": "INTEGER", "comparison_teams": "VARCHAR", "verdict": "VARCHAR",
        "team_n_before": "INTEGER", "team_n_after": "INTEGER", "comparison_n_before": "INTEGER",
        "comparison_n_after": "INTEGER", "did_std_error": "DOUBLE",
    },
    "kpi_values": {
        "grain": "VARCHAR", "period_start": "DATE", "period_end": "DATE", "scope_type": "VARCHAR",
        "scope_id": "VARCHAR", "kpi": "VARCHAR", "value": "DOUBLE", "numerator": "DOUBLE",
        "denominator": "DOUBLE", "unit": "VARCHAR", "is_small_sample": "BOOLEAN", "is_mature": "BOOLEAN",
    },
}


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {(schema, name) for schema, name in rows}


def _read(con: duckdb.DuckDBPyConnection, key: str, schema: str, table: str) -> pd.DataFrame:
    columns = READ_COLUMNS.get(key)
    if columns is None:
        return con.execute(f'select * from "{schema}"."{table}"').df()
    present = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table]).fetchall()}
    missing = [c for c in columns if c not in present]
    if missing:
        raise ValueError(f"{schema}.{table}: missing columns {missing}; rebuild it with `dbt build`")
    select = ", ".join(f'"{c}"' for c in columns)
    return con.execute(f'select {select} from "{schema}"."{table}"').df()


def read_marts(con: duckdb.DuckDBPyConnection) -> MartFrames:
    """Read the marts team health needs; the optional ones are None when absent."""
    existing = _existing_tables(con)
    missing = [f"{s}.{t}" for s, t in REQUIRED_MARTS.values() if (s, t) not in existing]
    if missing:
        raise ValueError(
            f"team_health: the warehouse has no {', '.join(missing)}; build the marts first (`dbt build`)"
        )
    frames = {key: _read(con, key, s, t) for key, (s, t) in REQUIRED_MARTS.items()}
    optional = {key: _read(con, key, s, t) if (s, t) in existing else None for key, (s, t) in OPTIONAL_MARTS.items()}
    return MartFrames(**frames, **optional)


def write_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Create or replace the team_health tables with the contract's column types, atomically."""
    counts: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, frame in tables.items():
            types = TABLE_TYPES[name]
            view = f"_team_health_{name}"
            con.register(view, frame[list(types)])
            try:
                select = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in types.items())
                con.execute(f'create or replace table {SCHEMA}."{name}" as select {select} from "{view}"')
            finally:
                con.unregister(view)
            counts[f"{SCHEMA}.{name}"] = len(frame)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts


def build_team_health(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    min_survey_respondents: int = 5,
    small_team_threshold: int = 8,
    ramp_share: float = 0.8,
    sdr_monthly_meeting_target: float = 20,
    impact_window_days: int = 180,
    min_deals_per_side: int = 20,
    fiscal_year_start_month: int = 1,
    manager_changes: pd.DataFrame | None = None,
) -> dict[str, int]:
    """Create or replace the team_health tables from the marts; returns the row count per table.

    `manager_changes` (team, change_date, old_manager_email, new_manager_email), e.g. taken from HR
    events, replaces the manager changes reconstructed from marts.fct_employment_spells.
    """
    settings = TeamHealthSettings(
        min_survey_respondents=min_survey_respondents,
        small_team_threshold=small_team_threshold,
        ramp_share=ramp_share,
        sdr_monthly_meeting_target=sdr_monthly_meeting_target,
        impact_window_days=impact_window_days,
        min_deals_per_side=min_deals_per_side,
        fiscal_year_start_month=fiscal_year_start_month,
    )
    result = compute_team_health(read_marts(con), as_of=as_of, settings=settings, manager_changes=manager_changes)
    return write_tables(con, result.tables())
