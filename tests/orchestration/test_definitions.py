"""The Dagster definitions load and hold what the platform promises: one asset per landed object keyed
[source, object], the dbt models, the Python marts, serving and reports, the checks, the jobs, the
schedules with the configured cron and timezone, and the sensors."""

import importlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from connectors import hubspot, pipedrive, salesforce
from connectors.files.settings import COLUMNS as INPUT_FILES
from orchestration import automation
from orchestration.definitions import build_definitions
from orchestration.ingestion import CONFIG_TABLES
from revops.forecast.tables import SCHEMAS as FORECAST_TABLES
from revops.quality import SUITES
from revops.team_health.builder import TABLE_TYPES as TEAM_HEALTH_TABLES
from tests.orchestration.orchestration_fixtures import ROOT, asset_keys, write_config


def keys_of(defs: dg.Definitions, first: str) -> set[str]:
    return {k.path[-1] for k in asset_keys(defs) if k.path[0] == first}


def check_keys(defs: dg.Definitions) -> set[dg.AssetCheckKey]:
    return set(defs.resolve_asset_graph().asset_check_keys)


def test_the_module_dagster_loads_resolves_every_job_asset_and_check(
        demo_config: Path, manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVOPS_CONFIG", str(demo_config))
    monkeypatch.setenv("REVOPS_DBT_MANIFEST", str(manifest))
    module = importlib.import_module("orchestration.definitions")
    defs = module.defs()
    dg.Definitions.validate_loadable(defs)
    jobs = {j.name for j in defs.resolve_all_job_defs()}
    assert {"hourly_sync", "nightly_build", "end_to_end", "weekly_pipeline_review", "monthly_results_review",
            "quarterly_review"} <= jobs
    assert any(k.path[0] == "marts" for k in asset_keys(defs))


def test_every_crm_object_and_input_table_is_an_asset_keyed_source_and_object(demo_defs: dg.Definitions) -> None:
    assert keys_of(demo_defs, "salesforce") == set(salesforce.TABLES.values())
    assert keys_of(demo_defs, "hubspot") == set(hubspot.OBJECTS)
    assert keys_of(demo_defs, "pipedrive") == set(pipedrive.OBJECTS)
    assert keys_of(demo_defs, "inputs") == set(INPUT_FILES) | set(CONFIG_TABLES)


def test_landing_assets_are_grouped_by_source(demo_defs: dg.Definitions) -> None:
    graph = demo_defs.resolve_asset_graph()
    for key in asset_keys(demo_defs):
        if key.path[0] in ("salesforce", "hubspot", "pipedrive", "inputs"):
            assert graph.get(key).group_name == f"ingest_{key.path[0]}"


def test_dbt_models_are_assets_whose_sources_are_the_landing_assets(demo_defs: dg.Definitions) -> None:
    graph = demo_defs.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_salesforce__opportunities"])
    assert dg.AssetKey(["salesforce", "opportunity"]) in graph.get(staging).parent_keys
    assert dg.AssetKey(["inputs", "exchange_rates"]) in graph.get(
        dg.AssetKey(["staging", "stg_inputs__exchange_rates"])).parent_keys
    for schema in ("staging", "intermediate", "marts", "kpi"):
        assert keys_of(demo_defs, schema), schema
    assert {"fct_deals", "dim_reps", "fct_pipeline_daily"} <= keys_of(demo_defs, "marts")
    assert {"kpi_values", "kpi_tracking"} <= keys_of(demo_defs, "kpi")
    # every asset has a producer here: nothing is left as an external, unmaterializable key
    assert all(graph.get(k).is_materializable for k in asset_keys(demo_defs))


def test_python_marts_serving_and_reports_follow_the_dbt_models(demo_defs: dg.Definitions) -> None:
    graph = demo_defs.resolve_asset_graph()
    assert keys_of(demo_defs, "forecast") == set(FORECAST_TABLES)
    assert keys_of(demo_defs, "team_health") == set(TEAM_HEALTH_TABLES)
    assert keys_of(demo_defs, "reports") == {"weekly_report", "monthly_report", "quarterly_report",
                                              "team_health_report"}
    accuracy = dg.AssetKey(["forecast", "forecast_accuracy"])
    assert dg.AssetKey(["marts", "fct_deals"]) in graph.get(accuracy).parent_keys
    # the KPI tracking model reads the forecast accuracy back: the lineage goes through it
    assert dg.AssetKey(["kpi", "kpi_tracking"]) in graph.get(accuracy).child_keys | {
        c for k in graph.get(accuracy).child_keys for c in graph.get(k).child_keys}
    serving = dg.AssetKey(["serving", "serving_copy"])
    assert {dg.AssetKey(["kpi", "kpi_tracking"]), dg.AssetKey(["team_health", "team_health_monthly"])} <= \
        graph.get(serving).parent_keys
    assert graph.get(dg.AssetKey(["reports", "weekly_report"])).parent_keys == {serving}
    assert dg.AssetKey(["ops", "alert_events"]) in asset_keys(demo_defs)


def test_quality_reconciliation_freshness_and_dbt_test_checks_are_defined(demo_defs: dg.Definitions) -> None:
    checks = check_keys(demo_defs)
    names = {(c.asset_key.to_user_string(), c.name) for c in checks}
    for suite in SUITES:
        asset = f"{suite.schema.removeprefix('raw_')}/{suite.table}"
        assert (asset, "critical_expectations") in names
    assert ("salesforce/opportunity", "quality_expectations") in names
    assert ("pipedrive/deals", "reconciled_with_source") in names
    assert ("hubspot/deals", "freshness_check") in names
    assert ("inputs/exchange_rates", "freshness_check") in names
    dbt_checks = [c for c in checks if c.asset_key.path[0] in ("staging", "intermediate", "marts", "kpi")]
    assert any(c.name.startswith("unique_") for c in dbt_checks)


def test_critical_expectations_block_and_the_others_warn(demo_defs: dg.Definitions) -> None:
    graph = demo_defs.resolve_asset_graph()
    specs = {(k.asset_key.to_user_string(), k.name): graph.get_check_spec(k) for k in graph.asset_check_keys}
    assert specs[("salesforce/opportunity", "critical_expectations")].blocking
    assert specs[("inputs/exchange_rates", "critical_expectations")].blocking
    assert not specs[("salesforce/opportunity", "quality_expectations")].blocking
    assert not specs[("salesforce/opportunity", "reconciled_with_source")].blocking


def test_every_step_that_opens_the_warehouse_takes_the_warehouse_pool(demo_defs: dg.Definitions) -> None:
    graph = demo_defs.resolve_asset_graph()
    for key in asset_keys(demo_defs):
        assert graph.get(key).pools == {"warehouse"}, key.to_user_string()


def test_crm_syncs_retry_with_backoff(demo_defs: dg.Definitions) -> None:
    policy = demo_defs.resolve_assets_def(dg.AssetKey(["salesforce", "opportunity"])).op.retry_policy
    assert policy is not None and policy.max_retries >= 2 and policy.backoff == dg.Backoff.EXPONENTIAL


def test_jobs_select_the_sync_the_build_and_the_reports(demo_defs: dg.Definitions) -> None:
    graph = demo_defs.resolve_asset_graph()
    sync = automation.SYNC.resolve(graph)
    build = automation.BUILD.resolve(graph)
    assert {k.path[0] for k in sync} == {"salesforce", "hubspot", "pipedrive", "inputs"}
    assert dg.AssetKey(["marts", "fct_deals"]) in build and dg.AssetKey(["serving", "serving_copy"]) in build
    assert not sync & build
    for job in automation.JOBS:
        assert demo_defs.resolve_job_def(job.name).tags.get("revops/warehouse") == "exclusive"


def test_schedules_carry_the_configured_cron_and_timezone(demo_defs: dg.Definitions) -> None:
    schedules = {s.name: s for s in demo_defs.schedules}
    assert {n: (s.cron_schedule, s.job_name) for n, s in schedules.items()} == {
        "hourly_sync_schedule": ("0 * * * *", "hourly_sync"),
        "nightly_build_schedule": ("30 2 * * *", "nightly_build"),
        "weekly_pipeline_review_schedule": ("0 7 * * 1", "weekly_pipeline_review"),
        "monthly_results_review_schedule": ("0 7 1 * *", "monthly_results_review"),
        "quarterly_review_schedule": ("0 8 1 * *", "quarterly_review"),
    }
    assert {s.execution_timezone for s in schedules.values()} == {"UTC"}
    assert all(s.default_status == dg.DefaultScheduleStatus.RUNNING for s in schedules.values())


def test_a_company_timezone_and_custom_crons_reach_the_schedules(tmp_path: Path) -> None:
    config = write_config(tmp_path, company={"name": "Paris Co", "corporate_currency": "EUR",
                                             "fiscal_year_start_month": 4, "timezone": "Europe/Paris"},
                          schedules={"enabled": False, "sync_cron": "15 */2 * * *", "build_cron": "0 4 * * *"})
    defs = build_definitions(config, tmp_path / "no-manifest.json")
    schedules = {s.name: s for s in defs.schedules}
    assert schedules["hourly_sync_schedule"].cron_schedule == "15 */2 * * *"
    assert schedules["nightly_build_schedule"].cron_schedule == "0 4 * * *"
    assert {s.execution_timezone for s in schedules.values()} == {"Europe/Paris"}
    assert all(s.default_status == dg.DefaultScheduleStatus.STOPPED for s in schedules.values())


@pytest.mark.parametrize(("day", "runs"), [
    (datetime(2026, 5, 1, 8, tzinfo=UTC), True),    # fiscal year from February: Feb, May, Aug, Nov
    (datetime(2026, 2, 1, 8, tzinfo=UTC), True),
    (datetime(2026, 6, 1, 8, tzinfo=UTC), False),
    (datetime(2026, 1, 1, 8, tzinfo=UTC), False),
])
def test_the_quarterly_review_runs_on_the_first_day_of_a_fiscal_quarter_only(
        demo_defs: dg.Definitions, day: datetime, runs: bool) -> None:
    schedule = demo_defs.resolve_schedule_def("quarterly_review_schedule")
    with dg.build_schedule_context(scheduled_execution_time=day.astimezone(ZoneInfo("UTC"))) as context:
        data = schedule.evaluate_tick(context)
    assert bool(data.run_requests) is runs
    if not runs:
        assert "not the first day of a fiscal quarter" in (data.skip_message or "")


def test_the_run_failure_and_freshness_sensors_are_on_by_default(demo_defs: dg.Definitions) -> None:
    sensors = {s.name: s for s in demo_defs.sensors}
    assert set(sensors) == {"alert_on_run_failure", "landing_freshness_sensor"}
    assert isinstance(sensors["alert_on_run_failure"], dg.RunStatusSensorDefinition)
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())


