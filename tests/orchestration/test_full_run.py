"""The whole platform as one Dagster run against the tiny sandbox: sync, dbt, Python marts, alerts,
serving copy and reports, in lineage order, with every check passing."""

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_definitions
from tests.orchestration.orchestration_fixtures import asset_keys, check_results, materialized, write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory, manifest: Path, no_crm_credentials: None) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("full")
    defs = build_definitions(write_config(folder), manifest)
    result = defs.resolve_job_def("end_to_end").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    return {"defs": defs, "result": result, "data": folder / "data"}


def test_the_end_to_end_job_materializes_every_asset(full_run: dict[str, Any]) -> None:
    result = full_run["result"]
    failures = [e.message for e in result.all_events if e.is_step_failure]
    assert result.success, failures
    assert materialized(result) == asset_keys(full_run["defs"])


def test_every_check_passes_on_the_sandbox_company(full_run: dict[str, Any]) -> None:
    checks = check_results(full_run["result"])
    assert len(checks) > 100
    assert not {k: e.description for k, e in checks.items() if not e.passed}


def test_the_kpi_models_that_read_the_forecast_back_are_built_after_it(full_run: dict[str, Any]) -> None:
    order = [e.asset_key for e in full_run["result"].get_asset_materialization_events()]
    assert order.index(dg.AssetKey(["forecast", "forecast_accuracy"])) < order.index(dg.AssetKey(["kpi", "kpi_tracking"]))
    assert order.index(dg.AssetKey(["marts", "fct_deals"])) < order.index(dg.AssetKey(["forecast", "forecast_accuracy"]))
    assert order.index(dg.AssetKey(["serving", "serving_copy"])) < order.index(dg.AssetKey(["reports", "weekly_report"]))


def test_the_warehouse_the_serving_copy_and_the_reports_are_written(full_run: dict[str, Any]) -> None:
    data = full_run["data"]
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        for table in ("marts.fct_deals", "kpi.kpi_tracking", "forecast.forecast_summary",
                      "team_health.team_health_monthly"):
            assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0, table
    assert (data / "serving" / "warehouse.duckdb").exists()
    for kind in ("weekly", "monthly", "quarterly", "team_health"):
        assert (data / "reports" / f"{kind}.html").stat().st_size > 0
