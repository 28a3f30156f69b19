"""Run connectors into the warehouse and record every run in `ops`.

One dlt pipeline per source (`revops_<source>`, DuckDB destination, dataset `raw_<source>`). dlt keeps
the cursors in its state, committed in the same load as the data, so a crash never moves a cursor past
data that did not land; each merge is applied in one transaction, so a failed load (a full disk)
leaves each table at its previous or its new content, never half merged, and the next sync lands the
pending load before reading the source again. After each load the runner writes `ops.sync_runs` and
`ops.reconciliation` (what the source says it has, read while the rows are written, against what the
warehouse holds) and refreshes `ops.rejected_records`. One source failing never stops the others."""

from __future__ import annotations

import errno
import importlib
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402

from connectors.common.errors import BudgetExhausted, ConnectorError  # noqa: E402
from connectors.common.records import REJECTED_TABLE  # noqa: E402

CRMS = ("salesforce", "hubspot", "pipedrive")

OPS_DDL = [
    "create schema if not exists ops",
    """create table if not exists ops.sync_runs (
        run_id varchar, source varchar, object varchar, mode varchar, started_at timestamptz,
        finished_at timestamptz, rows bigint, requests bigint, rejected bigint, outcome varchar,
        message varchar)""",
    """create table if not exists ops.reconciliation (
        run_id varchar, source varchar, object varchar, checked_at timestamptz, source_count bigint,
        warehouse_count bigint, difference bigint, status varchar)""",
    """create table if not exists ops.check_results (
        checked_at timestamptz, check_name varchar, asset varchar, passed boolean, severity varchar,
        description varchar, metadata varchar)""",
]


@dataclass
class SyncResult:
    """What one source's sync did, in numbers and in words."""

    source: str
    mode: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    outcome: str = "success"  # success, partial (budget stop), failed
    message: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    reconciliation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"

    @property
    def reconciled(self) -> bool:
        return all(r["status"] == "ok" for r in self.reconciliation)

    @property
    def seconds(self) -> float:
        end = self.finished_at or datetime.now(UTC)
        return (end - self.started_at).total_seconds()


def connector_module(name: str) -> Any:
    """The connector package of a CRM (`connectors.salesforce`, …)."""
    if name not in CRMS:
        raise ValueError(f"unknown source {name!r}; allowed: {', '.join(CRMS)}")
    return importlib.import_module(f"connectors.{name}")


def warehouse_destination(warehouse_path: Path) -> dlt.destinations.duckdb:
    """The DuckDB destination of every pipeline, with each SQL load job in one transaction.

    dlt applies a merge as a follow-up SQL job (delete the keys being loaded, then insert the new
    versions from the staging dataset). Its DuckDB destination does not declare transaction support,
    so that job runs in autocommit: each statement commits on its own, and a commit that fails (a
    full disk) between the two leaves the delete applied without the insert, so those records are
    missing from the warehouse until a later run re-applies the job. Declaring the support makes dlt
    wrap the job in BEGIN ... COMMIT, and DuckDB rolls the whole merge back when the commit fails.

    Replaced tables (the input files) go through the staging dataset for the same reason: the
    default strategy empties the table before inserting, in separate commits."""
    return dlt.destinations.duckdb(str(warehouse_path), supports_transactions=True,
                                   replace_strategy="insert-from-staging")


# Sources whose tables load from Arrow pages but were first loaded from dicts, which gave them dlt's
# `_dlt_load_id` and `_dlt_id` columns (NOT NULL): their Arrow pages get the same columns, so the
# tables keep one shape whichever way a row came in.
ARROW_WITH_DLT_COLUMNS = frozenset({"hubspot"})


def _arrow_with_dlt_columns(pipeline_name: str) -> None:
    """Have dlt add `_dlt_load_id` and `_dlt_id` to the Arrow pages of this pipeline only (dlt reads
    pipeline-scoped settings from `<PIPELINE>__<SECTION>__...` variables; an operator's own wins)."""
    prefix = f"{pipeline_name.upper()}__NORMALIZE__PARQUET_NORMALIZER__"
    for setting in ("ADD_DLT_LOAD_ID", "ADD_DLT_ID"):
        os.environ.setdefault(prefix + setting, "true")


