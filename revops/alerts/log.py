"""`ops.alert_events`: the append-only log of every alert, sent or not, and the alerting state.

The state of a condition is derived from the log alone: a condition is open when its latest
announced `firing` or `resolved` row is a `firing` one. A row is announced when a channel accepted
it or when it had no channel to go to (record-only). Rows whose every channel failed do not count,
so the next evaluation tries again; `ongoing` and `suppressed` rows never change the state.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path

import duckdb

from revops.alerts.events import AlertEvent, ConditionKey

TABLE = "ops.alert_events"

# Contract columns first (docs/warehouse.md), then the ones this package adds.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("alert_id", "varchar"),
    ("rule", "varchar"),
    ("kpi", "varchar"),
    ("scope_type", "varchar"),
    ("scope_id", "varchar"),
    ("kind", "varchar"),
    ("state", "varchar"),
    ("value", "double"),
    ("expected_low", "double"),
    ("expected_high", "double"),
    ("score", "double"),
    ("target", "double"),
    ("gap", "double"),
    ("since", "date"),
    ("message", "varchar"),
    ("channels", "varchar"),
    ("sent", "boolean"),
    ("suppressed_reason", "varchar"),
    ("created_at", "timestamp"),
    ("title", "varchar"),
    ("grain", "varchar"),
    ("period_start", "date"),
    ("unit", "varchar"),
    ("drilldown_sql", "varchar"),
    ("link", "varchar"),
    ("delivery_errors", "varchar"),
)


@dataclass(frozen=True)
class OpenCondition:
    """A breach that was announced and has not been announced as resolved."""

    alert_id: str
    since: date | None
    created_at: object


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `ops.alert_events` if missing, and add any column an older table lacks."""
    con.execute("create schema if not exists ops")
    columns = ",\n  ".join(f"{name} {kind}" for name, kind in COLUMNS)
    con.execute(f"create table if not exists {TABLE} (\n  {columns}\n)")
    for name, kind in COLUMNS:
        con.execute(f"alter table {TABLE} add column if not exists {name} {kind}")


def _table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'ops' "
        "and table_name = 'alert_events'"
    ).fetchone()
    return bool(row and row[0])


def append(con: duckdb.DuckDBPyConnection, events: Iterable[AlertEvent]) -> None:
    """Append events to the log (call `ensure_table` once before)."""
    rows = [
        tuple(",".join(e.channels) if name == "channels" else getattr(e, name) for name, _ in COLUMNS)
        for e in events
    ]
    if not rows:
        return
    names = ", ".join(name for name, _ in COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    con.executemany(f"insert into {TABLE} ({names}) values ({marks})", rows)


def spool(path: Path, events: Iterable[AlertEvent]) -> None:
    """Keep events that could not be logged (the warehouse was locked or unwritable) in a JSON-lines
    file beside it; `flush_spool` moves them into the log at the next chance."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for event in events:
            fh.write(json.dumps(asdict(event), default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _event_from(row: dict[str, object]) -> AlertEvent:
    known = {f.name: f for f in fields(AlertEvent)}
    values = {k: v for k, v in row.items() if k in known}
    if isinstance(values.get("channels"), list):
        values["channels"] = tuple(values["channels"])  # type: ignore[arg-type]
    for name in ("since", "period_start"):
        if isinstance(values.get(name), str):
            values[name] = date.fromisoformat(values[name])  # type: ignore[arg-type]
    if isinstance(values.get("created_at"), str):
        values["created_at"] = datetime.fromisoformat(values["created_at"])  # type: ignore[arg-type]
    return AlertEvent(**values)  # type: ignore[arg-type]


def flush_spool(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Append the spooled events to the log (skipping any already there) and remove the spool; returns
    how many were added. A line that is not an event (a torn write) is kept in `<spool>.rejected`."""
    if not path.exists():
        return 0
    events, bad = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            events.append(_event_from(json.loads(line)))
        except (ValueError, TypeError):
            bad.append(line)
    ensure_table(con)
    have = {r[0] for r in con.execute(f"select alert_id from {TABLE} where kind = 'ops'").fetchall()}
    new = [e for e in events if e.alert_id not in have]
    append(con, new)
    if bad:
        with path.with_name(path.name + ".rejected").open("a", encoding="utf-8") as fh:
            fh.write("\n".join(bad) + "\n")
    path.unlink()
    return len(new)


def open_conditions(con: duckdb.DuckDBPyConnection) -> dict[ConditionKey, OpenCondition]:
    """Conditions whose latest announced firing/resolved row is `firing`."""
    if not _table_exists(con):
        return {}
    rows = con.execute(
        f"""
        select rule, coalesce(kpi, ''), coalesce(scope_type, ''), coalesce(scope_id, ''), kind,
               state, alert_id, since, created_at
        from {TABLE}
        where kind in ('target', 'drift') and state in ('firing', 'resolved')
          and (sent or coalesce(channels, '') = '')
        qualify row_number() over (
            partition by rule, kpi, scope_type, scope_id, kind order by created_at desc
        ) = 1
        """
    ).fetchall()
    return {
        (r[0], r[1], r[2], r[3], r[4]): OpenCondition(alert_id=r[6], since=r[7], created_at=r[8])
        for r in rows
        if r[5] == "firing"
    }
