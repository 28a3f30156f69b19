"""The forecast history kept in the serving copy: `meta.forecast_history`.

The forecast marts hold only the latest forecast (each build replaces them), so nothing in the working
warehouse says what the forecast was last week. Each publication therefore carries the history of the
previous serving copy forward and adds the forecast it publishes: one row per as-of date, grain, period,
scope and method, with the recommended number of `forecast.forecast_summary` stored as method
`recommended`. An as-of date is written whole by one publication: publishing the same as-of date again
replaces its rows, so re-running a publication never duplicates the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

TABLE = "forecast_history"
QUALIFIED = f"meta.{TABLE}"
RECOMMENDED = "recommended"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("as_of_date", "DATE"),
    ("grain", "VARCHAR"),
    ("period_start", "DATE"),
    ("scope_type", "VARCHAR"),
    ("scope_id", "VARCHAR"),
    ("method", "VARCHAR"),
    ("forecast", "DOUBLE"),
    ("p10", "DOUBLE"),
    ("p50", "DOUBLE"),
    ("p90", "DOUBLE"),
    ("closed_won_to_date", "DOUBLE"),
    ("open_pipeline", "DOUBLE"),
    ("published_at", "TIMESTAMPTZ"),
)
KEY = ("as_of_date", "grain", "period_start", "scope_type", "scope_id", "method")
# Columns a forecast table must have for its rows to be kept; the others are NULL when absent.
NEEDED_FORECASTS = ("as_of_date", "grain", "period_start", "scope_type", "scope_id", "method", "forecast")
NEEDED_SUMMARY = ("grain", "period_start", "scope_type", "scope_id", "recommended")


@dataclass
class HistoryResult:
    """What a publication did to the forecast history."""

    rows: int = 0
    as_of_dates: int = 0
    trimmed_rows: int = 0  # rows older than the retention, dropped by this publication
    trimmed_before: str | None = None  # the first as-of date kept, when something was dropped
    published_as_of: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sql_string(value: str | Path) -> str:
    """A SQL string literal (paths may contain quotes)."""
    return "'" + str(value).replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ?",
        [catalog, schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def _pick(name: str, have: set[str], typ: str, alias: str | None = None) -> str:
    source = alias or name
    return f"cast({source} as {typ}) as {name}" if source in have else f"cast(null as {typ}) as {name}"


def quoted(identifier: str) -> str:
    """A SQL identifier in double quotes (catalog names come from file names)."""
    return '"' + identifier.replace('"', '""') + '"'


def forecast_rows_sql(
    con: duckdb.DuckDBPyConnection, catalog: str, published_at: str
) -> tuple[str | None, list[str]]:
    """A SELECT of history rows from the forecast tables of `catalog` (None when it has none usable),
    and why tables were left out. `published_at` is a SQL expression."""
    parts: list[str] = []
    notes: list[str] = []
    db = quoted(catalog)
    forecasts = _columns(con, catalog, "forecast", "period_forecasts")
    missing = [c for c in NEEDED_FORECASTS if c not in forecasts]
    if forecasts and missing:
        notes.append(f"forecast.period_forecasts lacks column(s) {', '.join(missing)}")
    usable_forecasts = bool(forecasts) and not missing
    if usable_forecasts:
        cols = [_pick(n, forecasts, t) for n, t in COLUMNS if n != "published_at"]
        parts.append(
            f"select {', '.join(cols)}, {published_at} as published_at "
            f"from {db}.forecast.period_forecasts where as_of_date is not null"
        )
    summary = _columns(con, catalog, "forecast", "forecast_summary")
    missing = [c for c in NEEDED_SUMMARY if c not in summary]
    if summary and missing:
        notes.append(f"forecast.forecast_summary lacks column(s) {', '.join(missing)}")
    elif summary and "as_of_date" not in summary and not usable_forecasts:
        notes.append(
            "forecast.forecast_summary has no as_of_date and no forecast.period_forecasts to date it by"
        )
    elif summary:
        # Without its own as_of_date the summary describes the latest forecast (the documented contract).
        as_of = (
            "cast(as_of_date as DATE)"
            if "as_of_date" in summary
            else f"(select max(as_of_date) from {db}.forecast.period_forecasts)"
        )
        cols = [
            f"{as_of} as as_of_date",
            *(_pick(n, summary, t) for n, t in COLUMNS[1:5]),
            f"'{RECOMMENDED}' as method",
            "cast(recommended as DOUBLE) as forecast",
            _pick("p10", summary, "DOUBLE"),
            "cast(null as DOUBLE) as p50",
            _pick("p90", summary, "DOUBLE"),
            _pick("closed_won_to_date", summary, "DOUBLE"),
            "cast(null as DOUBLE) as open_pipeline",
            f"{published_at} as published_at",
        ]
        parts.append(
            f"select * from (select {', '.join(cols)} from {db}.forecast.forecast_summary) "
            "where as_of_date is not null"
        )
    return (" union all ".join(parts) if parts else None), notes


def _previous_history_sql(con: duckdb.DuckDBPyConnection) -> tuple[str | None, list[str]]:
    have = _columns(con, "prev", "meta", TABLE)
    if not have:
        return None, []
    missing = [n for n, _ in COLUMNS if n not in have]
    if missing:
        return None, [
            f"the previous {QUALIFIED} lacks column(s) {', '.join(missing)}; it was not carried forward"
        ]
    cols = ", ".join(f"cast({n} as {t}) as {n}" for n, t in COLUMNS)
    return f"select {cols} from prev.meta.{TABLE}", []


def _previous_published_at(con: duckdb.DuckDBPyConnection) -> str:
    if "published_at" in _columns(con, "prev", "meta", "published"):
        return "(select max(published_at) from prev.meta.published)"
    return "cast(null as TIMESTAMPTZ)"


def write_history(
    con: duckdb.DuckDBPyConnection, previous: Path | None, published_at: datetime, keep_days: int = 0
) -> HistoryResult:
    """Create `meta.forecast_history` in the database of `con` (the new serving copy, whose forecast
    tables are already copied) from the previous serving copy's history, the previous copy's own
    forecast (so a copy published before the history existed still counts) and the new forecast.
    For each as-of date the rows come from the newest of the three that has it. With `keep_days`, as-of
    dates more than that many days before the newest one are dropped (counted in `trimmed_rows`); the
    retention is measured from the data, not the clock, so a history replayed later keeps the same rows."""
    result = HistoryResult()
    ddl = ", ".join(f"{n} {t}" for n, t in COLUMNS)
    con.execute("create schema if not exists meta")
    con.execute(f"create table {QUALIFIED} ({ddl})")
    (catalog,) = con.execute("select current_database()").fetchone()  # type: ignore[misc]
    stamp = f"cast('{published_at.isoformat()}' as TIMESTAMPTZ)"
    current, notes = forecast_rows_sql(con, str(catalog), stamp)
    result.warnings += [f"this publication: {n}; its forecast is not in the history" for n in notes]
    sources: list[tuple[str, int]] = []
    attached = False
    if previous is not None and previous.exists():
        try:
            # ATTACH reads the file itself; duckdb.connect(path) could hand back a database this process
            # opened before the file was replaced.
            con.execute(f"attach {sql_string(previous)} as prev (read_only)")
            attached = True
        except duckdb.Error as exc:
            result.warnings.append(
                f"the previous serving copy {previous} could not be read ({str(exc).splitlines()[0]}); the "
                "forecast history starts again from this publication"
            )
    try:
        if attached:
            old, notes = _previous_history_sql(con)
            result.warnings += notes
            if old is not None:
                sources.append((old, 0))
            prev_forecast, _ = forecast_rows_sql(con, "prev", _previous_published_at(con))
            if prev_forecast is not None:
                sources.append((prev_forecast, 1))
        if current is not None:
            sources.append((current, 2))
        if sources:
            union = " union all ".join(f"select *, {p} as priority from ({s})" for s, p in sources)
            names = ", ".join(n for n, _ in COLUMNS)
            con.execute(
                f"insert into {QUALIFIED} with candidates as ({union}), "
                "newest as (select as_of_date, max(priority) as priority from candidates group by as_of_date) "
                f"select {names} from candidates join newest using (as_of_date, priority) "
                f"order by {', '.join(KEY)}"
            )
    finally:
        if attached:
            con.execute("detach prev")
    if keep_days > 0:
        (cutoff,) = con.execute(  # type: ignore[misc]
            f"select max(as_of_date) - cast(? as integer) from {QUALIFIED}", [keep_days]).fetchone()
        if cutoff is not None:
            (old_rows,) = con.execute(  # type: ignore[misc]
                f"select count(*) from {QUALIFIED} where as_of_date < ?", [cutoff]).fetchone()
            if old_rows:
                con.execute(f"delete from {QUALIFIED} where as_of_date < ?", [cutoff])
                result.trimmed_rows, result.trimmed_before = int(old_rows), cutoff.isoformat()
    rows, dates = con.execute(f"select count(*), count(distinct as_of_date) from {QUALIFIED}").fetchone()  # type: ignore[misc]
    result.rows, result.as_of_dates = int(rows), int(dates)
    if current is not None:
        got = con.execute(f"select distinct as_of_date from ({current}) order by 1").fetchall()
        result.published_as_of = [d.isoformat() for (d,) in got]
    return result
