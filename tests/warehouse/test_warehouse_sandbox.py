"""The dbt project on what the connectors really land: the tiny sandbox company served on 127.0.0.1,
synced by the three CRM connectors and the file loader, then built. Checks that staging reads the
columns that land, and that the KPIs equal the generator's ground truth."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml

from revops import pipeline
from revops.config import load_config
from sandbox.dataset import read_csv

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 20)
CREDENTIALS = ["SALESFORCE_USERNAME", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN", "SALESFORCE_INSTANCE_URL",
               "SALESFORCE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "PIPEDRIVE_API_TOKEN"]
KEY = ["grain", "period_start", "scope_type", "scope_id", "kpi"]


@pytest.fixture(scope="module")
def sandbox_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    mp = pytest.MonkeyPatch()
    for name in CREDENTIALS:
        mp.delenv(name, raising=False)
    folder = tmp_path_factory.mktemp("sandbox_warehouse")
    data = yaml.safe_load((ROOT / "revops.yml").read_text())
    data["warehouse"] = {"path": "data/warehouse.duckdb", "serving_path": "data/serving/warehouse.duckdb",
                         "exports_dir": "data/exports", "data_dir": "data"}
    data["sandbox"] = {"seed": 42, "size": "tiny", "as_of": AS_OF.isoformat()}
    (folder / "revops.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    cfg = load_config(folder / "revops.yml")
    with pipeline.runtime(cfg) as rt:
        pipeline.sync(rt)
        build = pipeline.build(rt)
        yield {"warehouse": rt.warehouse, "build": build, "truth": rt.sandbox.dataset.truth}
    mp.undo()


def test_the_build_on_synced_data_passes_every_model_and_test(sandbox_warehouse: dict[str, Any]) -> None:
    build = sandbox_warehouse["build"]
    assert build["ok"], build["failed"] or build["exception"]
    assert build["failed"] == []


# staging columns that must be filled whenever their table has rows: an all-NULL column here means
# a connector renamed or dropped the raw column staging reads
FILLED = {
    "stg_salesforce__opportunities": ["opportunity_id", "stage_name", "amount", "currency", "close_date",
                                      "created_at", "owner_id", "account_id", "opportunity_type"],
    "stg_salesforce__opportunity_history": ["opportunity_id", "stage_name", "amount", "close_date", "created_at"],
    "stg_salesforce__accounts": ["account_id", "account_name", "website", "employees"],
    "stg_salesforce__users": ["user_id", "email"],
    "stg_salesforce__leads": ["lead_id", "email", "mql_at", "employees"],
    "stg_salesforce__tasks": ["task_id", "activity_date", "task_type", "owner_id"],
    "stg_salesforce__events": ["event_id", "start_at", "owner_id"],
    "stg_hubspot__deals": ["deal_id", "stage_id", "pipeline_id", "amount", "currency", "close_at", "created_at",
                           "owner_id"],
    "stg_hubspot__deal_stage_history": ["deal_id", "stage_id", "changed_at"],
    "stg_hubspot__deal_stages": ["pipeline_id", "stage_id", "probability"],
    "stg_hubspot__companies": ["company_id", "company_name", "domain", "employees"],
    "stg_hubspot__contacts": ["contact_id", "email", "mql_at"],
    "stg_hubspot__owners": ["owner_id", "email"],
    "stg_hubspot__calls": ["call_id", "occurred_at", "owner_id"],
    "stg_hubspot__emails": ["email_id", "occurred_at", "activity_category"],
    "stg_hubspot__associations": ["from_object_type", "from_id", "to_object_type", "to_id"],
    "stg_pipedrive__deals": ["deal_id", "stage_id", "deal_status", "amount", "currency", "created_at",
                             "expected_close_date", "owner_id"],
    "stg_pipedrive__deal_flow": ["deal_id", "field_key", "changed_at", "new_value"],
    "stg_pipedrive__stages": ["stage_id", "stage_name", "pipeline_id", "deal_probability"],
    "stg_pipedrive__pipelines": ["pipeline_id", "pipeline_name"],
    "stg_pipedrive__users": ["user_id", "email"],
    "stg_pipedrive__organizations": ["organization_id", "organization_name"],
    "stg_pipedrive__activities": ["activity_id", "activity_type", "due_date", "owner_id"],
    "stg_inputs__exchange_rates": ["currency", "rate_date", "rate_to_corporate"],
    "stg_inputs__hr_roster": ["employee_id", "email", "team", "hire_date"],
    "stg_inputs__quotas": ["rep_email", "period_start", "period_end", "quota_amount"],
}


@pytest.mark.parametrize(("model", "columns"), sorted(FILLED.items()))
def test_staging_reads_the_columns_the_connectors_land(sandbox_warehouse: dict[str, Any], model: str,
                                                       columns: list[str]) -> None:
    with duckdb.connect(str(sandbox_warehouse["warehouse"]), read_only=True) as con:
        total = con.execute(f"select count(*) from staging.{model}").fetchone()[0]
        assert total > 0, f"staging.{model} is empty: was its raw table landed?"
        empty = [c for c in columns
                 if con.execute(f"select count({c}) from staging.{model}").fetchone()[0] == 0]
    assert empty == [], f"staging.{model}: no values in {empty}"


@pytest.mark.xfail(reason="the Pipedrive connector does not land organization custom fields (Website, "
                          "Employees) under named columns yet, so Pipedrive-only accounts have no segment",
                   strict=False)
def test_pipedrive_organizations_carry_their_size_and_website(sandbox_warehouse: dict[str, Any]) -> None:
    with duckdb.connect(str(sandbox_warehouse["warehouse"]), read_only=True) as con:
        assert con.execute("select count(employees), count(domain) from staging.stg_pipedrive__organizations"
                           ).fetchone() > (0, 0)


@pytest.mark.xfail(reason="the HubSpot connector lands only the dealstage history; amount and closedate "
                          "histories are needed for point-in-time HubSpot amounts", strict=False)
def test_hubspot_amount_and_close_date_histories_are_landed(sandbox_warehouse: dict[str, Any]) -> None:
    with duckdb.connect(str(sandbox_warehouse["warehouse"]), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_hubspot__deal_amount_history").fetchone()[0] > 0
        assert con.execute("select count(*) from staging.stg_hubspot__deal_close_date_history").fetchone()[0] > 0


def _compare(sandbox_warehouse: dict[str, Any]) -> pd.DataFrame:
    truth = pd.DataFrame(read_csv(sandbox_warehouse["truth"]["kpi_values.csv"]))
    with duckdb.connect(str(sandbox_warehouse["warehouse"]), read_only=True) as con:
        ours = con.execute("select grain, cast(period_start as varchar) as period_start, scope_type, scope_id, kpi, "
                           "value from kpi.kpi_values").df()
    merged = truth.merge(ours, on=KEY, how="left", suffixes=("_truth", "_ours"), indicator=True)

    def same(a: Any, b: Any) -> bool:
        a = None if a in (None, "") or (isinstance(a, float) and math.isnan(a)) else float(a)
        b = None if b is None or (isinstance(b, float) and math.isnan(b)) else float(b)
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)

    merged["same"] = [same(a, b) for a, b in zip(merged["value_truth"], merged["value_ours"], strict=True)]
    return merged


# scopes and KPIs that the two connector gaps above leave untouched: anything by segment depends on
# Pipedrive organization sizes, the point-in-time pipeline KPIs on HubSpot amount/close-date history
POINT_IN_TIME = {"open_pipeline", "weighted_pipeline", "pipeline_coverage"}


def test_kpis_equal_the_ground_truth_outside_the_connector_gaps(sandbox_warehouse: dict[str, Any]) -> None:
    merged = _compare(sandbox_warehouse)
    checked = merged[(merged.scope_type != "segment") & ~merged.kpi.isin(POINT_IN_TIME)]
    assert len(checked) > 1000
    missing = checked[checked["_merge"] == "left_only"]
    wrong = checked[(checked["_merge"] == "both") & ~checked["same"]]
    assert missing.empty, missing.head(5).to_dict("records")
    assert wrong.empty, wrong.head(5).to_dict("records")


def test_point_in_time_pipeline_equals_the_ground_truth_for_salesforce_and_pipedrive(
        sandbox_warehouse: dict[str, Any]) -> None:
    merged = _compare(sandbox_warehouse)
    checked = merged[merged.kpi.isin(POINT_IN_TIME) & (merged.scope_type == "source")
                     & merged.scope_id.isin(["salesforce", "pipedrive"])]
    assert len(checked) > 50
    wrong = checked[~checked["same"]]
    assert wrong.empty, wrong.head(5).to_dict("records")
