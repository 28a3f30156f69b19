"""The Salesforce dlt source lands exactly the org's records in DuckDB, incrementally, with deletes
flagged, bad records quarantined and the API budget respected."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from connectors.common.errors import BudgetExhausted
from connectors.salesforce import TABLES, source, source_counts
from sandbox.dataset import Dataset
from sandbox.servers.salesforce import SalesforceServer
from tests.connectors.salesforce_fixtures import (
    BASE_TIME,
    add_accounts,
    landed,
    make_client,
    make_dataset,
    make_pipeline,
    modify,
    serve,
    sf_id,
    sf_time,
    source_view,
    warehouse,
)


@pytest.fixture
def dataset() -> Dataset:
    return make_dataset()


@pytest.fixture
def sf_server(dataset: Dataset) -> SalesforceServer:
    return serve(dataset)


LATER = BASE_TIME + timedelta(days=2)


def assert_warehouse_matches_source(folder: Path, ds: Dataset, objects: list[str] | None = None) -> None:
    """Every record of every object landed once, with its deleted flag and latest SystemModstamp."""
    for sobject, table in TABLES.items():
        if objects is not None and sobject not in objects:
            continue
        expected = source_view(ds, sobject)
        rows = landed(folder, table) if expected else {}
        assert set(rows) == set(expected), sobject
        for rid, record in expected.items():
            assert rows[rid]["is_deleted"] is bool(record["IsDeleted"]), (sobject, rid)
            stamp = record.get("SystemModstamp") or record["CreatedDate"]
            column = "system_modstamp" if "SystemModstamp" in record else "created_date"
            assert sf_time(rows[rid][column]) == stamp, (sobject, rid)


def change_the_org(ds: Dataset) -> dict[str, str]:
    """A day of changes: an opportunity moves stage, one is deleted, an account and a history row appear."""
    sf = ds.records["salesforce"]
    opps = sf["Opportunity"]
    modify(
        opps[0], LATER, StageName="Closed Won", Probability=100.0, IsWon=True, IsClosed=True, Amount=1500.0
    )
    modify(opps[1], LATER + timedelta(minutes=1), IsDeleted=True)
    add_accounts(ds, 1, start=77)
    modify(sf["Account"][-1], LATER + timedelta(minutes=2))
    sf["OpportunityFieldHistory"].append(
        {
            "Id": sf_id("OpportunityFieldHistory", 99),
            "OpportunityId": opps[0]["Id"],
            "Field": "StageName",
            "DataType": "Text",
            "OldValue": "Needs Analysis",
            "NewValue": "Closed Won",
            "CreatedById": opps[0]["OwnerId"],
            "CreatedDate": sf_time(LATER),
            "IsDeleted": False,
        }
    )
    return {"won": opps[0]["Id"], "deleted": opps[1]["Id"], "new_account": sf["Account"][-1]["Id"]}


def test_full_sync_lands_every_object_with_snake_case_columns(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    client = make_client(sf_server)
    make_pipeline(tmp_path).run(source(client))
    assert_warehouse_matches_source(tmp_path, dataset)
    opp = landed(tmp_path, "opportunity")[sf_id("Opportunity", 3)]
    assert opp["stage_name"] == "Negotiation/Review" and opp["probability"] == 75.0  # 0-100 in raw
    assert opp["amount"] == 3000.0 and str(opp["close_date"]) == "2026-02-07"
    assert landed(tmp_path, "account")[sf_id("Account", 1)]["segment_c"] == "SMB"
    assert client.unavailable == {}


def test_incremental_sync_after_changes_and_deletes_matches_the_source(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    pipeline = make_pipeline(tmp_path)
    pipeline.run(source(make_client(sf_server)))
    ids = change_the_org(dataset)
    sf_server.requests.clear()
    pipeline.run(source(make_client(sf_server), overlap=timedelta(0)))
    assert_warehouse_matches_source(tmp_path, dataset)
    opps = landed(tmp_path, "opportunity")
    assert opps[ids["won"]]["stage_name"] == "Closed Won" and opps[ids["won"]]["amount"] == 1500.0
    assert opps[ids["deleted"]]["is_deleted"] is True
    queries = [p for _, p, _ in sf_server.requests if "/queryAll/" in p and "SELECT+Id" in p]
    assert queries and all("SystemModstamp+%3E%3D" in q or "CreatedDate+%3E%3D" in q for q in queries)
    loaded = pipeline.last_trace.last_normalize_info.row_counts
    # the changed records, plus the one sitting exactly at the cursor (the filter is >=)
    assert loaded["opportunity"] == 3 and loaded["opportunity_field_history"] == 2


def test_the_overlap_window_reads_back_recent_records(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    pipeline = make_pipeline(tmp_path)
    pipeline.run(source(make_client(sf_server), objects=["Opportunity"]))
    pipeline.run(source(make_client(sf_server), objects=["Opportunity"], overlap=timedelta(minutes=5)))
    newest = max(r["SystemModstamp"] for r in dataset.records["salesforce"]["Opportunity"])
    cutoff = sf_time(datetime.fromisoformat(newest.replace("+0000", "+00:00")) - timedelta(minutes=5))
    expected = sum(1 for r in dataset.records["salesforce"]["Opportunity"] if r["SystemModstamp"] >= cutoff)
    assert pipeline.last_trace.last_normalize_info.row_counts["opportunity"] == expected == 6


def test_the_cursor_commits_in_dlt_state_and_full_refresh_ignores_it(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    pipeline = make_pipeline(tmp_path)
    pipeline.run(source(make_client(sf_server), objects=["Opportunity"]))
    cursor = pipeline.state["sources"]["salesforce"]["resources"]["opportunity"]["cursor"]
    assert (
        cursor
        == max(
            datetime.fromisoformat(r["SystemModstamp"].replace("+0000", "+00:00"))
            for r in dataset.records["salesforce"]["Opportunity"]
        ).isoformat()
    )
    pipeline.run(source(make_client(sf_server), objects=["opportunity"], full_refresh=True))
    assert pipeline.last_trace.last_normalize_info.row_counts["opportunity"] == 10


def test_large_changes_go_through_bulk_api_with_several_pages(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    add_accounts(dataset, 44)
    client = make_client(sf_server, bulk_threshold=20, bulk_page_size=15)
    pipeline = make_pipeline(tmp_path)
    pipeline.run(source(client, objects=["Account", "Contact"]))
    assert sf_server.request_count(r"/jobs/query/\w+/results") == 4  # 50 accounts in pages of 15
    assert sf_server.request_count(r"FROM\+Contact\+ORDER") == 1  # 6 contacts stay on REST
    accounts = landed(tmp_path, "account")
    assert accounts[sf_id("Account", 1000)]["number_of_employees"] == 1000
    assert accounts[sf_id("Account", 2)]["annual_revenue"] == 2.0e6
    for record in dataset.records["salesforce"]["Account"][:3]:
        modify(record, LATER, IsDeleted=True)
    pipeline.run(source(make_client(sf_server, bulk_threshold=3), objects=["Account"]))
    assert_warehouse_matches_source(tmp_path, dataset, ["Account", "Contact"])


def test_a_new_custom_field_in_describe_becomes_a_column_and_a_removed_one_does_not_break(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    pipeline = make_pipeline(tmp_path)
    pipeline.run(source(make_client(sf_server), objects=["Account"]))
    for i, record in enumerate(dataset.records["salesforce"]["Account"]):
        record.pop("Industry")
        modify(record, LATER + timedelta(minutes=i), Region__c="EMEA" if i % 2 else "AMER")
    sf_server.describe_overrides = {"Account": [{"name": "Industry", "hidden": True}]}
    sf_server.requests.clear()
    pipeline.run(source(make_client(sf_server), objects=["Account"]))
    rows = landed(tmp_path, "account")
    assert {r["region_c"] for r in rows.values()} == {"EMEA", "AMER"}
    assert all(r["industry"] is None for r in rows.values())  # merged rows no longer carry it
    selects = [p for _, p, _ in sf_server.requests if "queryAll" in p and "SELECT+Id" in p]
    assert selects and not any("Industry" in p for p in selects) and all("Region__c" in p for p in selects)


def test_objects_the_org_lacks_are_skipped_and_reported(sf_server: SalesforceServer, tmp_path: Path) -> None:
    sf_server.hidden_objects = {"ForecastingQuota", "DatedConversionRate"}
    client = make_client(sf_server)
    make_pipeline(tmp_path).run(source(client))
    assert set(client.unavailable) == {"ForecastingQuota", "DatedConversionRate"}
    tables = {
        t
        for (t,) in warehouse(
            tmp_path, "select table_name from information_schema.tables where table_schema = 'raw_salesforce'"
        )
    }
    assert "opportunity" in tables and "forecasting_quota" not in tables
    counts = source_counts(client)
    assert "forecasting_quota" not in counts and counts["opportunity"] == 10


def test_bad_records_land_in_rejected_records_and_good_ones_still_load(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    sf = dataset.records["salesforce"]
    sf["Opportunity"][2]["Amount"] = "twelve hundred"
    sf["Opportunity"][3]["CloseDate"] = "2026-13-45"
    sf["Account"][0]["Id"] = None
    sf["Lead"][0]["SystemModstamp"] = "yesterday"
    make_pipeline(tmp_path).run(source(make_client(sf_server)))
    rejected = warehouse(
        tmp_path,
        "select object, record_id, reason from raw_salesforce._rejected_records order by object, record_id",
    )
    assert [(o, r) for o, r, _ in rejected] == [
        ("Account", None),
        ("Lead", sf_id("Lead", 1)),
        ("Opportunity", sf_id("Opportunity", 3)),
        ("Opportunity", sf_id("Opportunity", 4)),
    ]
    reasons = " ".join(reason for _, _, reason in rejected)
    assert "missing Id" in reasons and "'twelve hundred'" in reasons and "CloseDate" in reasons
    assert len(landed(tmp_path, "opportunity")) == 8 and len(landed(tmp_path, "account")) == 5


def test_faults_during_a_sync_are_retried_and_the_load_is_complete(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    add_accounts(dataset, 30)
    sf_server.faults.paths = r"/query|/jobs"
    for fault in ("500", "429", "drop", "503", "truncate"):
        sf_server.faults.inject(fault)
    client = make_client(sf_server, bulk_threshold=25, bulk_page_size=10)
    make_pipeline(tmp_path).run(source(client))
    assert_warehouse_matches_source(tmp_path, dataset)
    assert len(sf_server.faults.queue) == 0


def test_a_sync_stops_cleanly_at_the_budget_reserve_and_resumes_later(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    sf_server.daily_limit = 40
    client = make_client(sf_server, budget_reserve=0.25)  # stop with 10 requests left
    pipeline = make_pipeline(tmp_path)
    pipeline.run(source(client))
    assert isinstance(client.budget_exhausted, BudgetExhausted)
    assert sf_server.api_used == 30
    first = {
        t
        for (t,) in warehouse(
            tmp_path,
            "select table_name from information_schema.tables where "
            "table_schema = 'raw_salesforce' and table_name not like '_dlt%'",
        )
    }
    assert {"user", "user_role", "account"} <= first and "dated_conversion_rate" not in first
    with pytest.raises(BudgetExhausted):
        source_counts(client)
    sf_server.reset_usage()
    sf_server.daily_limit = 1000
    pipeline.run(source(make_client(sf_server, budget_reserve=0.25)))
    assert_warehouse_matches_source(tmp_path, dataset)


def test_the_runner_syncs_and_reconciles_with_the_source_counts(
    sf_server: SalesforceServer, dataset, tmp_path: Path
) -> None:
    from connectors.runner import sync_crm
    from connectors.salesforce import Client
    from tests.connectors.salesforce_fixtures import direct_env, fast

    result = sync_crm(
        "salesforce",
        direct_env(sf_server),
        tmp_path / "warehouse.duckdb",
        tmp_path / "pipelines",
        client_factory=lambda settings: Client(fast(settings)),
    )
    assert result.outcome == "success", result.message
    assert result.reconciled and len(result.reconciliation) == 14
    assert result.requests > 14


def test_the_runner_keeps_what_landed_when_the_budget_stops_a_sync(
    sf_server: SalesforceServer, dataset: Dataset, tmp_path: Path
) -> None:
    from connectors.runner import sync_crm
    from connectors.salesforce import Client
    from tests.connectors.salesforce_fixtures import direct_env, fast

    sf_server.daily_limit = 40
    result = sync_crm(
        "salesforce",
        direct_env(sf_server),
        tmp_path / "warehouse.duckdb",
        tmp_path / "pipelines",
        client_factory=lambda settings: Client(fast(settings, budget_reserve=0.25)),
    )
    assert result.outcome != "success" and "reserve of 10" in result.message
    assert len(landed(tmp_path, "account")) == 6 and sf_server.api_used == 30


def test_a_required_object_the_user_cannot_see_stops_the_sync_with_an_auth_error(
    sf_server: SalesforceServer, tmp_path: Path
) -> None:
    from dlt.pipeline.exceptions import PipelineStepFailed

    from connectors.common.errors import AuthError

    sf_server.hidden_objects = {"Opportunity"}
    with pytest.raises(PipelineStepFailed) as exc:
        make_pipeline(tmp_path).run(source(make_client(sf_server), objects=["Account", "Opportunity"]))
    inner = exc.value.__cause__ or exc.value.__context__
    while inner is not None and not isinstance(inner, AuthError):
        inner = inner.__cause__ or inner.__context__
    assert isinstance(inner, AuthError) and "read access" in str(inner)


def test_a_select_list_too_long_for_a_rest_url_goes_through_bulk(
    sf_server: SalesforceServer, dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setattr(sys.modules["connectors.salesforce.source"], "MAX_REST_SOQL_LENGTH", 50)
    make_pipeline(tmp_path).run(source(make_client(sf_server), objects=["Lead"]))
    assert sf_server.request_count(r"/jobs/query/\w+/results") == 1
    assert_warehouse_matches_source(tmp_path, dataset, ["Lead"])
