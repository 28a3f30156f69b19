"""Fixtures of the reliability suite: TLS files for the sandbox, a `rig` factory, and a ledger of every
scenario (faults injected, runs, records compared, mismatches) written at the end of the session to
`benchmarks/results/reliability_ledger.json`, from which `benchmarks/reliability_report.py` writes
`reliability.md` and `reliability.json`. Set RELIABILITY_REPORT=0 to leave the results folder alone."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.servers.tls import TlsFiles, ensure_tls_files
from tests.reliability.harness import Rig, RunRecord

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
_LEDGER: list[RunRecord] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _LEDGER or os.environ.get("RELIABILITY_REPORT", "1") == "0":
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    ledger = {"finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "exit_status": int(exitstatus),
              "scenarios": [dataclasses.asdict(r) for r in _LEDGER]}
    path = RESULTS / "reliability_ledger.json"
    path.write_text(json.dumps(ledger, indent=2))
    spec = importlib.util.spec_from_file_location("reliability_report", ROOT / "benchmarks" / "reliability_report.py")
    if spec and spec.loader:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.write_report(ledger, RESULTS)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return ensure_tls_files(tmp_path_factory.mktemp("tls"))


RigFactory = Callable[..., Rig]


def _status(report: pytest.TestReport | None) -> str:
    if report is None:
        return "skipped"
    if hasattr(report, "wasxfail"):
        return "xfail"
    return str(report.outcome)


@pytest.fixture
def rig(request: pytest.FixtureRequest, tmp_path: Path, tls_files: TlsFiles) -> Iterator[RigFactory]:
    """`rig(crm, scenario, **kwargs)` starts a Rig; it is stopped and put in the ledger at teardown."""
    made: list[Rig] = []

    def make(crm: str, scenario: str, **kwargs: Any) -> Rig:
        folder = tmp_path / f"{crm}-{len(made)}"
        folder.mkdir()
        r = Rig(crm, folder, tls_files, scenario=scenario, test=request.node.name, **kwargs)
        made.append(r)
        return r

    yield make
    call = getattr(request.node, "rep_call", None)
    for r in made:
        r.stop()
        entry = r.ledger_entry()
        entry.status = _status(call)
        entry.note = str(getattr(call, "wasxfail", "") or "")
        _LEDGER.append(entry)