def make_pipeline(name: str, warehouse_path: Path, pipelines_dir: Path) -> dlt.Pipeline:
    """The dlt pipeline of one source (`revops_<name>` into dataset `raw_<name>`, or `raw_inputs`)."""
    dataset = "raw_inputs" if name == "inputs" else f"raw_{name}"
    if name in ARROW_WITH_DLT_COLUMNS:
        _arrow_with_dlt_columns(f"revops_{name}")
    options: dict[str, Any] = {"progress": "log"} if os.environ.get("REVOPS_DLT_PROGRESS") else {}
    pipeline: dlt.Pipeline = dlt.pipeline(
        pipeline_name=f"revops_{name}",
        destination=warehouse_destination(warehouse_path),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir),
        **options,
    )
    return pipeline


@dataclass
class Landed:
    """What `run_pipeline` landed: rows per table, and what ran beside the load (its value or error)."""

    rows: dict[str, int] = field(default_factory=dict)
    during_load: Any = None
    during_load_error: Exception | None = None


def run_pipeline(pipeline: dlt.Pipeline, data: Any, *,
                 while_loading: Callable[[], Any] | None = None) -> Landed:
    """Land what an earlier, interrupted run had already fetched, then extract, normalize and load
    `data`; `while_loading` runs in a thread beside the normalize and load steps.

    A run that failed after extracting (a full disk, a crash during the load) leaves its load package
    pending, with the cursors that go with it. `Pipeline.run` would finish that package and return
    without reading `data` at all, so the sync after a failure would not bring the warehouse up to
    date; finishing the package first and then running the source does. `while_loading` is for work
    that needs the source's answers but not the warehouse (the reconciliation's counts): the API is
    idle while the rows are written, so it costs no time."""
    # restores the state from the warehouse if the pipelines folder lost it, lands a pending package
    pipeline.run()
    pipeline.extract(data)
    landed = Landed()
    pool: ThreadPoolExecutor | None = None
    beside: Future[Any] | None = None
    if while_loading is not None:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="revops-beside-load")
        beside = pool.submit(while_loading)
    try:
        info = pipeline.normalize()
        pipeline.load()
    finally:
        if pool is not None and beside is not None:
            try:
                landed.during_load = beside.result()
            except Exception as exc:  # noqa: BLE001 - the caller decides whether it matters
                landed.during_load_error = exc
            pool.shutdown()
    counts = dict(info.row_counts) if info is not None else {}
    landed.rows = {k: int(v) for k, v in counts.items() if not k.startswith("_dlt")}
    return landed


def ensure_ops(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in OPS_DDL:
        con.execute(ddl)
    refresh_rejected_view(con)


def refresh_rejected_view(con: duckdb.DuckDBPyConnection) -> None:
    """`ops.rejected_records`: the union of every raw dataset's `_rejected_records`."""
    con.execute("create schema if not exists ops")
    tables = con.execute(
        "select table_schema from information_schema.tables where table_name = ? and table_schema like 'raw_%'",
        [REJECTED_TABLE],
    ).fetchall()
    parts = [
        f"select source, object, record_id, reason, payload, rejected_at, '{s}' as dataset from {s}.{REJECTED_TABLE}"
        for (s,) in tables
    ]
    if not parts:
        parts = ["select null::varchar as source, null::varchar as object, null::varchar as record_id, "
                 "null::varchar as reason, null::varchar as payload, null::timestamptz as rejected_at, "
                 "null::varchar as dataset where false"]
    con.execute("create or replace view ops.rejected_records as " + " union all ".join(parts))


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table]).fetchone()[0])  # type: ignore[index]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table]).fetchall()}


