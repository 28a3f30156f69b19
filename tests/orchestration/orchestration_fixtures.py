"""Helpers for the Dagster tests: configurations written into temporary folders, in-process runs of
asset selections, and what those runs materialized and checked."""

from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 20)
# Any of these would point the connectors at a real CRM instead of the sandbox.
CRM_VARS = ("SALESFORCE_USERNAME", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN", "SALESFORCE_INSTANCE_URL",
            "SALESFORCE_ACCESS_TOKEN", "SALESFORCE_CONSUMER_KEY", "SALESFORCE_CONSUMER_SECRET",
            "HUBSPOT_ACCESS_TOKEN", "HUBSPOT_API_BASE_URL", "PIPEDRIVE_API_TOKEN", "PIPEDRIVE_API_BASE_URL",
            "REVOPS_AS_OF")


def write_config(folder: Path, *, sandbox: bool = True, crms: tuple[str, ...] = ("salesforce", "hubspot", "pipedrive"),
                 **overrides: Any) -> Path:
    """The demo revops.yml with its data in `folder`: tiny sandbox (or none), only `crms` enabled;
    `overrides` replace whole top-level sections."""
    data = yaml.safe_load((ROOT / "revops.yml").read_text())
    data["warehouse"] = {"path": "data/warehouse.duckdb", "serving_path": "data/serving/warehouse.duckdb",
                         "exports_dir": "data/exports", "data_dir": "data"}
    for crm in ("salesforce", "hubspot", "pipedrive"):
        data["sources"][crm]["enabled"] = crm in crms
    if sandbox:
        data["sandbox"] = {"seed": 42, "size": "tiny", "as_of": AS_OF.isoformat()}
    else:
        data.pop("sandbox", None)
    data["forecast"]["simulations"] = 1000
    data["forecast"]["backtest_periods"] = 3
    data.update(overrides)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "revops.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def asset_keys(defs: dg.Definitions) -> set[dg.AssetKey]:
    return set(defs.resolve_all_asset_keys())


def run_assets(defs: dg.Definitions, keys: list[dg.AssetKey]) -> dg.ExecuteInProcessResult:
    """Materialize `keys` (and their checks) in process, on a throwaway instance; never raises."""
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(asset_selection=keys, instance=dg.DagsterInstance.ephemeral(),
                                  raise_on_error=False)


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events()}


def check_results(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], Any]:
    """(asset key as a/b, check name) -> evaluation."""
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
