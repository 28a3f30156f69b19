"""Read-only access to the warehouse for the reports, with a named error for tables not built yet.

The reports read the serving copy when one exists (a report run then never waits for, or blocks, a sync
writing the working warehouse) and the working warehouse otherwise; `Origin` says which file was read,
for the page footers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

# What builds each schema, so "table missing" says what to run.
BUILT_BY = {
    "marts": "the dbt build (`revops build`)",
    "kpi": "the dbt build (`revops build`)",
    "forecast": "the forecast marts (`revops build`, forecast step)",
    "team_health": "the team-health marts (`revops build`, team_health step)",
}


class TableMissing(LookupError):
    """A table a report section needs does not exist in the warehouse."""

    def __init__(self, table: str) -> None:
        self.table = table
        builder = BUILT_BY.get(table.split(".")[0], "the build")
        super().__init__(f"table {table} does not exist; it is created by {builder}")


SERVING_COPY = "serving copy"
WORKING_WAREHOUSE = "working warehouse"
ATTACHED_AS = "report_source"


@dataclass(frozen=True)
class Origin:
    """The file a report was read from: the serving copy (with when and from which file it was
    published) or the working warehouse (with why no serving copy was read)."""

    path: Path
    kind: str
    published_at: datetime | None = None
    published_from: str | None = None
    note: str | None = None

    def describe(self) -> str:
        """One sentence for a page footer."""
        if self.kind == SERVING_COPY:
            when = (
                f"{self.published_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
                if self.published_at
                else "at an unknown time"
            )
            source = f" from {self.published_from}" if self.published_from else ""
            return f"read from the serving copy {self.path}, published {when}{source}"
        return f"read from the working warehouse {self.path}" + (f" ({self.note})" if self.note else "")


class Warehouse:
    """A read-only DuckDB connection plus the list of tables it holds and where it was read from."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, name: str = "warehouse", origin: Origin | None = None
    ) -> None:
        self.con = con
        self.name = name
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
        self.tables = {f"{s}.{t}".lower() for s, t in rows}
        self.origin = origin or Origin(path=Path(name), kind=WORKING_WAREHOUSE)

    def has(self, table: str) -> bool:
        """Whether `schema.table` exists."""
        return table.lower() in self.tables

    def require(self, *tables: str) -> None:
        """Raise TableMissing for the first of `tables` that does not exist."""
        for table in tables:
            if not self.has(table):
                raise TableMissing(table)

    def columns(self, table: str) -> set[str]:
        """Column names of `schema.table` (empty when it does not exist)."""
        schema, name = table.split(".", 1)
        rows = self.con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
        return {r[0] for r in rows}

    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run a query and return a DataFrame; DATE (and TIMESTAMP) columns hold `datetime.date` values,
        which is what every report compares and prints."""
        frame = self.con.execute(sql, list(params)).df()
        for col in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = [None if pd.isna(v) else v.date() for v in frame[col]]
        return frame


def as_date(value: Any) -> date | None:
    """A DATE value from DuckDB or pandas as `datetime.date` (None for NULL)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _origin(wh: Warehouse, path: Path, note: str | None) -> Origin:
    """A file holding meta.published is a serving copy (the publication writes that table)."""
    if not wh.has("meta.published"):
        return Origin(path=path, kind=WORKING_WAREHOUSE, note=note)
    cols = wh.columns("meta.published")
    source = "source" if "source" in cols else "cast(null as varchar)"
    got = wh.con.execute(
        f"select published_at, {source} from meta.published order by published_at desc limit 1"
    ).fetchone()
    published_at, source_name = got if got else (None, None)
    if isinstance(published_at, datetime) and published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)
    return Origin(path=path, kind=SERVING_COPY, published_at=published_at, published_from=source_name)


@contextmanager
def open_warehouse(path: Path, *, note: str | None = None) -> Iterator[Warehouse]:
    """Open a warehouse file (working warehouse or serving copy) read-only; the error says what to do
    when it is missing or locked. `note` explains, in the footer, why a working warehouse was read.

    The file is attached to a private in-memory database instead of `duckdb.connect(path)`: DuckDB
    keeps one database per path and process, so a connect after a publication replaced the serving copy
    could return the copy this process opened before."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"reports: warehouse {path} does not exist; run `revops build` first or check "
            "warehouse.path in revops.yml"
        )
    con = duckdb.connect()
    try:
        literal = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"attach {literal} as {ATTACHED_AS} (read_only)")
        con.execute(f"use {ATTACHED_AS}")
    except duckdb.Error as exc:
        con.close()
        raise RuntimeError(
            f"reports: cannot open {path} read-only ({str(exc).splitlines()[0]}); another process is writing "
            "it. Run the reports after the build finishes, or publish the serving copy "
            "(warehouse.serving_path) and read that"
        ) from exc
    try:
        wh = Warehouse(con, path.name)
        wh.origin = _origin(wh, path.resolve(), note)
        yield wh
    finally:
        con.close()


@contextmanager
def open_report_source(warehouse: Path, serving: Path | None = None) -> Iterator[Warehouse]:
    """The serving copy when `serving` is given and exists, else the working warehouse."""
    if serving is not None and Path(serving).exists():
        with open_warehouse(Path(serving)) as wh:
            yield wh
        return
    note = "no serving copy configured" if serving is None else f"no serving copy at {serving} yet"
    with open_warehouse(Path(warehouse), note=note) as wh:
        yield wh
