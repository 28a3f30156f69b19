"""Publish the serving copy and the Parquet exports."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

PUBLIC_SCHEMAS = ("marts", "kpi", "forecast", "team_health")
KEEP_EXPORT_VERSIONS = 2


def _public_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in PUBLIC_SCHEMAS)
    return [(s, t) for s, t in con.execute(
        f"select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and table_schema in ({placeholders}) order by 1, 2",
        [catalog, *PUBLIC_SCHEMAS]).fetchall()]


def publish(warehouse: Path, serving_path: Path, exports_dir: Path | None = None) -> dict[str, Any]:
    """Copy the public schemas to `serving_path` atomically; export Parquet files if `exports_dir`."""
    warehouse, serving_path = Path(warehouse), Path(serving_path)
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving_path.with_name(f".{serving_path.stem}.{uuid.uuid4().hex[:8]}.tmp.duckdb")
    published_at = datetime.now(UTC)
    tables: list[dict[str, Any]] = []
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(f"attach '{warehouse}' as src (read_only)")
            for schema, table in _public_tables(con, "src"):
                con.execute(f"create schema if not exists {schema}")
                con.execute(f'create table {schema}."{table}" as select * from src.{schema}."{table}"')
                rows = con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]  # type: ignore[index]
                cols = con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_catalog = current_database() and table_schema = ? and table_name = ? "
                    "order by ordinal_position", [schema, table]).fetchall()
                tables.append({"schema": schema, "table": table, "rows": int(rows),
                               "columns": [{"name": c, "type": t} for c, t in cols]})
            con.execute("detach src")
            con.execute("create schema if not exists meta")
            con.execute("create table meta.published as select ?::timestamptz as published_at, ? as source",
                        [published_at, str(warehouse.name)])
            con.execute("checkpoint")
        os.replace(tmp, serving_path)  # atomic on POSIX: readers see the old or the new file, never half
    finally:
        if tmp.exists():
            tmp.unlink()
        wal = tmp.with_name(tmp.name + ".wal")
        if wal.exists():
            wal.unlink()
    out: dict[str, Any] = {"serving_path": str(serving_path), "published_at": published_at.isoformat(),
                           "tables": tables}
    if exports_dir is not None:
        out["exports"] = export_parquet(serving_path, Path(exports_dir), tables, published_at)
    return out


def export_parquet(serving_path: Path, exports_dir: Path, tables: list[dict[str, Any]],
                   published_at: datetime) -> dict[str, Any]:
    """Write one Parquet file per public table into a new version folder, then swap the manifest."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    version = published_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    folder = exports_dir / version
    folder.mkdir()
    files = []
    with duckdb.connect(str(serving_path), read_only=True) as con:
        for t in tables:
            path = folder / f"{t['schema']}.{t['table']}.parquet"
            con.execute(f"copy (select * from {t['schema']}.\"{t['table']}\") to '{path}' (format parquet)")
            files.append({"schema": t["schema"], "table": t["table"], "rows": t["rows"],
                          "path": f"{version}/{path.name}", "columns": t["columns"]})
    manifest = {"published_at": published_at.isoformat(), "version": version, "files": files}
    tmp = exports_dir / f".manifest.{uuid.uuid4().hex[:8]}.json"
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, exports_dir / "manifest.json")
    versions = sorted(p for p in exports_dir.iterdir() if p.is_dir())
    for old in versions[:-KEEP_EXPORT_VERSIONS]:
        shutil.rmtree(old, ignore_errors=True)
    return manifest
