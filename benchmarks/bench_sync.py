"""Sync and build benchmark at one sandbox size: for each repeat, a fresh company and warehouse; a full
sync of each CRM (each in a child process, against the sandbox servers with the CRMs' real limits:
HubSpot 190 requests / 10 s and 5 searches / s, Pipedrive 80 / 2 s, Salesforce's daily budget), the
dbt build, one simulated day (`step(world, 1)`), the incremental syncs and the rebuild. Every run is
checked against the sandbox with `sandbox.compare.compare_warehouse`.

Run by `benchmarks/run.py`, one process per repeat (so the company held in memory here does not
inflate what the other benchmarks measure):

    python benchmarks/bench_sync.py '{"size": "small", "folder": "...", "crms": [...], "dbt": true, "check": true}'
"""

from __future__ import annotations

import gc
import json
import math
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.stats import ROOT, run_child  # noqa: E402
from sandbox.compare import compare_warehouse  # noqa: E402
from sandbox.launch import Sandbox, write_inputs  # noqa: E402

# What each API allows (the sandbox enforces the same by default): requests per sliding window.
WINDOWS = {"hubspot": (190, 10.0), "pipedrive": (80, 2.0)}
ALLOWED_RATE = {crm: limit / window for crm, (limit, window) in WINDOWS.items()}  # requests per second
SALESFORCE_DAILY_LIMIT = 15000  # the sandbox org's daily API requests
SEED = 42
# "medium": three copies of the small company's org (about 120 reps), the reduced stand-in for
# "large" (90 copies, about 1M deals: its HubSpot share alone needs ~70k requests, over an hour at
# the enforced 19 requests/s). Registered for the benchmark process only.
MEDIUM_COPIES = 3


def register_medium() -> None:
    from sandbox.generator import settings

    if "medium" not in settings.SIZES:
        small = settings.SIZES["small"]
        settings.SIZES["medium"] = settings.SizeSpec(MEDIUM_COPIES, False, small.deal_rate, small.activity_rate,
                                                     small.funnel_rate, False)


def make_company(size: str) -> tuple[Any, Any, float]:
    from sandbox.generator import generate, render

    register_medium()
    t0 = time.perf_counter()
    world = generate(seed=SEED, size=size)
    dataset = render(world, truth=False)
    return world, dataset, time.perf_counter() - t0


def write_config(folder: Path) -> Path:
    """revops.yml for this run: the repository's, with every path relative to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "revops.yml"
    shutil.copy(ROOT / "revops.yml", path)
    return path


def _server_numbers(server: Any, before: int) -> dict[str, int]:
    with server._log_lock:
        log = server.requests[before:]
    limited = sum(1 for _, _, status in log if status == 429)
    return {"server_requests": len(log), "answered_429": limited, "accepted": len(log) - limited}


def sync_once(crm: str, sb: Sandbox, warehouse: Path, pipelines: Path) -> dict[str, Any]:
    server = sb.servers[crm]
    before = len(server.requests)
    payload = {"crm": crm, "env": sb.env(), "warehouse": str(warehouse), "pipelines": str(pipelines)}
    child = run_child(["benchmarks/children.py", "sync", json.dumps(payload)])
    out = dict(child.output)
    out.update(_server_numbers(server, before))
    out["wall_s"] = child.wall_s
    out["psutil_peak_mb"] = child.psutil_peak_mb
    seconds = out.get("seconds") or child.wall_s
    rows = sum((out.get("rows") or {}).values())
    out["rows_total"] = rows
    out["rows_per_s"] = round(rows / seconds, 1) if seconds else None
    out["requests_per_s"] = round(out["accepted"] / seconds, 2) if seconds else None
    if crm in WINDOWS and seconds:
        # the most a sliding window lets through in `seconds`: a full window's worth per started window
        limit, window = WINDOWS[crm]
        allowed = limit * math.ceil(seconds / window)
        out["share_of_allowed_rate"] = round(out["accepted"] / allowed, 3)
    if crm == "salesforce":
        out["share_of_daily_budget"] = round(out["accepted"] / SALESFORCE_DAILY_LIMIT, 4)
    return out


def sync_concurrently(crms: list[str], sb: Sandbox, warehouse: Path, pipelines: Path) -> dict[str, Any]:
    """The full syncs of all CRMs at once, each into a warehouse file of its own (DuckDB lets one
    process write a file at a time), then merged into `warehouse`. Each CRM still has its own server,
    limits and child process, so its figures are its own; they share the machine's cores."""
    parts = {crm: warehouse.with_name(f"{warehouse.stem}-{crm}.duckdb") for crm in crms}
    with ThreadPoolExecutor(len(crms)) as pool:
        futures = {crm: pool.submit(sync_once, crm, sb, parts[crm], pipelines) for crm in crms}
        out = {crm: future.result() for crm, future in futures.items()}
    t0 = time.perf_counter()
    merge_warehouses(warehouse, [parts[crm] for crm in crms])
    for path in parts.values():
        path.unlink(missing_ok=True)
    out["_merge_s"] = round(time.perf_counter() - t0, 2)  # type: ignore[assignment]
    return out


def merge_warehouses(target: Path, sources: list[Path]) -> None:
    """Copy every table of `sources` into `target`; a table several sources hold (the sync ledger)
    gets their rows appended by column name."""
    import duckdb

    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target))
    try:
        for i, source in enumerate(sources):
            alias = f"part_{i}"
            con.execute(f"attach '{source}' as {alias} (read_only)")
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = ? and table_type = 'BASE TABLE' order by 1, 2", [alias]).fetchall()
            for schema, table in tables:
                exists = con.execute(
                    "select count(*) from information_schema.tables where table_catalog = current_database() "
                    "and table_schema = ? and table_name = ?", [schema, table]).fetchone()[0]
                con.execute(f'create schema if not exists "{schema}"')
                if exists:
                    con.execute(f'insert into "{schema}"."{table}" by name '
                                f'select * from {alias}."{schema}"."{table}"')
                else:
                    con.execute(f'create table "{schema}"."{table}" as select * from {alias}."{schema}"."{table}"')
            con.execute(f"detach {alias}")
    finally:
        con.close()


