"""A small synthetic warehouse for the team-health tests: people with employment spells, absences,
survey answers, quotas, deals and activities, as mart DataFrames or written to a DuckDB file with the
column names of docs/warehouse.md."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from revops.team_health import MartFrames

Spell = tuple[date, date | None, str | None]  # start, end (exit date), exit type


def rep_id_of(email: str) -> str:
    """Stable rep id from an e-mail, as marts.dim_reps derives it."""
    return hashlib.md5(email.lower().encode()).hexdigest()[:16]


@dataclass
class Marts:
    """Builder of mart rows; every method returns self so setups read as one statement."""

    people: list[dict[str, object]] = field(default_factory=list)
    spells: list[dict[str, object]] = field(default_factory=list)
    absences: list[dict[str, object]] = field(default_factory=list)
    surveys: list[dict[str, object]] = field(default_factory=list)
    quotas: list[dict[str, object]] = field(default_factory=list)
    deals: list[dict[str, object]] = field(default_factory=list)
    activities: list[dict[str, object]] = field(default_factory=list)
    stage_events: list[dict[str, object]] = field(default_factory=list)
    forecast_accuracy: list[dict[str, object]] = field(default_factory=list)
    _teams: dict[str, str] = field(default_factory=dict)

    def person(self, email: str, *, team: str, manager: str | None, role: str = "ae",
               spells: list[Spell] | None = None, hired: date | None = None) -> Marts:
        spells = spells or [(hired or date(2020, 1, 1), None, None)]
        employee_id = f"E{len(self.people) + 1:04d}"
        for start, end, exit_type in spells:
            self.spells.append({
                "employee_id": employee_id, "rep_id": rep_id_of(email), "email": email, "role": role,
                "level": "1", "team": team, "manager_email": manager, "spell_start": start, "spell_end": end,
                "exit_type": exit_type,
            })
        start, end, exit_type = spells[-1]
        self.people.append({
            "rep_id": rep_id_of(email), "email": email, "full_name": email.split("@")[0], "role": role,
            "level": "1", "team": team, "manager_email": manager, "manager_rep_id": rep_id_of(manager) if manager else None,
            "hire_date": start, "exit_date": end, "exit_type": exit_type, "is_active": end is None,
            "employee_id": employee_id, "salesforce_user_id": None, "hubspot_owner_id": None,
            "pipedrive_user_id": None,
        })
        self._teams[email] = team
        return self

    def absence(self, email: str, start: date, end: date, *, planned: bool, kind: str = "sick") -> Marts:
        employee = next(p["employee_id"] for p in self.people if p["email"] == email)
        self.absences.append({"employee_id": employee, "rep_id": rep_id_of(email), "start_date": start,
                              "end_date": end, "absence_type": kind, "is_planned": planned})
        return self

    def survey(self, survey_id: str, on: date, team: str, scores: list[int]) -> Marts:
        for score in scores:
            self.surveys.append({"survey_id": survey_id, "survey_date": on, "team": team, "enps_score": score})
        return self

    def quota(self, email: str, start: date, end: date, amount: float, kind: str = "revenue") -> Marts:
        self.quotas.append({"rep_id": rep_id_of(email), "email": email, "period_start": start, "period_end": end,
                            "quota_type": kind, "quota_amount": amount})
        return self

    def deal(self, email: str, *, created: date, closed: date | None, status: str, amount: float = 1000.0,
             stages: list[tuple[int, date]] | None = None) -> Marts:
        deal_id = f"salesforce:{len(self.deals) + 1}"
        self.deals.append({
            "deal_id": deal_id, "source": "salesforce", "source_deal_id": str(len(self.deals) + 1),
            "deal_name": deal_id, "account_id": None, "owner_rep_id": rep_id_of(email), "owner_email": email,
            "team": self._teams.get(email, "unassigned"), "segment": "smb", "pipeline": "default",
            "source_stage": status, "stage": {"won": "closed_won", "lost": "closed_lost"}.get(status, "demo"),
            "stage_order": {"won": 5, "lost": 0}.get(status, 2), "status": status, "deal_type": "new_business",
            "currency": "EUR", "amount": amount, "fx_rate": 1.0, "amount_corporate": amount, "probability": 0.5,
            "forecast_category": "pipeline", "created_at": datetime.combine(created, datetime.min.time()),
            "created_date": created, "expected_close_date": closed, "closed_date": closed, "loss_reason": None,
            "is_reopened": False,
        })
        for order, entered in stages or []:
            self.stage_events.append({"stage_event_id": f"{deal_id}:{order}", "deal_id": deal_id,
                                      "source": "salesforce", "stage": str(order), "source_stage": str(order),
                                      "stage_order": order, "entered_at": datetime.combine(entered, datetime.min.time()),
                                      "exited_at": None, "next_stage": None, "days_in_stage": None,
                                      "is_first_entry": True, "is_skip": False, "is_backward": False})
        return self

    def activity(self, email: str, on: date, kind: str = "meeting", count: int = 1) -> Marts:
        for _ in range(count):
            n = len(self.activities) + 1
            self.activities.append({
                "activity_id": f"a{n}", "source": "salesforce", "source_activity_id": str(n), "activity_type": kind,
                "occurred_at": datetime.combine(on, datetime.min.time()), "activity_date": on,
                "rep_id": rep_id_of(email), "deal_id": None, "account_id": None, "duration_minutes": 30,
                "subject": kind,
            })
        return self

    def accuracy(self, team: str, period_start: date, accuracy: float) -> Marts:
        self.forecast_accuracy.append({
            "grain": "month", "period_start": period_start, "scope_type": "team", "scope_id": team,
            "method": "weighted_pipeline", "snapshot_date": period_start, "snapshot_label": "period_start",
            "forecast": 100.0, "actual": 100.0, "accuracy": accuracy, "bias": 0.0, "predictability": None,
        })
        return self

    def frames(self) -> MartFrames:
        def frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
            return pd.DataFrame(rows, columns=columns)

        return MartFrames(
            dim_reps=frame(self.people, COLUMNS["dim_reps"]),
            employment_spells=frame(self.spells, COLUMNS["fct_employment_spells"]),
            absences=frame(self.absences, COLUMNS["fct_absences"]),
            survey_responses=frame(self.surveys, COLUMNS["fct_survey_responses"]),
            quotas=frame(self.quotas, COLUMNS["fct_quotas"]),
            deals=frame(self.deals, COLUMNS["fct_deals"]),
            activities=frame(self.activities, COLUMNS["fct_activities"]),
            deal_stage_events=frame(self.stage_events, COLUMNS["fct_deal_stage_events"]) if self.stage_events else None,
            forecast_accuracy=frame(self.forecast_accuracy, COLUMNS["forecast_accuracy"])
            if self.forecast_accuracy else None,
        )

    def write(self, path: Path) -> duckdb.DuckDBPyConnection:
        """Write the marts (typed as the dbt models type them) into a new DuckDB file and connect."""
        con = duckdb.connect(str(path))
        write_frames(con, self.frames())
        return con


COLUMNS: dict[str, list[str]] = {
    "dim_reps": ["rep_id", "email", "full_name", "role", "level", "team", "manager_email", "manager_rep_id",
                 "hire_date", "exit_date", "exit_type", "is_active", "employee_id", "salesforce_user_id",
                 "hubspot_owner_id", "pipedrive_user_id"],
    "fct_employment_spells": ["employee_id", "rep_id", "email", "role", "level", "team", "manager_email",
                              "spell_start", "spell_end", "exit_type"],
    "fct_absences": ["employee_id", "rep_id", "start_date", "end_date", "absence_type", "is_planned"],
    "fct_survey_responses": ["survey_id", "survey_date", "team", "enps_score"],
    "fct_quotas": ["rep_id", "email", "period_start", "period_end", "quota_type", "quota_amount"],
    "fct_deals": ["deal_id", "source", "source_deal_id", "deal_name", "account_id", "owner_rep_id", "owner_email",
                  "team", "segment", "pipeline", "source_stage", "stage", "stage_order", "status", "deal_type",
                  "currency", "amount", "fx_rate", "amount_corporate", "probability", "forecast_category",
                  "created_at", "created_date", "expected_close_date", "closed_date", "loss_reason", "is_reopened"],
    "fct_activities": ["activity_id", "source", "source_activity_id", "activity_type", "occurred_at",
                       "activity_date", "rep_id", "deal_id", "account_id", "duration_minutes", "subject"],
    "fct_deal_stage_events": ["stage_event_id", "deal_id", "source", "stage", "source_stage", "stage_order",
                              "entered_at", "exited_at", "next_stage", "days_in_stage", "is_first_entry", "is_skip",
                              "is_backward"],
    "forecast_accuracy": ["grain", "period_start", "scope_type", "scope_id", "method", "snapshot_date",
                          "snapshot_label", "forecast", "actual", "accuracy", "bias", "predictability"],
}
DATE_COLUMNS = {"hire_date", "exit_date", "spell_start", "spell_end", "start_date", "end_date", "survey_date",
                "period_start", "period_end", "created_date", "expected_close_date", "closed_date", "activity_date",
                "snapshot_date"}
TIMESTAMP_COLUMNS = {"created_at", "occurred_at", "entered_at", "exited_at"}
NUMERIC = {"enps_score": "INTEGER", "quota_amount": "DOUBLE", "amount": "DOUBLE", "fx_rate": "DOUBLE",
           "amount_corporate": "DOUBLE", "probability": "DOUBLE", "stage_order": "INTEGER",
           "duration_minutes": "INTEGER", "days_in_stage": "DOUBLE", "forecast": "DOUBLE", "actual": "DOUBLE",
           "accuracy": "DOUBLE", "bias": "DOUBLE", "predictability": "DOUBLE"}
BOOLEAN = {"is_active", "is_planned", "is_reopened", "is_first_entry", "is_skip", "is_backward"}


def _sql_type(column: str) -> str:
    if column in DATE_COLUMNS:
        return "DATE"
    if column in TIMESTAMP_COLUMNS:
        return "TIMESTAMP"
    if column in BOOLEAN:
        return "BOOLEAN"
    return NUMERIC.get(column, "VARCHAR")


def write_frames(con: duckdb.DuckDBPyConnection, marts: MartFrames) -> None:
    """Create the marts (and forecast.forecast_accuracy when given) with typed columns."""
    tables = {
        ("marts", "dim_reps"): marts.dim_reps,
        ("marts", "fct_employment_spells"): marts.employment_spells,
        ("marts", "fct_absences"): marts.absences,
        ("marts", "fct_survey_responses"): marts.survey_responses,
        ("marts", "fct_quotas"): marts.quotas,
        ("marts", "fct_deals"): marts.deals,
        ("marts", "fct_activities"): marts.activities,
        ("marts", "fct_deal_stage_events"): marts.deal_stage_events,
        ("forecast", "forecast_accuracy"): marts.forecast_accuracy,
    }
    for (schema, table), frame in tables.items():
        if frame is None:
            continue
        con.execute(f"create schema if not exists {schema}")
        columns = ", ".join(f'"{c}" {_sql_type(c)}' for c in frame.columns)
        con.execute(f"create or replace table {schema}.{table} ({columns})")
        if len(frame):
            con.register("_rows", frame.astype(object).where(frame.notna(), None))
            select = ", ".join(f'cast("{c}" as {_sql_type(c)})' for c in frame.columns)
            con.execute(f"insert into {schema}.{table} select {select} from _rows")
            con.unregister("_rows")