def test_without_a_manifest_the_definitions_load_without_dbt_models(demo_config: Path, tmp_path: Path) -> None:
    defs = build_definitions(demo_config, tmp_path / "missing" / "manifest.json")
    dg.Definitions.validate_loadable(defs)
    firsts = {k.path[0] for k in asset_keys(defs)}
    assert not firsts & {"staging", "intermediate"}
    assert {"salesforce", "forecast", "serving", "reports"} <= firsts


def test_a_disabled_source_has_no_assets_to_sync_and_no_checks(tmp_path: Path, manifest: Path) -> None:
    defs = build_definitions(write_config(tmp_path, crms=("hubspot",)), manifest)
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    # the dbt sources of the other CRMs stay visible, as external tables nothing here produces
    firsts = {k.path[0] for k in asset_keys(defs) if graph.get(k).is_materializable}
    assert not firsts & {"salesforce", "pipedrive"} and "hubspot" in firsts
    assert not [c for c in check_keys(defs) if c.asset_key.path[0] in ("salesforce", "pipedrive")]


def test_the_repository_dagster_yaml_limits_the_warehouse_to_one_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        assert config.pool_config.pool_granularity is not None and config.pool_config.pool_granularity.value == "op"
        assert {"key": "revops/warehouse", "value": "exclusive", "limit": 1} in \
            config.run_queue_config.tag_concurrency_limits
        assert instance.run_retries_enabled and not instance.run_retries_retry_on_asset_or_op_failure
