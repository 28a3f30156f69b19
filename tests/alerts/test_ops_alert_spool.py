"""A failed run's alert when the warehouse is locked by another program: it is still sent, kept in the
spool file, and logged in ops.alert_events (once) by the next run that can write the warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from alert_fixtures import HttpReceiver

from revops import ops_alerts
from revops.config import load_config

HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists held (x int)")
print("locked", flush=True)
time.sleep(120)
"""


@pytest.fixture
def project(tmp_path: Path, env: dict[str, str]) -> Path:
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    config = {"company": {"name": "Test"}, "warehouse": {"path": "data/warehouse.duckdb", "data_dir": "data"},
              "alerts": {"channels": {"webhook": {"url_env": "TEST_HOOK_URL"}}}}
    (tmp_path / "revops.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "data").mkdir()
    duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb")).close()
    return tmp_path


def _logged(warehouse: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select alert_id, kind, title from ops.alert_events order by created_at").fetchall()


def test_an_alert_sent_while_the_warehouse_is_locked_is_spooled_then_logged_once(
        project: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(project / "revops.yml")
    monkeypatch.setattr(ops_alerts, "LOCK_WAITS_S", (0.1,))
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(cfg.warehouse_path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        where = ops_alerts.send_run_failure(cfg, job="hourly_sync", run_id="run-1", error="boom")
    finally:
        holder.kill()
        holder.wait()
    spool = ops_alerts.spool_path(cfg)
    assert where == str(spool)
    # delivered even though the warehouse could not be written
    [body] = http_receiver.bodies("/hook")
    assert body["kind"] == "ops" and body["title"] == "Run failed: hourly_sync"
    assert len(spool.read_text().splitlines()) == 1

    # the next alert (or the alerts step) finds the warehouse free: both are logged, the spool is gone
    where = ops_alerts.send_run_failure(cfg, job="nightly_build", run_id="run-2", error="boom again")
    assert where == "warehouse"
    assert not spool.exists()
    logged = _logged(cfg.warehouse_path)
    assert [(kind, title) for _, kind, title in logged] == [
        ("ops", "Run failed: hourly_sync"), ("ops", "Run failed: nightly_build")]
    assert logged[0][0] == body["alert_id"]

    # a spool holding an event already logged (a crash after logging, before deleting) adds nothing,
    # and a torn line is kept aside instead of stopping the flush
    from dataclasses import replace

    from revops.alerts import log as alert_log
    from revops.alerts.events import AlertEvent

    again = AlertEvent(alert_id=logged[0][0], rule="ops", kind="ops", state="firing", title="dup", message="dup")
    alert_log.spool(spool, [again, replace(again, alert_id="fresh", title="Run failed: weekly")])
    with spool.open("a") as fh:
        fh.write('{"alert_id": "torn", "rule"\n')
    with duckdb.connect(str(cfg.warehouse_path)) as con:
        assert ops_alerts.flush_spooled(cfg, con) == 1
    assert [t for _, _, t in _logged(cfg.warehouse_path)][-1] == "Run failed: weekly"
    assert spool.with_name(spool.name + ".rejected").read_text().startswith('{"alert_id": "torn"')
    assert not spool.exists()
