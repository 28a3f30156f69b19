"""One end-to-end run shared by the integration tests: the tiny sandbox company, served over real
HTTP(S) on 127.0.0.1, synced by the connectors, built by dbt, with the Python marts on top."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from revops import pipeline
from revops.config import load_config

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 20)
CRM_VARS = ["SALESFORCE_USERNAME", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN", "SALESFORCE_INSTANCE_URL",
            "SALESFORCE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "PIPEDRIVE_API_TOKEN"]


def e2e_config_file(folder: Path, size: str = "tiny") -> Path:
    data = yaml.safe_load((ROOT / "revops.yml").read_text())
    data["warehouse"] = {"path": "data/warehouse.duckdb", "serving_path": "data/serving/warehouse.duckdb",
                         "exports_dir": "data/exports", "data_dir": "data"}
    data["sandbox"] = {"seed": 42, "size": size, "as_of": AS_OF.isoformat()}
    data["forecast"]["simulations"] = 1000
    data["forecast"]["backtest_periods"] = 3
    path = folder / "revops.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Sync + build + marts once; yields the runtime pieces tests need."""
    mp = pytest.MonkeyPatch()
    for v in CRM_VARS:
        mp.delenv(v, raising=False)
    folder = tmp_path_factory.mktemp("e2e")
    cfg = load_config(e2e_config_file(folder))
    log: list[str] = []
    with pipeline.runtime(cfg, log.append) as rt:
        results = pipeline.sync(rt, progress=log.append)
        build = pipeline.build(rt, progress=log.append)
        yield {"rt": rt, "cfg": cfg, "sync": results, "build": build, "log": log,
               "truth": rt.sandbox.dataset.truth, "dataset": rt.sandbox.dataset}
    mp.undo()


@pytest.fixture(scope="session")
def e2e_marts(e2e: dict) -> dict:
    """The Python marts (forecast, team health) computed once on the end-to-end warehouse."""
    return pipeline.marts(e2e["rt"], progress=e2e["log"].append)
