"""A KPI that really drifts in the sandbox raises exactly one alert, end to end.

The small sandbox company is generated with the `conversion_drop` scenario: from the day after
as_of, deals entering qualification move on to demo far less often. At as_of the company is the
unchanged one, so syncing, building and evaluating the alert rules sends nothing. The sandbox then
steps 60 days forward (the servers serve the new records at once); an incremental sync, a build and
an evaluation send one drift alert for the monthly qualification -> demo conversion of November (the
first month whose cohort entered after the change) to a real HTTP receiver on 127.0.0.1, record it
in ops.alert_events, and a second evaluation sends nothing new. A second rule, on the number of
opportunities created (which the scenario leaves alone), stays quiet throughout.

The month grain at company scope is where the signal is reliable at this size: a month's cohort is
stable from month to month, and November read at the end of December has had a month to move on, so
the unchanged company would stay inside the expected range. Weekly cohorts are read days after they
end, when many deals have not had time to move on yet, so they wander by themselves.

Two variants: Salesforce only (its teams alone: about 60 deals a month, a minute of syncing and
building twice), and, marked slow, the whole company in all three CRMs (about 250 deals a month and
a far stronger signal, but HubSpot's volume makes the first sync take minutes).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from revops import pipeline
from revops.config import load_config
from sandbox.generator import generate, render, step
from sandbox.launch import Sandbox, write_inputs

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 10, 31)  # the scenario starts on 1 November, so November is the first changed month
STEP_DAYS = 60  # 30 December (the end of the simulated future): November has had a month to move on
SEED = 42
SCENARIO = "conversion_drop"
RULE = "qualification_conversion_drift"
CONTROL_RULE = "opportunities_created_drift"  # the scenario does not change how many deals are created
HOOK_ENV = "KPI_DRIFT_HOOK_URL"
CRM_VARS = ["SALESFORCE_USERNAME", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN", "SALESFORCE_INSTANCE_URL",
            "SALESFORCE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "PIPEDRIVE_API_TOKEN"]


@dataclass
class Receiver:
    """JSON bodies POSTed to the local webhook receiver."""

    url: str = ""
    bodies: list[Any] = field(default_factory=list)


@contextlib.contextmanager
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 that answers 200 and keeps what it got."""
    received = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                received.bodies.append(json.loads(raw or b"null"))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def _config_file(folder: Path, crms: str) -> Path:
    data = yaml.safe_load((ROOT / "revops.yml").read_text())
    if crms == "salesforce":
        data["sources"]["hubspot"] = {"enabled": False}
        data["sources"]["pipedrive"] = {"enabled": False}
    data["warehouse"] = {"path": "data/warehouse.duckdb", "serving_path": "data/serving/warehouse.duckdb",
                         "exports_dir": "data/exports", "data_dir": "data"}
    data["sandbox"] = {"seed": SEED, "size": "small", "as_of": AS_OF.isoformat()}
    data["alerts"] = {
        "channels": {"webhook": {"url_env": HOOK_ENV}},
        "rules": [
            {"name": RULE, "kpi": "stage_conversion_qualification", "scope_type": "company", "grain": "month",
             "kind": "drift"},
            {"name": CONTROL_RULE, "kpi": "opportunities_created", "scope_type": "company", "grain": "month",
             "kind": "drift"},
        ],
    }
    path = folder / "revops.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module", params=[
    pytest.param("salesforce", id="salesforce"),
    pytest.param("all", id="all-crms", marks=pytest.mark.slow),
])
def drift_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Both evaluations (at as_of, and after the step) plus a repeated one; what each produced."""
    folder = tmp_path_factory.mktemp(f"kpi_drift_{request.param}")
    cfg = load_config(_config_file(folder, request.param))
    world = generate(seed=SEED, size="small", as_of=AS_OF, scenario=SCENARIO)
    dataset = render(world, truth=False)
    inputs = cfg.resolve(cfg.sources.files.folder)
    write_inputs(dataset, inputs)
    env = {k: v for k, v in os.environ.items() if k not in CRM_VARS}
    out: dict[str, Any] = {"log": []}
    with receiver() as hook, Sandbox(dataset, cfg.data_dir / "sandbox" / "tls") as sandbox:
        env.update(sandbox.env())
        env[HOOK_ENV] = hook.url
        rt = pipeline.Runtime(config=cfg, env=env, sandbox=sandbox)
        say = out["log"].append

        def cycle() -> tuple[list[Any], dict[str, Any], list[Any], int]:
            synced = pipeline.sync(rt, progress=say)
            built = pipeline.build(rt, progress=say)
            before = len(hook.bodies)
            return synced, built, pipeline.alerts(rt, progress=say), before

        out["sync0"], out["build0"], out["events0"], _ = cycle()
        out["sent0"] = list(hook.bodies)
        # the day step: the servers see the later records at once; the input files follow
        later = render(step(world, STEP_DAYS), truth=False)
        dataset.replace(later)
        write_inputs(later, inputs)
        out["as_of1"] = rt.as_of
        out["sync1"], out["build1"], out["events1"], first = cycle()
        out["sent1"] = hook.bodies[first:]
        again = len(hook.bodies)
        out["events2"] = pipeline.alerts(rt, progress=say)
        out["sent2"] = hook.bodies[again:]
        with duckdb.connect(str(rt.warehouse), read_only=True) as con:
            cursor = con.execute("select * from ops.alert_events order by created_at")
            names = [d[0] for d in cursor.description]
            out["rows"] = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
            out["kpi"] = con.execute(
                "select period_start, value, denominator, is_mature from kpi.kpi_values where kpi = "
                "'stage_conversion_qualification' and grain = 'month' and scope_type = 'company' "
                "order by period_start").fetchall()
    yield out


def test_every_run_syncs_and_builds(drift_run):
    for key in ("sync0", "sync1"):
        for r in drift_run[key]:
            assert r.ok, f"{key} {r.source}: {r.message}"
    for key in ("build0", "build1"):
        assert drift_run[key]["failed"] == [], "\n".join(drift_run[key]["failed"])
    assert drift_run["as_of1"] == date(2026, 12, 30)


def test_nothing_is_sent_at_as_of_before_the_drift(drift_run):
    assert drift_run["sent0"] == []
    assert [e for e in drift_run["events0"] if e.state == "firing"] == []


def test_the_drift_after_the_step_sends_exactly_one_alert_naming_the_kpi(drift_run):
    assert len(drift_run["sent1"]) == 1, (
        [(e.rule, e.state, e.period_start, e.value, e.suppressed_reason) for e in drift_run["events1"]],
        drift_run["kpi"][-4:])
    body = drift_run["sent1"][0]
    assert body["rule"] == RULE and body["kind"] == "drift" and body["state"] == "firing"
    assert body["kpi"] == "stage_conversion_qualification"
    assert body["scope"] == {"type": "company", "id": "all"}
    assert (body["grain"], body["period_start"], body["since"]) == ("month", "2026-11-01", "2026-11-01")
    low, high = body["expected_range"]["low"], body["expected_range"]["high"]
    assert low is not None and high is not None and low < high
    assert body["value"] < low and body["score"] < -3.5, body


def test_the_alert_value_is_the_warehouse_kpi_of_the_changed_month(drift_run):
    body = drift_run["sent1"][0]
    by_month = {start: (value, n) for start, value, n, _ in drift_run["kpi"]}
    value, n = by_month[date(2026, 11, 1)]
    assert body["value"] == pytest.approx(value)
    assert n >= 30  # judged, not a small sample
    october, _ = by_month[date(2026, 10, 1)]  # the last month before the change is ordinary
    assert body["expected_range"]["low"] <= october <= body["expected_range"]["high"]
    assert october - value > 0.15  # a sharp fall, not a marginal one


def test_the_alert_is_stored_in_ops_alert_events(drift_run):
    firing = [r for r in drift_run["rows"] if r["state"] == "firing"]
    assert len(firing) == 1
    row = firing[0]
    body = drift_run["sent1"][0]
    assert row["alert_id"] == body["alert_id"] and row["sent"] is True
    assert (row["rule"], row["kpi"], row["scope_type"], row["scope_id"]) == (
        RULE, "stage_conversion_qualification", "company", "all")
    assert row["since"] == date(2026, 11, 1) and row["value"] == pytest.approx(body["value"])


def test_evaluating_again_sends_nothing_new(drift_run):
    assert drift_run["sent2"] == []
    again = [e for e in drift_run["events2"] if e.rule == RULE]
    assert [e.state for e in again] == ["ongoing"]
    assert not any(e.sent for e in drift_run["events2"])
