"""Read-only access to the warehouse for the reports, with a named error for tables not built yet."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
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


class Warehouse:
    """A read-only DuckDB connection plus the list of tables it holds."""

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str = "warehouse") -> None:
        self.con = con
        self.name = name
        rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        self.tables = {f"{s}.{t}".lower() for s, t in rows}

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
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
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


@contextmanager
def open_warehouse(path: Path) -> Iterator[Warehouse]:
    """Open the warehouse file read-only; the error says what to do when it is missing or locked."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"reports: warehouse {path} does not exist; run `revops build` first or check "
            "warehouse.path in revops.yml"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise RuntimeError(
            f"reports: cannot open {path} read-only ({exc}); another process is writing it. Run the "
            "reports after the build finishes, or point them at the serving copy (warehouse.serving_path)"
        ) from exc
    try:
        yield Warehouse(con, path.name)
    finally:
        con.close()
