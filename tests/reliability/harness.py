"""The rig the reliability tests run complete syncs on: one sandbox CRM server with counted faults, a
generated company, a temporary warehouse, `connectors.runner.sync_crm`, and the checks made after
every run (the warehouse equals the sandbox, reconciliation tells the truth, the operator is told).

Clients are built through `sync_crm`'s `client_factory` with a short HTTP timeout and, unless a test
needs the real waits, retry sleeps cut short (the number of retries is what matters, not their
length). This module is also imported by `child_sync.py`, so it does not import pytest."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from connectors.runner import SyncResult, sync_crm
from sandbox.compare import Comparison, compare_warehouse
from sandbox.dataset import Dataset
from sandbox.launch import SANDBOX_TOKENS
from sandbox.servers.common import Faults, Request, Response
from sandbox.servers.tls import TlsFiles

CRMS = ("salesforce", "hubspot", "pipedrive")
SIZE = "tiny"
CLIENT_TIMEOUT = 0.5  # seconds; the sandbox's "timeout" fault hangs longer than this
SERVER_HANG = 1.5


def available_crms() -> list[str]:
    """The CRMs whose connector imports (a connector still being written is left out)."""
    import importlib

    out = []
    for crm in CRMS:
        try:
            importlib.import_module(f"connectors.{crm}")
        except Exception:  # noqa: BLE001 - an unfinished connector is skipped, not an error
            continue
        out.append(crm)
    return out


@dataclass
class CountingFaults(Faults):
    """`Faults` that counts what it injects and can queue a burst after the n-th request."""

    trigger_after: int | None = None
    burst: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.counts: Counter[str] = Counter()
        self.seen = 0
        self._count_lock = threading.Lock()

    def next_fault(self, path: str) -> str | None:
        with self._count_lock:
            self.seen += 1
            if self.trigger_after is not None and self.seen == self.trigger_after:
                self.inject_all(self.burst)
        kind = super().next_fault(path)
        if kind:
            with self._count_lock:
                self.counts[kind] += 1
        return kind

    def inject_after(self, requests: int, kinds: list[str]) -> None:
        """Queue `kinds` once `requests` more requests have arrived."""
        with self._count_lock:
            self.trigger_after = self.seen + requests
            self.burst = list(kinds)

    def inject_all(self, kinds: list[str]) -> None:
        with self._lock:
            self.queue.extend(kinds)


class Sleeper:
    """The retry sleep handed to clients: counts the waits, and shortens them unless `real`."""

    def __init__(self, cap: float | None = 0.02) -> None:
        self.cap = cap
        self.calls = 0
        self.asked = 0.0

    def __call__(self, seconds: float) -> None:
        self.calls += 1
        self.asked += seconds
        time.sleep(seconds if self.cap is None else min(seconds, self.cap))


def client_factory(crm: str, *, timeout: float = CLIENT_TIMEOUT, sleeper: Sleeper | None = None,
                   session_for: Any = None, **tweaks: Any) -> Callable[[Any], Any]:
    """A `sync_crm` client factory: the connector's own Client with a short timeout and fast retries.

    `session_for` (a SalesforceServer) gives Salesforce a session whose login host is the sandbox,
    for the username/password flow; `tweaks` change other connector settings (page sizes)."""
    sleep = sleeper or Sleeper()

    def make(settings: Any) -> Any:
        if crm == "salesforce":
            from connectors.salesforce import Client
            from connectors.salesforce.transport import build_session

            fast = dataclasses.replace(settings, timeout=timeout, bulk_poll_interval=0.0,
                                       retry_base_delay=0.001, retry_max_delay=0.01, **tweaks)
            session = None
            if session_for is not None:
                session = build_session(verify=str(settings.ca_bundle), timeout=timeout,
                                        rewrite_to=session_for.base_url)
            return Client(fast, session=session, sleep=sleep)
        if crm == "hubspot":
            from connectors.hubspot import Client as HubSpotClient

            return HubSpotClient(dataclasses.replace(settings, timeout=timeout, **tweaks), sleep=sleep)
        from connectors.pipedrive import Client as PipedriveClient

        return PipedriveClient(dataclasses.replace(settings, timeout=timeout, **tweaks), sleep=sleep)

    return make


def start_server(crm: str, dataset: Dataset, tls: TlsFiles, faults: Faults, **kwargs: Any) -> Any:
    """A started sandbox server for one CRM serving `dataset` with `faults`."""
    if crm == "salesforce":
        from sandbox.servers.salesforce import SalesforceServer

        return SalesforceServer(dataset, faults=faults, tls=(tls.server_cert, tls.server_key),
                                access_token=SANDBOX_TOKENS["salesforce"], **kwargs).start()
    if crm == "hubspot":
        from sandbox.servers.hubspot import HubSpotServer

        kwargs.setdefault("search_rate_limit", None)
        return HubSpotServer(dataset, token=SANDBOX_TOKENS["hubspot"], faults=faults, **kwargs).start()
    from sandbox.servers.pipedrive import PipedriveServer

    return PipedriveServer(dataset, token=SANDBOX_TOKENS["pipedrive"], faults=faults, **kwargs).start()


def server_env(crm: str, server: Any, tls: TlsFiles) -> dict[str, str]:
    """The environment `Settings.from_env` reads for one sandbox server."""
    if crm == "salesforce":
        return {"SALESFORCE_INSTANCE_URL": server.base_url, "SALESFORCE_ACCESS_TOKEN": str(server.access_token),
                "SALESFORCE_CA_BUNDLE": str(tls.ca_cert)}
    if crm == "hubspot":
        return {"HUBSPOT_ACCESS_TOKEN": SANDBOX_TOKENS["hubspot"], "HUBSPOT_API_BASE_URL": server.base_url}
    return {"PIPEDRIVE_API_TOKEN": SANDBOX_TOKENS["pipedrive"], "PIPEDRIVE_API_BASE_URL": server.base_url}


def make_world(seed: int) -> tuple[Any, Dataset]:
    """A generated company (tiny) and its dataset."""
    from sandbox.generator import generate, render

    world = generate(seed=seed, size=SIZE)
    return world, render(world, truth=False)


@dataclass
class RunRecord:
    """What the ledger keeps of one scenario."""

    test: str
    crm: str
    scenario: str
    faults: dict[str, int] = field(default_factory=dict)
    runs: int = 0
    outcomes: list[str] = field(default_factory=list)
    records_compared: int = 0
    mismatches: int = 0
    quarantined: int = 0
    requests: int = 0
    retry_sleeps: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)
    status: str = "unknown"  # passed, failed, skipped, xfail (a known, reported gap)
    note: str = ""  # the reason of an xfail or a skip


class Rig:
    """One CRM's server, dataset and warehouse for one test; `sync()`, `check()`, `advance()`."""

    def __init__(self, crm: str, folder: Path, tls: TlsFiles, *, seed: int = 7,
                 faults: CountingFaults | None = None, server_kwargs: Mapping[str, Any] | None = None,
                 scenario: str = "", test: str = "") -> None:
        self.crm = crm
        self.folder = folder
        self.tls = tls
        self.seed = seed
        self.world, self.dataset = make_world(seed)
        self.faults = faults or CountingFaults()
        self.server = start_server(crm, self.dataset, tls, self.faults, **dict(server_kwargs or {}))
        self.env = server_env(crm, self.server, tls)
        self.warehouse = folder / "warehouse" / "warehouse.duckdb"
        self.pipelines = folder / "pipelines"
        self.sleeper = Sleeper()
        self.record = RunRecord(test=test, crm=crm, scenario=scenario)
        self.results: list[SyncResult] = []
        self._t0 = time.perf_counter()

    # -- lifecycle ---------------------------------------------------------------------------------
    def stop(self) -> None:
        self.server.stop()

    def ledger_entry(self) -> RunRecord:
        rec = self.record
        rec.faults = dict(self.faults.counts)
        injected_429 = self.faults.counts.get("429", 0)
        limited = sum(1 for _, _, status in self.server.requests if status == 429) - injected_429
        if limited > 0:
            rec.faults["rate_limited_429"] = limited
        rec.seconds = round(time.perf_counter() - self._t0, 2)
        rec.retry_sleeps = self.sleeper.calls
        return rec

    # -- syncing -----------------------------------------------------------------------------------
    def sync(self, *, full_refresh: bool = False, overlap: timedelta = timedelta(minutes=10),
             factory: Callable[[Any], Any] | None = None, env: Mapping[str, str] | None = None,
             sleeper: Sleeper | None = None, timeout: float = CLIENT_TIMEOUT, **tweaks: Any) -> SyncResult:
        """One complete sync through the runner, as `revops sync` runs it (`env` replaces the rig's)."""
        result = sync_crm(self.crm, dict(env if env is not None else self.env), self.warehouse, self.pipelines,
                          full_refresh=full_refresh, overlap=overlap,
                          client_factory=factory or client_factory(
                              self.crm, sleeper=sleeper or self.sleeper, timeout=timeout, **tweaks))
        self.note(result)
        return result

    def note(self, result: SyncResult) -> None:
        self.results.append(result)
        self.record.runs += 1
        self.record.outcomes.append(result.outcome)
        self.record.requests += result.requests
        if result.message:
            self.record.messages.append(result.message[:300])

    def advance(self, days: int = 1) -> Dataset:
        """Move the company `days` forward; the servers see the new records at once. Returns a copy of
        the dataset as it was before (for `compare(previous=...)`)."""
        from sandbox.generator import render, step

        before = self.snapshot()
        self.world = step(self.world, days)
        self.dataset.replace(render(self.world, truth=False))
        return before

    def snapshot(self) -> Dataset:
        """A deep copy of the dataset as it stands."""
        with self.dataset.lock:
            records = json.loads(json.dumps(self.dataset.records, default=str))
        return Dataset(records=records, meta=dict(self.dataset.meta))

    # -- checks ------------------------------------------------------------------------------------
    def compare(self, dataset: Dataset | None = None, *, previous: Dataset | None = None,
                count: bool = True) -> Comparison:
        comparison = compare_warehouse(dataset or self.dataset, self.warehouse, self.crm, previous=previous)
        if count:
            self.record.records_compared += comparison.records_compared
            self.record.mismatches += comparison.mismatch_count
            self.record.quarantined += sum(len(v) for v in comparison.quarantined.values())
        return comparison

    def check(self, result: SyncResult, *, outcome: str = "success", dataset: Dataset | None = None,
              quarantined: Mapping[str, set[str]] | None = None) -> Comparison:
        """After a run: the outcome, the warehouse equal to the sandbox (only the expected records
        quarantined), reconciliation truthful, and ops.sync_runs holding the run with its message."""
        assert result.outcome == outcome, f"{self.crm}: outcome {result.outcome}: {result.message}"
        comparison = self.compare(dataset)
        assert comparison.ok, comparison.summary()
        got = {t: {k[0] for k in keys} for t, keys in comparison.quarantined.items()}
        assert got == {t: set(v) for t, v in (quarantined or {}).items() if v}, got
        check_ops(self.warehouse, result, comparison)
        return comparison