def warehouse_count(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int | None:
    """Rows not flagged deleted in a raw table (None when the table does not exist)."""
    if not _table_exists(con, schema, table):
        return None
    where = "where not coalesce(is_deleted, false)" if "is_deleted" in _columns(con, schema, table) else ""
    return int(con.execute(f'select count(*) from {schema}."{table}" {where}').fetchone()[0])  # type: ignore[index]


def record_result(warehouse_path: Path, result: SyncResult) -> None:
    """Append the run to ops.sync_runs and ops.reconciliation."""
    with duckdb.connect(str(warehouse_path)) as con:
        ensure_ops(con)
        objects = sorted(set(result.rows) | set(result.rejected)) or ["*"]
        for obj in objects:
            con.execute(
                "insert into ops.sync_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [result.run_id, result.source, obj, result.mode, result.started_at, result.finished_at,
                 result.rows.get(obj, 0), result.requests if obj == objects[0] else 0,
                 result.rejected.get(obj, 0), result.outcome, result.message],
            )
        for rec in result.reconciliation:
            con.execute(
                "insert into ops.reconciliation values (?, ?, ?, ?, ?, ?, ?, ?)",
                [result.run_id, result.source, rec["object"], rec["checked_at"], rec["source_count"],
                 rec["warehouse_count"], rec["difference"], rec["status"]],
            )


def _rejected_counts(con: duckdb.DuckDBPyConnection, schema: str, run_started: datetime) -> dict[str, int]:
    if not _table_exists(con, schema, REJECTED_TABLE):
        return {}
    rows = con.execute(
        f"select object, count(*) from {schema}.{REJECTED_TABLE} where rejected_at >= ? group by 1",
        [run_started]).fetchall()
    return {str(o): int(n) for o, n in rows}


def sync_crm(
    name: str,
    env: Mapping[str, str],
    warehouse_path: Path,
    pipelines_dir: Path,
    *,
    objects: Sequence[str] | None = None,
    full_refresh: bool = False,
    overlap: timedelta = timedelta(minutes=10),
    client_factory: Callable[[Any], Any] | None = None,
) -> SyncResult:
    """Sync one CRM: load, then reconcile; never raises for connector failures (see `outcome`)."""
    result = SyncResult(source=name, mode="full" if full_refresh else "incremental")
    client = None
    try:
        warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        module = connector_module(name)
        settings = module.Settings.from_env(env)
        client = client_factory(settings) if client_factory else module.Client(settings)
        pipeline = make_pipeline(name, warehouse_path, pipelines_dir)
        src = module.source(client, objects=objects, full_refresh=full_refresh, overlap=overlap)
        landed = Landed()
        try:
            # the source's counts are read while the rows are written (after the last page was read)
            landed = run_pipeline(pipeline, src, while_loading=lambda: module.source_counts(client, objects))
        except Exception as exc:  # dlt wraps resource errors; unwrap ours
            inner = _unwrap(exc)
            if isinstance(inner, BudgetExhausted):
                result.outcome = "partial"
                result.message = str(inner)
            else:
                raise inner from None
        result.rows = landed.rows
        with duckdb.connect(str(warehouse_path)) as con:
            ensure_ops(con)
            result.rejected = _rejected_counts(con, f"raw_{name}", result.started_at)
        if getattr(client, "budget_exhausted", None):
            # the connector stopped cleanly: what it fetched landed with its cursors; the rest waits
            result.outcome = "partial"
            result.message = (f"{name}: stopped before exhausting the daily API budget "
                              f"({client.budget_exhausted}); the next sync continues from the saved cursors")
        unavailable = getattr(client, "unavailable", None)
        if unavailable:
            note = f"not available to this user or org: {', '.join(sorted(unavailable))}"
            result.message = f"{result.message}; {note}" if result.message else note
        if result.outcome == "success":
            if landed.during_load_error is not None:
                raise landed.during_load_error
            result.reconciliation = reconcile(name, module, client, warehouse_path, objects,
                                              counts=landed.during_load)
    except Exception as exc:
        result.outcome = "failed"
        result.message = _explain(name, exc, warehouse_path, pipelines_dir)
    finally:
        result.finished_at = datetime.now(UTC)
        if client is not None:
            result.requests = int(getattr(client, "request_count", 0))
    _record_or_explain(warehouse_path, pipelines_dir, result)
    return result


