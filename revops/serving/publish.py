"""Publish the serving copy (public schemas, publication record, forecast history) and its Parquet
exports."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from revops.serving.exports import StagedExport, commit_exports, discard_exports, stage_exports
from revops.serving.history import QUALIFIED as HISTORY_TABLE
from revops.serving.history import quoted, sql_string, write_history

PUBLIC_SCHEMAS = ("marts", "kpi", "forecast", "team_health")
META_SCHEMA = "meta"  # written by the publication itself: meta.published, meta.forecast_history


def _tables_of(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]
) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        f"select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and table_schema in ({placeholders}) order by 1, 2",
        [catalog, *schemas],
    ).fetchall()
    return [(s, t) for s, t in rows]


def _describe(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, Any]:
    rows = con.execute(f"select count(*) from {quoted(schema)}.{quoted(table)}").fetchone()[0]  # type: ignore[index]
    cols = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return {
        "schema": schema,
        "table": table,
        "rows": int(rows),
        "columns": [{"name": c, "type": t} for c, t in cols],
    }


def _copy_public(con: duckdb.DuckDBPyConnection, warehouse: Path) -> list[dict[str, Any]]:
    try:
        con.execute(f"attach {sql_string(warehouse)} as src (read_only)")
    except duckdb.Error as exc:
        raise RuntimeError(
            f"serving: cannot read the working warehouse {warehouse} ({str(exc).splitlines()[0]}); another "
            "process is probably writing it. Publish after the sync or build has finished."
        ) from exc
    try:
        tables = []
        for schema, table in _tables_of(con, "src", PUBLIC_SCHEMAS):
            con.execute(f"create schema if not exists {quoted(schema)}")
            con.execute(
                f"create table {quoted(schema)}.{quoted(table)} as select * from src.{quoted(schema)}.{quoted(table)}"
            )
            tables.append(_describe(con, schema, table))
    finally:
        con.execute("detach src")
    return tables


def publish(warehouse: Path, serving_path: Path, exports_dir: Path | None = None,
            history_days: int = 0) -> dict[str, Any]:
    """Copy the public schemas of `warehouse` into a new file that atomically replaces `serving_path`,
    with `meta.published` (when and from which file) and `meta.forecast_history` (the previous copy's
    history plus this forecast); when `exports_dir` is given, also write the Parquet exports and swap
    their manifest. A failure leaves the previous copy and exports as they were. `history_days` > 0
    drops forecast history older than that many days before the newest as-of date.

    Returns serving_path, published_at, tables (public tables with rows and columns), forecast_history
    (rows, as_of_dates, published_as_of), warnings, and exports (the manifest) when exported."""
    warehouse, serving_path = Path(warehouse), Path(serving_path)
    if not warehouse.exists():
        raise FileNotFoundError(
            f"serving: working warehouse {warehouse} does not exist; run `revops build` first or check "
            "warehouse.path in revops.yml"
        )
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving_path.with_name(f".{serving_path.stem}.{uuid.uuid4().hex[:8]}.tmp.duckdb")
    published_at = datetime.now(UTC)
    staged: StagedExport | None = None
    manifest: dict[str, Any] | None = None
    try:
        # A fresh file name, so DuckDB cannot hand back a database already open in this process.
        with duckdb.connect(str(tmp)) as con:
            tables = _copy_public(con, warehouse)
            con.execute(f"create schema if not exists {META_SCHEMA}")
            con.execute(
                f"create table {META_SCHEMA}.published as select ?::timestamptz as published_at, "
                "? as source, ? as source_path",
                [published_at, warehouse.name, str(warehouse.resolve())],
            )
            history = write_history(con, serving_path, published_at, keep_days=history_days)
            con.execute("checkpoint")
            if exports_dir is not None:
                schema, table = HISTORY_TABLE.split(".")
                staged = stage_exports(
                    con, Path(exports_dir), [*tables, _describe(con, schema, table)], published_at
                )
        os.replace(tmp, serving_path)  # atomic on POSIX: readers see the old or the new file, never half
        if staged is not None:
            manifest = commit_exports(staged)
    except BaseException:
        if staged is not None and manifest is None:
            discard_exports(staged)
        raise
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    out: dict[str, Any] = {
        "serving_path": str(serving_path),
        "published_at": published_at.isoformat(),
        "tables": tables,
        "forecast_history": {
            "rows": history.rows,
            "as_of_dates": history.as_of_dates,
            "published_as_of": history.published_as_of,
            "trimmed_rows": history.trimmed_rows,
            "trimmed_before": history.trimmed_before,
        },
        "warnings": history.warnings,
    }
    if manifest is not None:
        out["exports"] = manifest
    return out
