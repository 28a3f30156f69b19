"""Parquet exports of a serving copy: one file per table in a new version folder, described by
`manifest.json`, which is swapped last so a reader of the manifest always finds the files it lists.

The files are written from the connection that built the new copy, before that copy replaces the old
one: reopening the serving path afterwards could return a database this process already had open (DuckDB
keeps one database per path and process), i.e. the previous copy."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from revops.serving.history import quoted, sql_string

KEEP_EXPORT_VERSIONS = 2
MANIFEST = "manifest.json"


@dataclass
class StagedExport:
    """Parquet files written to their version folder; the manifest not yet swapped in."""

    exports_dir: Path
    folder: Path
    manifest: dict[str, Any]
    manifest_tmp: Path


def stage_exports(
    con: duckdb.DuckDBPyConnection, exports_dir: Path, tables: list[dict[str, Any]], published_at: datetime
) -> StagedExport:
    """Write one Parquet file per table of `tables` (dicts with schema, table, rows, columns) from the
    database of `con` into a new version folder, and the manifest beside it under a temporary name."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    version = published_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    folder = exports_dir / version
    folder.mkdir()
    files = []
    try:
        for t in tables:
            path = folder / f"{t['schema']}.{t['table']}.parquet"
            con.execute(
                f"copy (select * from {quoted(t['schema'])}.{quoted(t['table'])}) to {sql_string(path)} "
                "(format parquet)"
            )
            files.append(
                {
                    "schema": t["schema"],
                    "table": t["table"],
                    "rows": t["rows"],
                    "path": f"{version}/{path.name}",
                    "columns": t["columns"],
                }
            )
        manifest = {"published_at": published_at.isoformat(), "version": version, "files": files}
        tmp = exports_dir / f".manifest.{uuid.uuid4().hex[:8]}.json"
        tmp.write_text(json.dumps(manifest, indent=2))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StagedExport(exports_dir=exports_dir, folder=folder, manifest=manifest, manifest_tmp=tmp)


def commit_exports(staged: StagedExport) -> dict[str, Any]:
    """Swap the manifest in, then remove all but the newest version folders (never the one just listed)."""
    os.replace(staged.manifest_tmp, staged.exports_dir / MANIFEST)
    current = staged.folder.name
    # Version names start with the publication time, so name order is publication order.
    others = sorted(p for p in staged.exports_dir.iterdir() if p.is_dir() and p.name != current)
    for old in others[: max(len(others) - (KEEP_EXPORT_VERSIONS - 1), 0)]:
        shutil.rmtree(old, ignore_errors=True)
    return staged.manifest


def discard_exports(staged: StagedExport) -> None:
    """Remove a staged export whose publication failed."""
    staged.manifest_tmp.unlink(missing_ok=True)
    shutil.rmtree(staged.folder, ignore_errors=True)
