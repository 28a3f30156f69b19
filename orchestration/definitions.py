"""The Dagster definitions: this module only merges what the other modules define.

`defs` is loaded lazily by Dagster (`dagster dev -m orchestration.definitions`): the configuration
(`$REVOPS_CONFIG`, default `./revops.yml`) and the dbt manifest (`$REVOPS_DBT_MANIFEST`, default
`dbt_project/target/manifest.json`) are read when the code location loads, not on import."""

import os  # noqa: I001  (revops.telemetry must load before dagster)
from pathlib import Path

import revops.telemetry  # noqa: F401  (telemetry off before the libraries load)

import dagster as dg

from orchestration import automation, dbt, ingestion, marts, quality, serving
from orchestration.resources import RevopsResource
from revops.config import load_config


def config_path() -> Path:
    """The configuration file the definitions use, made absolute (run workers may start elsewhere)."""
    return Path(os.environ.get("REVOPS_CONFIG", "revops.yml")).resolve()


def build_definitions(config: Path | str | None = None, manifest: Path | None = None) -> dg.Definitions:
    """Assets, checks, jobs, schedules and sensors for one configuration and one dbt manifest."""
    path = Path(config).resolve() if config is not None else config_path()
    cfg = load_config(path)
    landing, reconciliation = ingestion.build(cfg)
    dbt_assets = dbt.build(manifest or dbt.manifest_path())
    landing_keys = [k for a in landing for k in a.keys]
    dbt_mart_keys = [k for a in dbt_assets for k, g in a.group_names_by_key.items() if g == "warehouse_marts"]
    upstream_keys = {*landing_keys, *(k for a in dbt_assets for k in a.keys), *marts.forecast_keys()}
    freshness = quality.freshness_checks(landing_keys)
    return dg.Definitions(
        assets=[*landing, *dbt_assets, marts.forecast_marts, marts.team_health_assets(upstream_keys),
                *serving.build(dbt_mart_keys)],
        asset_checks=[*reconciliation, *quality.build(landing_keys), *freshness],
        jobs=automation.JOBS,
        schedules=automation.schedules(cfg),
        sensors=[automation.failure_sensor(str(path)), quality.freshness_sensor(freshness)],
        resources={"revops": RevopsResource(config_path=str(path)), "dbt": dbt.resource()},
        # DuckDB takes one writer at a time: a run's steps go one after the other in the run's process
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The definitions Dagster loads (see the module docstring for what they read)."""
    return build_definitions()
