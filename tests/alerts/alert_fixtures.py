"""Helpers for the alert tests: a temporary warehouse with synthetic kpi tables, and recorders for
the local HTTP and SMTP receivers (the pytest fixtures that start them are in conftest.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import duckdb
from aiosmtpd.smtp import Envelope

from revops.alerts.periods import period_end

# Secret-looking values: the tests assert they never reach ops.alert_events or the logs.
SLACK_SECRET = "T0ALERTS/B0ALERTS/slacksecret4f9a"
HOOK_AUTH = "Bearer hook-token-77aa"
SMTP_USER = "alerts-user"
SMTP_PASSWORD = "smtp-pass-8c1f"

KPI_DDL = """
create schema if not exists kpi;
create table kpi.kpi_values (
  grain varchar, period_start date, period_end date, scope_type varchar, scope_id varchar,
  kpi varchar, value double, numerator double, denominator double, unit varchar,
  is_small_sample boolean, is_mature boolean
);
create table kpi.kpi_tracking (
  grain varchar, period_start date, scope_type varchar, scope_id varchar, kpi varchar,
  kpi_label varchar, direction varchar, target double, actual double, gap double,
  pct_of_target double, status varchar, corrective_action varchar, is_headline boolean
);
"""


def weeks(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(count)]


class Warehouse:
    """A temporary DuckDB warehouse holding synthetic kpi tables."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = duckdb.connect(str(path))
        self.con.execute(KPI_DDL)

    def add_series(self, kpi: str, grain: str, scope_type: str, scope_id: str,
                   points: Sequence[tuple[date, float | None, float | None]], unit: str = "ratio",
                   is_mature: bool = True) -> None:
        """Rows of kpi.kpi_values: (period_start, value, denominator) per period."""
        self.con.executemany(
            "insert into kpi.kpi_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (grain, start, period_end(grain, start), scope_type, scope_id, kpi, value,
                 None if value is None or denominator is None else value * denominator,
                 denominator, unit, denominator is not None and denominator < 30, is_mature)
                for start, value, denominator in points
            ],
        )

    def add_tracking(self, kpi: str, grain: str, scope_type: str, scope_id: str, start: date,
                     target: float, actual: float, status: str,
                     direction: str = "higher_is_better") -> None:
        self.con.execute(
            "insert into kpi.kpi_tracking values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [grain, start, scope_type, scope_id, kpi, kpi, direction, target, actual,
             actual - target, actual / target, status, "act", True],
        )

    def alert_rows(self) -> list[dict[str, Any]]:
        cursor = self.con.execute("select * from ops.alert_events order by created_at")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class HttpReceiver:
    """What the local HTTP server received. Paths starting with /fail answer 500 and echo the
    request path in the body (as some servers do); everything else answers 200 `ok`."""

    base_url: str
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def bodies(self, prefix: str) -> list[Any]:
        return [r.body for r in self.requests if r.path.startswith(prefix)]


@dataclass
class SmtpReceiver:
    """What the local SMTP server received; it accepts the login SMTP_USER / SMTP_PASSWORD."""

    host: str
    port: int
    messages: list[tuple[Envelope, Message]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
