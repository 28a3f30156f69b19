"""The one resource every asset uses (the validated configuration plus the runtime environment), and
the small warehouse look-ups the assets and checks share."""

import contextlib
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg

from revops.config import RevopsConfig, load_config
from revops.pipeline import Runtime, runtime

# DuckDB lets one process write a database file at a time, and a writer locks readers of other
# processes out. Every step that opens the warehouse takes a slot of this pool (limit 1 in dagster.yaml),
# so steps of different runs never collide, however they were launched.
WAREHOUSE_POOL = "warehouse"


class RevopsResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Where `revops.yml` is; credentials come from the environment (or `.env`) at run time."""

    config_path: str = "revops.yml"

    @cached_property
    def config(self) -> RevopsConfig:
        return load_config(self.config_path)

    @contextlib.contextmanager
    def runtime(self, log: Any = None) -> Iterator[Runtime]:
        """A Runtime for one step; the sandbox servers start for the step when the demo needs them
        (no CRM credentials in the environment and a `sandbox:` section in the configuration)."""
        say = getattr(log, "info", None)
        with runtime(self.config, say) as rt:
            yield rt


def warehouse_columns(warehouse: Path, schema: str, table: str) -> list[tuple[str, str]]:
    """(column, type) of a warehouse table, [] when the table or the file does not exist."""
    import duckdb

    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [(str(c), str(t)) for c, t in con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = ? and "
            "table_name = ? order by ordinal_position", [schema, table]).fetchall()]


def last_reconciliation(warehouse: Path, source: str, obj: str) -> dg.AssetCheckResult:
    """The latest reconciliation of `source`.`obj` (ops.reconciliation) as a check result.

    It fails when the counts differ, or when the source's latest sync stopped (failed, or partial for
    the API budget) before reconciling. An object the connector does not count (Pipedrive's deal flow
    would cost one request per deal) passes with a note."""
    import duckdb

    def failed(description: str, **meta: Any) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN, description=description,
                                   metadata=meta)

    if not warehouse.exists():
        return failed(f"no warehouse at {warehouse}: run the {source} sync first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ops'").fetchall()}
        if not {"sync_runs", "reconciliation"} <= tables:
            return failed(f"no {source} sync recorded yet in ops.sync_runs")
        last = con.execute(
            "select run_id, outcome, message, started_at from ops.sync_runs where source = ? "
            "order by started_at desc limit 1", [source]).fetchone()
        row = con.execute(
            "select source_count, warehouse_count, difference, status, checked_at, run_id from ops.reconciliation "
            "where source = ? and object = ? order by checked_at desc limit 1", [source, obj]).fetchone()
    if last is None:
        return failed(f"{source} has not been synced yet")
    run_id, outcome, message, started_at = last
    if outcome != "success" and (row is None or started_at > row[4]):
        return failed(f"the last {source} sync ended {outcome} before reconciling `{obj}`"
                      + (f": {message}" if message else "") + "; the next complete sync reconciles it",
                      sync_run_id=str(run_id))
    if row is None:
        return dg.AssetCheckResult(passed=True, description=f"{source} gives no count for `{obj}`; it is not "
                                                            "reconciled", metadata={"reconciled": False})
    source_count, warehouse_count, difference, status, checked_at, recon_run = row
    meta: dict[str, Any] = {"source_count": int(source_count), "warehouse_count": int(warehouse_count),
                            "difference": int(difference), "checked_at": str(checked_at),
                            "sync_run_id": str(recon_run)}
    if status != "ok":
        return failed(f"{source} reports {source_count} `{obj}` records, the warehouse holds {warehouse_count} "
                      f"({int(difference):+d}); run `revops sync --source {source} --full-refresh` if it "
                      "persists", **meta)
    return dg.AssetCheckResult(passed=True, description="counts match", metadata=meta)
