"""The Dagster definitions: this module only merges what the other modules define."""

from __future__ import annotations

import os

import revops.telemetry  # noqa: F401

import dagster as dg
from dagster_dlt import DagsterDltResource

from orchestration import automation, dbt, ingestion, marts, quality, serving
from orchestration.resources import RevopsResource
from revops.config import load_config

CONFIG_PATH = os.environ.get("REVOPS_CONFIG", "revops.yml")

_ingest_assets, _reconciliation = ingestion.build()
_crm_keys = [k for a in _ingest_assets for k in a.keys]

defs = dg.Definitions(
    assets=[*_ingest_assets, *dbt.build(), marts.forecast_marts, marts.team_health_marts, serving.kpi_alerts,
            serving.serving_copy, *serving.REPORTS],
    asset_checks=[*_reconciliation, *quality.build(), *quality.freshness_checks(_crm_keys)],
    jobs=automation.JOBS,
    schedules=automation.schedules(load_config(CONFIG_PATH)),
    sensors=[automation.failure_sensor(CONFIG_PATH)],
    resources={
        "revops": RevopsResource(config_path=CONFIG_PATH),
        "dlt": DagsterDltResource(),
        "dbt": dbt.resource(),
    },
)
