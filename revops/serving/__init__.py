"""Serving: a read-only copy of the public schemas for BI tools, and Parquet exports with a manifest.

DuckDB allows one writer or many readers, so BI tools cannot read the working warehouse while a sync
or a build holds it. After each successful build the public schemas (marts, kpi, forecast,
team_health) are copied into a new file that replaces the serving copy with an atomic rename: a reader
never sees a half-written file, and a reader that opened the previous copy keeps reading it until it
closes. Parquet exports are written to a new versioned folder and `manifest.json` is swapped last."""

from revops.serving.publish import PUBLIC_SCHEMAS, publish

__all__ = ["PUBLIC_SCHEMAS", "publish"]
