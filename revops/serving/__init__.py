"""Serving: a read-only copy of the public schemas for BI tools and the reports, and Parquet exports with
a manifest.

DuckDB allows one writer or many readers, so BI tools cannot read the working warehouse while a sync
or a build holds it. After each successful build the public schemas (marts, kpi, forecast,
team_health) are copied into a new file that replaces the serving copy with an atomic rename: a reader
never sees a half-written file, and a reader that opened the previous copy keeps reading it until it
closes. The copy also holds `meta.published` (when, from which file) and `meta.forecast_history` (the
forecast of every as-of date published so far). Parquet exports are written to a new versioned folder
from the new copy before it is swapped in, and `manifest.json` is swapped last.

Entry point: `publish(warehouse, serving_path, exports_dir)`. How BI tools connect: docs/serving.md."""

from revops.serving.history import QUALIFIED as FORECAST_HISTORY_TABLE
from revops.serving.publish import META_SCHEMA, PUBLIC_SCHEMAS, publish

__all__ = ["FORECAST_HISTORY_TABLE", "META_SCHEMA", "PUBLIC_SCHEMAS", "publish"]