def check_ops(warehouse: Path, result: SyncResult, comparison: Comparison | None) -> None:
    """ops.sync_runs holds the run as the result says; ops.reconciliation rows (successful runs) give
    the true warehouse count of live rows, the source count the sandbox really has, and `ok` exactly
    when they agree."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("select distinct outcome, message from ops.sync_runs where run_id = ?",
                           [result.run_id]).fetchall()
        assert runs == [(result.outcome, result.message)], runs
        recon = con.execute(
            "select object, source_count, warehouse_count, difference, status from ops.reconciliation "
            "where run_id = ?", [result.run_id]).fetchall()
        if result.outcome != "success":
            assert recon == [], "a run that did not finish must not claim a reconciliation"
            return
        assert recon, f"{result.source}: a successful run wrote no reconciliation"
        by_table = {o.table: o for o in comparison.objects} if comparison else {}
        for obj, source_count, wh_count, difference, status in recon:
            live = con.execute(f'select count(*) from raw_{result.source}."{obj}" '
                               "where not coalesce(is_deleted, false)").fetchone()[0]  # type: ignore[index]
            assert wh_count == live, f"{obj}: reconciliation says {wh_count} rows, the table has {live}"
            assert difference == wh_count - source_count and (status == "ok") == (difference == 0), obj
            if obj in by_table and not by_table[obj].quarantined:
                truth = by_table[obj].source_reported
                assert source_count == truth, f"{obj}: source count {source_count}, the sandbox has {truth}"


def on_request(server: Any, hook: Callable[[int, Request], None]) -> None:
    """Call `hook(n, request)` before the server answers its n-th data request (under the dataset
    lock, so the change is atomic for the server's readers)."""
    original: Callable[[Request], Response] = server.dispatch
    counter = {"n": 0}

    def dispatch(request: Request) -> Response:
        with server.dataset.lock:
            counter["n"] += 1
            hook(counter["n"], request)
        return original(request)

    server.dispatch = dispatch
