"""Materializing the landing assets in process against the tiny sandbox company: the rows land in the
warehouse of the configuration (a temporary folder), the sync is recorded in `ops`, and the
reconciliation and Great Expectations checks that run with the assets pass."""

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from connectors import pipedrive, salesforce
from orchestration.definitions import build_definitions
from tests.orchestration.orchestration_fixtures import (
    asset_keys,
    check_results,
    materialized,
    run_assets,
    write_config,
)

SOURCES = ("salesforce", "pipedrive", "inputs")


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory, manifest: Path, no_crm_credentials: None) -> dict[str, Any]:
    """One run of every Salesforce, Pipedrive and input asset, with their checks."""
    folder = tmp_path_factory.mktemp("landing")
    defs = build_definitions(write_config(folder, crms=("salesforce", "pipedrive")), manifest)
    keys = sorted(k for k in asset_keys(defs) if k.path[0] in SOURCES)
    result = run_assets(defs, keys)
    return {"result": result, "keys": keys, "warehouse": folder / "data" / "warehouse.duckdb"}


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def input_tables(landed: dict[str, Any]) -> set[str]:
    return {t for (t,) in query(landed["warehouse"], "select table_name from information_schema.tables "
                                                     "where table_schema = 'raw_inputs'")}


def test_the_run_succeeds_and_materializes_every_selected_asset(landed: dict[str, Any]) -> None:
    result = landed["result"]
    assert result.success
    assert materialized(result) == set(landed["keys"])


def test_crm_rows_land_in_the_raw_schemas_of_the_configured_warehouse(landed: dict[str, Any]) -> None:
    wh = landed["warehouse"]
    assert wh.exists()
    assert query(wh, "select count(*) from raw_salesforce.opportunity")[0][0] > 0
    assert query(wh, "select count(*) from raw_pipedrive.deals")[0][0] > 0
    raw = {(s, t) for s, t in query(wh, "select table_schema, table_name from information_schema.tables "
                                        "where table_schema in ('raw_salesforce', 'raw_pipedrive')")}
    assert {("raw_salesforce", t) for t in salesforce.TABLES.values()} <= raw
    assert {("raw_pipedrive", t) for t in pipedrive.OBJECTS} <= raw


def test_input_files_and_configuration_tables_land_in_raw_inputs(landed: dict[str, Any]) -> None:
    tables = input_tables(landed)
    assert {"exchange_rates", "quotas", "hr_roster", "config_stage_mapping", "config_settings"} <= tables
    assert query(landed["warehouse"], "select count(*) from raw_inputs.exchange_rates")[0][0] > 0


def test_materializations_carry_row_counts_and_the_table_schema(landed: dict[str, Any]) -> None:
    events = {e.asset_key: e.materialization.metadata for e in landed["result"].get_asset_materialization_events()}
    meta = events[dg.AssetKey(["salesforce", "opportunity"])]
    warehouse_rows = query(landed["warehouse"], "select count(*) from raw_salesforce.opportunity "
                                                "where not coalesce(is_deleted, false)")[0][0]
    assert meta["dagster/row_count"].value == warehouse_rows == meta["source_count"].value
    assert meta["dagster/table_name"].value == "raw_salesforce.opportunity"
    assert "stage_name" in {c.name for c in meta["dagster/column_schema"].schema.columns}


def test_every_reconciliation_check_passes_after_the_sync(landed: dict[str, Any]) -> None:
    checks = check_results(landed["result"])
    reconciled = {k: e for k, e in checks.items() if k[1] == "reconciled_with_source"}
    crm_objects = {k for k in landed["keys"] if k.path[0] in ("salesforce", "pipedrive")}
    assert {k[0] for k in reconciled} == {k.to_user_string() for k in crm_objects}
    failed = {k: e.description for k, e in reconciled.items() if not e.passed}
    assert not failed
    counted = reconciled[("salesforce/opportunity", "reconciled_with_source")].metadata
    assert counted["source_count"].value == counted["warehouse_count"].value > 0


def test_great_expectations_checks_pass_on_the_sandbox_company(landed: dict[str, Any]) -> None:
    checks = check_results(landed["result"])
    expectations = {k: e for k, e in checks.items() if k[1] in ("critical_expectations", "quality_expectations")}
    assert ("salesforce/opportunity", "critical_expectations") in expectations
    assert ("inputs/exchange_rates", "critical_expectations") in expectations
    assert not {k: e.description for k, e in expectations.items() if not e.passed}


def test_check_results_are_kept_in_ops_check_results(landed: dict[str, Any]) -> None:
    rows = query(landed["warehouse"], "select asset, count(*) from ops.check_results group by 1")
    assert ("raw_salesforce.opportunity" in {a for a, _ in rows}) and all(n > 0 for _, n in rows)


def test_each_sync_is_recorded_in_ops_with_its_reconciliation(landed: dict[str, Any]) -> None:
    runs = dict(query(landed["warehouse"], "select source, min(outcome) from ops.sync_runs group by 1"))
    assert runs == {"salesforce": "success", "pipedrive": "success", "files": "success"}
    statuses = query(landed["warehouse"], "select distinct source, status from ops.reconciliation")
    assert set(statuses) == {("salesforce", "ok"), ("pipedrive", "ok")}


def test_materializing_one_object_syncs_only_that_object(tmp_path: Path, manifest: Path,
                                                        no_crm_credentials: None) -> None:
    defs = build_definitions(write_config(tmp_path, crms=("pipedrive",)), manifest)
    stages = dg.AssetKey(["pipedrive", "stages"])
    result = run_assets(defs, [stages])
    assert result.success and materialized(result) == {stages}
    wh = tmp_path / "data" / "warehouse.duckdb"
    assert set(query(wh, "select distinct object from ops.reconciliation")) == {("stages",)}
    tables = {t for (t,) in query(wh, "select table_name from information_schema.tables "
                                      "where table_schema = 'raw_pipedrive' and table_name not like '\\_%' escape '\\'")}
    assert tables == {"stages"}