def save_partial(path: Path | None, out: dict[str, Any]) -> None:
    """What is measured so far, so that a repeat failing late (hours into a large run) keeps it."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, default=str, indent=1), encoding="utf-8")


def build_once(config: Path, as_of: str) -> dict[str, Any]:
    child = run_child(["benchmarks/children.py", "build", json.dumps({"config": str(config), "as_of": as_of})])
    out = dict(child.output)
    out["wall_s"] = child.wall_s
    return out


def bench_repeat(size: str, crms: list[str], folder: Path, *, dbt: bool, check: bool, concurrent: bool = False,
                 marts: bool = False, partial: Path | None = None, days: int = 1,
                 keep: bool = False) -> dict[str, Any]:
    """One repeat: company, full syncs (one after the other, or all at once with `concurrent`), build,
    then `days` simulated days, each followed by incremental syncs (one after the other), and a rebuild.
    The first day's syncs are `incremental`; later days' go to `later_days`. `keep` leaves `folder`
    (warehouse, dlt state, dbt logs) in place."""
    from revops.config import load_config
    from sandbox.generator import render, step

    world, dataset, gen_s = make_company(size)
    config_path = write_config(folder)
    config = load_config(config_path)
    warehouse, pipelines = config.warehouse_path, config.data_dir / "dlt_pipelines"
    out: dict[str, Any] = {"size": size, "generate_s": round(gen_s, 2),
                           "records": {c: sum(len(v) for v in o.values()) for c, o in dataset.records.items()},
                           "full": {}, "incremental": {}, "mismatches": {}, "concurrent_full_syncs": concurrent}
    save_partial(partial, out)
    with Sandbox(dataset, folder / "tls") as sb:
        # The sandbox servers build their indexes before the clock starts (minutes for the large
        # company, longer than a client's timeout): the syncs measure the connectors, not the sandbox.
        out["server_warmup_s"] = {crm: sb.servers[crm].warm() for crm in crms if hasattr(sb.servers[crm], "warm")}
        save_partial(partial, out)
        if concurrent:
            t0 = time.perf_counter()
            out["full"] = sync_concurrently(crms, sb, warehouse, pipelines)
            out["merge_s"] = out["full"].pop("_merge_s")
            out["full_syncs_wall_s"] = round(time.perf_counter() - t0, 2)
        else:
            for crm in crms:
                out["full"][crm] = sync_once(crm, sb, warehouse, pipelines)
                save_partial(partial, out)
        save_partial(partial, out)
        if dbt:
            write_inputs(dataset, config.resolve(config.sources.files.folder))
            out["build_full"] = build_once(config_path, str(dataset.meta["as_of"]))
            save_partial(partial, out)
            if marts:
                child = run_child(["benchmarks/children.py", "marts",
                                   json.dumps({"config": str(config_path), "as_of": str(dataset.meta["as_of"])})])
                out["marts"] = {**child.output, "wall_s": child.wall_s, "psutil_peak_mb": child.psutil_peak_mb}
                save_partial(partial, out)
        for day in range(1, days + 1):
            t0 = time.perf_counter()
            world = step(world, 1)
            dataset.replace(render(world, truth=False))
            sb.new_day()  # a day later, the APIs' daily budgets are whole again
            step_s = round(time.perf_counter() - t0, 2)
            warmup = {crm: sb.servers[crm].warm() for crm in crms if hasattr(sb.servers[crm], "warm")}
            if day == 1:
                out["step_s"], out["server_warmup_after_step_s"], syncs = step_s, warmup, out["incremental"]
            else:
                later = {"day": day, "step_s": step_s, "syncs": {}}
                out.setdefault("later_days", []).append(later)
                syncs = later["syncs"]
            for crm in crms:
                syncs[crm] = sync_once(crm, sb, warehouse, pipelines)
                save_partial(partial, out)
        if dbt:
            write_inputs(dataset, config.resolve(config.sources.files.folder))
            out["build_after_incremental"] = build_once(config_path, str(dataset.meta["as_of"]))
            save_partial(partial, out)
    # The comparison reads the dataset only. It runs once the servers are gone: at large, their indexes
    # hold more than 20 GB, and the comparison needs several GB of its own for HubSpot's associations.
    gc.collect()
    if check:
        for crm in crms:
            t0 = time.perf_counter()
            comparison = compare_warehouse(dataset, warehouse, crm)
            out["mismatches"][crm] = {"mismatches": comparison.mismatch_count,
                                      "records_compared": comparison.records_compared,
                                      "first": comparison.mismatches[:3],
                                      "seconds": round(time.perf_counter() - t0, 2)}
            save_partial(partial, out)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


if __name__ == "__main__":
    options = json.loads(sys.argv[1])
    result = bench_repeat(options["size"], list(options["crms"]), Path(options["folder"]),
                          dbt=bool(options["dbt"]), check=bool(options["check"]),
                          concurrent=bool(options.get("concurrent")), marts=bool(options.get("marts")),
                          partial=Path(options["partial"]) if options.get("partial") else None,
                          days=int(options.get("days", 1)), keep=bool(options.get("keep")))
    print(json.dumps(result, default=str), flush=True)