def _record_or_explain(warehouse_path: Path, pipelines_dir: Path, result: SyncResult) -> None:
    """`record_result`; when the warehouse cannot take even that (locked, full, read-only), the run
    is reported as failed with the reason instead of raising, so the caller's other sources go on."""
    try:
        record_result(warehouse_path, result)
    except Exception as exc:  # noqa: BLE001 - turned into the run's outcome and message
        why = _explain(result.source, exc, warehouse_path, pipelines_dir, step="record")
        if result.outcome == "failed":
            fault = _storage_fault(exc)
            said = fault is not None and _SAID[fault[0]] in result.message  # the same cause, told already
            result.message += " The run could not be recorded in ops.sync_runs either" + (
                "." if said else f": {why}")
        else:
            result.outcome = "failed"
            result.message = (f"{why} (The load itself had finished; only its record in ops.sync_runs and "
                              "ops.reconciliation is missing.)")


def reconcile(name: str, module: Any, client: Any, warehouse_path: Path,
              objects: Sequence[str] | None, counts: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Compare the source's own counts (read now unless given) with the warehouse's, per object."""
    if counts is None:
        counts = module.source_counts(client, objects)
    checked_at = datetime.now(UTC)
    out = []
    with duckdb.connect(str(warehouse_path)) as con:
        for obj, source_count in sorted(counts.items()):
            wh = warehouse_count(con, f"raw_{name}", obj)
            wh_count = 0 if wh is None else wh
            diff = wh_count - int(source_count)
            out.append({"object": obj, "checked_at": checked_at, "source_count": int(source_count),
                        "warehouse_count": wh_count, "difference": diff,
                        "status": "ok" if diff == 0 else "mismatch"})
    return out


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what lies under it: causes, contexts and the exception dlt's step errors carry."""
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(out) < 12 and all(cur is not e for e in out):
        out.append(cur)
        wrapped = getattr(cur, "exception", None)
        cur = cur.__cause__ or (wrapped if isinstance(wrapped, BaseException) else None) or cur.__context__
    return out


def _unwrap(exc: BaseException) -> BaseException:
    """dlt wraps exceptions raised inside resources; find the connector error underneath."""
    for cur in _chain(exc):
        if isinstance(cur, ConnectorError):
            return cur
    return exc


# What a warehouse or working folder that cannot be written looks like, as an errno or in the text
# of DuckDB's and dlt's errors (which carry no errno): (kind, errno, text).
_STORAGE_FAULTS: list[tuple[str, int | None, str]] = [
    ("disk full", errno.ENOSPC, "No space left on device"),
    ("disk full", errno.EDQUOT, "Disk quota exceeded"),
    ("read-only", errno.EROFS, "Read-only file system"),
    ("locked", None, "Could not set lock on file"),
    ("locked", None, "Conflicting lock"),
    ("no permission", errno.EACCES, "Permission denied"),
]
_QUOTED_FILE = re.compile(r'file "([^"]+)"')
# how `_explain` words each kind, to tell whether a message already gives that cause
_SAID = {"disk full": "no space left on the disk", "read-only": "on a read-only file system",
         "locked": "is locked by another program", "no permission": "no permission to use"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def _storage_fault(exc: BaseException) -> tuple[str, str, str | None] | None:
    """(kind, detail, path) when the failure is storage that cannot be written, else None; `detail`
    is the lowest-level message that says so, `path` the file it names (when it names one)."""
    for cur in reversed(_chain(exc)):  # the innermost error says it most plainly
        code = getattr(cur, "errno", None)
        text = str(cur)
        for kind, number, marker in _STORAGE_FAULTS:
            if (number is not None and code == number) or marker in text:
                line = next((ln.strip() for ln in text.splitlines() if marker in ln), _first_line(cur))
                found = _QUOTED_FILE.search(text)
                path = getattr(cur, "filename", None) or (found.group(1) if found else None)
                return kind, line[:300], None if path is None else str(path)
    return None


def _where(step: str | None, path: str | None, warehouse_path: Path, pipelines_dir: Path) -> str:
    """The place a storage fault hit: the file it names, else what the failing step writes."""
    if path:
        return path
    if step in ("extract", "normalize"):
        return f"the pipelines folder {pipelines_dir}"
    if step in ("sync", "load", "record"):
        return f"the warehouse {warehouse_path}"
    return f"the warehouse {warehouse_path} or the pipelines folder {pipelines_dir}"


def _explain(name: str, exc: BaseException, warehouse_path: Path | None = None,
             pipelines_dir: Path | None = None, *, step: str | None = None) -> str:
    """The failed run's message for operators: what failed, where, and what to do next."""
    inner = _unwrap(exc)
    if isinstance(inner, ConnectorError):
        return str(inner)
    again = f"run `revops sync --source {name}` again"
    chain = _chain(exc)
    steps = [getattr(e, "step", None) for e in chain]  # dlt's PipelineStepFailed names its step
    step = step or next((str(s) for s in steps if s), None)
    fault = _storage_fault(exc) if warehouse_path is not None and pipelines_dir is not None else None
    if fault is not None and warehouse_path is not None and pipelines_dir is not None:
        kind, detail, path = fault
        place = _where(step, path, warehouse_path, pipelines_dir)
        then = f"then {again}: it resumes from the last committed load"
        if kind == "locked":
            return (f"{name}: sync failed: the warehouse {warehouse_path} is locked by another program "
                    f"({detail}). Close that program (a DuckDB shell, a notebook or a BI tool holding the "
                    f"file open) or wait for it to finish, {then}.")
        if kind == "disk full":
            return (f"{name}: sync failed: no space left on the disk holding {place} ({detail}). Free space "
                    "on that disk (or move the folder: warehouse.path and warehouse.data_dir in revops.yml), "
                    f"{then}.")
        if kind == "read-only":
            return (f"{name}: sync failed: {place} is on a read-only file system ({detail}). Remount it "
                    "read-write or point warehouse.path / warehouse.data_dir in revops.yml at a writable "
                    f"folder, {then}.")
        return (f"{name}: sync failed: no permission to use {place} ({detail}). Give the user running revops "
                f"read and write access to it, {then}.")
    root = next((e for e in reversed(chain) if str(e).strip()), chain[-1])
    pipes = [getattr(e, "pipe_name", None) for e in chain]  # dlt's resource errors name the resource
    pipe = next((str(p) for p in pipes if p), None)
    during = f" while loading {pipe}" if pipe else (f" at the {step} step" if step else "")
    return (f"{name}: sync failed{during} ({type(root).__name__}: {_first_line(root)[:400]}). Nothing past "
            f"the last committed load was recorded; {again}, and `revops doctor` if it persists")


def sync_files(folder: Path, warehouse_path: Path, pipelines_dir: Path) -> SyncResult:
    """Load the input CSV files into raw_inputs."""
    from connectors.files import InputFileError
    from connectors.files import source as files_source

    result = SyncResult(source="files", mode="full")
    try:
        warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        pipeline = make_pipeline("inputs", warehouse_path, pipelines_dir)
        result.rows = run_pipeline(pipeline, files_source(folder)).rows
        with duckdb.connect(str(warehouse_path)) as con:
            ensure_ops(con)
            result.rejected = _rejected_counts(con, "raw_inputs", result.started_at)
    except Exception as exc:
        result.outcome = "failed"
        bad_file = next((e for e in _chain(exc) if isinstance(e, InputFileError)), None)
        result.message = (f"files: {bad_file}" if bad_file is not None
                          else _explain("files", exc, warehouse_path, pipelines_dir))
    result.finished_at = datetime.now(UTC)
    _record_or_explain(warehouse_path, pipelines_dir, result)
    return result


def write_config_tables(warehouse_path: Path, tables: Mapping[str, list[dict[str, Any]]]) -> None:
    """Replace `raw_inputs.config_*` tables (stage mapping, targets, actions, settings) in one transaction."""
    import pandas as pd

    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute("create schema if not exists raw_inputs")
        con.execute("begin")
        for name, rows in tables.items():
            frame = pd.DataFrame(rows)  # noqa: F841 - referenced by name in SQL
            if rows:
                con.execute(f"create or replace table raw_inputs.{name} as select * from frame")
        con.execute("commit")


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0
