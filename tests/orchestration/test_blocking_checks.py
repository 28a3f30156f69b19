"""A critical Great Expectations check that fails stops the assets downstream of its table in the same
run; with a clean file the same selection builds them. The failed run alerts through the run-failure
sensor. No CRM here: the input files alone, from a folder the test writes."""

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_definitions
from tests.orchestration.orchestration_fixtures import check_results, materialized, write_config

RATES = dg.AssetKey(["inputs", "exchange_rates"])
STAGED_RATES = dg.AssetKey(["staging", "stg_inputs__exchange_rates"])
GOOD = "rate_date,currency,rate_to_corporate\n2026-01-02,EUR,1.0\n2026-01-02,USD,0.92\n2026-01-03,USD,0.93\n"
# a zero rate parses, so it lands, but would zero every amount converted with it
BAD = GOOD + "2026-01-04,USD,0\n"


def run_with_rates(folder: Path, manifest: Path, rates: str) -> dict[str, Any]:
    """Write `rates` as the exchange-rate file, then materialize the input assets and the staging model
    that reads it, on a throwaway instance (kept, for its logs)."""
    config = write_config(folder, sandbox=False, crms=())
    inputs = folder / "data" / "inputs"
    inputs.mkdir(parents=True)
    (inputs / "exchange_rates.csv").write_text(rates)
    defs = build_definitions(config, manifest)
    keys = [k for k in defs.resolve_all_asset_keys() if k.path[0] == "inputs"] + [STAGED_RATES]
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=keys, instance=instance, raise_on_error=False)
    return {"defs": defs, "result": result, "instance": instance, "warehouse": folder / "data" / "warehouse.duckdb"}


@pytest.fixture(scope="module")
def blocked(tmp_path_factory: pytest.TempPathFactory, manifest: Path, no_crm_credentials: None) -> dict[str, Any]:
    return run_with_rates(tmp_path_factory.mktemp("blocked"), manifest, BAD)


def test_a_failing_critical_check_fails_with_the_offending_column(blocked: dict[str, Any]) -> None:
    evaluation = check_results(blocked["result"])[("inputs/exchange_rates", "critical_expectations")]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "rate_to_corporate" in (evaluation.description or "")


def test_the_downstream_model_is_not_materialized_when_a_blocking_check_fails(blocked: dict[str, Any]) -> None:
    result = blocked["result"]
    assert not result.success
    assert RATES in materialized(result)
    assert STAGED_RATES not in materialized(result)
    with duckdb.connect(str(blocked["warehouse"]), read_only=True) as con:
        staged = con.execute("select count(*) from information_schema.tables where table_schema = 'staging'")
        assert staged.fetchone()[0] == 0


def test_the_dbt_step_was_planned_and_held_back_by_the_check(blocked: dict[str, Any]) -> None:
    logs = blocked["instance"].all_logs(blocked["result"].run_id)
    planned = [r for r in logs if r.dagster_event and r.dagster_event.event_type_value == "ASSET_MATERIALIZATION_PLANNED"
               and r.dagster_event.asset_key == STAGED_RATES]
    held = [r.user_message for r in logs if r.step_key == "dbt_warehouse" and "Not executing" in r.user_message]
    assert planned and held
    assert "inputs__exchange_rates_critical_expectations" in held[0]


def test_assets_not_downstream_of_the_failed_check_still_materialize(blocked: dict[str, Any]) -> None:
    assert dg.AssetKey(["inputs", "config_stage_mapping"]) in materialized(blocked["result"])


def test_the_failed_check_is_kept_in_ops_check_results(blocked: dict[str, Any]) -> None:
    with duckdb.connect(str(blocked["warehouse"]), read_only=True) as con:
        rows = con.execute("select check_name, severity from ops.check_results where asset = "
                           "'raw_inputs.exchange_rates' and not passed").fetchall()
    assert ("min:rate_to_corporate", "critical") in rows


def test_the_failed_run_raises_an_operational_alert(blocked: dict[str, Any]) -> None:
    result = blocked["result"]
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    sensor = blocked["defs"].resolve_sensor_def("alert_on_run_failure")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=failure, dagster_instance=dg.DagsterInstance.ephemeral(),
        dagster_run=result.dagster_run).for_run_failure()
    sensor(context)
    with duckdb.connect(str(blocked["warehouse"]), read_only=True) as con:
        alerts = con.execute("select kind, title, message from ops.alert_events").fetchall()
    assert [(kind, title) for kind, title, _ in alerts] == [("ops", f"Run failed: {result.dagster_run.job_name}")]
    assert result.dagster_run.run_id in alerts[0][2]


@pytest.mark.slow  # a dbt invocation: parsing alone takes several seconds
def test_with_a_clean_file_the_same_selection_builds_the_model(tmp_path: Path, manifest: Path,
                                                                no_crm_credentials: None) -> None:
    run = run_with_rates(tmp_path, manifest, GOOD)
    assert run["result"].success
    assert STAGED_RATES in materialized(run["result"])
    with duckdb.connect(str(run["warehouse"]), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_inputs__exchange_rates").fetchone()[0] == 3
