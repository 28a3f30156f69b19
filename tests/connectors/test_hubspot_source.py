"""The HubSpot dlt source end to end: sandbox server -> hubspot-api-client -> dlt -> DuckDB (raw_hubspot).

A full sync, then changes in the dataset (updates, archives, a new property, new and removed
associations, stage moves) and an incremental sync: the warehouse must hold exactly the source's
records, with values cast to their types."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402

from connectors.common.errors import ConfigError  # noqa: E402
from connectors.hubspot import Client, Settings, source, source_counts  # noqa: E402
from sandbox.servers.common import Faults  # noqa: E402
from sandbox.servers.hubspot import DEFAULT_TOKEN, HubSpotServer  # noqa: E402
from sandbox.servers.hubspot.search import to_epoch_ms  # noqa: E402
from tests.connectors.hubspot_fixtures import (  # noqa: E402
    archive,
    crm_record,
    find,
    make_dataset,
    many_deals,
    move_stage,
    reset,
    touch,
    ts,
)

CRM = ("deals", "companies", "contacts", "calls", "meetings", "emails", "notes", "tasks")


class Sync:
    """A server, a client and a dlt pipeline into a temporary DuckDB file."""

    def __init__(self, server: HubSpotServer, tmp: Path) -> None:
        self.server = server
        self.sleeps: list[float] = []
        self.client = Client(
            Settings(access_token=DEFAULT_TOKEN, base_url=server.base_url), sleep=self.sleeps.append
        )
        self.db = tmp / "warehouse.duckdb"
        self.pipeline = dlt.pipeline(
            pipeline_name=f"hubspot_test_{uuid.uuid4().hex[:8]}",
            destination=dlt.destinations.duckdb(str(self.db)),
            dataset_name="raw_hubspot",
            pipelines_dir=str(tmp / "pipelines"),
        )

    def run(self, **kwargs: Any) -> None:
        self.pipeline.run(source(self.client, **kwargs))

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql).fetchall()

    def columns(self, table: str) -> dict[str, str]:
        return {
            name: kind
            for name, kind in self.rows(
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = 'raw_hubspot' and table_name = '{table}' order by ordinal_position"
            )
        }


@pytest.fixture(scope="module")
def shared() -> Iterator[HubSpotServer]:
    with HubSpotServer(make_dataset(), faults=Faults(), search_rate_limit=None) as srv:
        yield srv


@pytest.fixture()
def sync(shared: HubSpotServer, tmp_path: Path) -> Sync:
    return Sync(reset(shared), tmp_path)


def assert_matches_dataset(sync: Sync, object_type: str) -> None:
    """Every record of the dataset is in the table once, flagged as archived or not, with its values."""
    records = sync.server.dataset.records["hubspot"][object_type]
    cols = sync.columns(object_type)
    names = list(cols)
    landed = {
        row[0]: dict(zip(names, row, strict=True))
        for row in sync.rows(
            "select " + ", ".join(f'"{n}"' for n in names) + f" from raw_hubspot.{object_type}"
        )
    }
    assert names[0] == "id"
    assert set(landed) == {r["id"] for r in records}, object_type
    for record in records:
        row = landed[record["id"]]
        assert row["is_deleted"] == record["archived"], (object_type, record["id"])
        assert row["updated_at"] == datetime.fromisoformat(record["updatedAt"].replace("Z", "+00:00"))
        for name, value in record["properties"].items():
            assert name in cols, (object_type, name)
            stored = row[name]
            if value is None:
                assert stored is None
            elif cols[name] == "DOUBLE":
                assert stored == float(value)
            elif cols[name] == "BOOLEAN":
                assert stored is (value == "true")
            elif cols[name].startswith("TIMESTAMP"):
                assert stored == datetime.fromisoformat(value.replace("Z", "+00:00"))
            elif cols[name] == "BIGINT":
                assert stored == int(value)
            else:
                assert stored == value, (object_type, record["id"], name)


def test_a_full_sync_lands_every_record_with_typed_values(sync: Sync) -> None:
    sync.run()
    for object_type in CRM:
        assert_matches_dataset(sync, object_type)
    cols = sync.columns("deals")
    assert list(cols)[:6] == ["id", "created_at", "updated_at", "archived", "archived_at", "is_deleted"]
    assert cols["amount"] == "DOUBLE"
    assert cols["closedate"] == "TIMESTAMP WITH TIME ZONE"
    assert cols["hs_is_closed"] == "BOOLEAN"
    assert cols["hs_object_id"] == "BIGINT"
    assert sync.rows("select is_deleted, archived_at from raw_hubspot.deals where id = '306'") == [
        (True, datetime(2026, 11, 11, 9, tzinfo=UTC))
    ]


def test_owners_teams_pipelines_and_stages_land_with_their_types(sync: Sync) -> None:
    sync.run(objects=["owners", "owner_teams", "deal_pipelines", "deal_stages"])
    assert sync.rows("select id, email, is_deleted, user_id from raw_hubspot.owners order by id") == [
        ("101", "ada.lovelace@example.com", False, 1101),
        ("102", "grace.hopper@example.com", False, 1102),
        ("103", "alan.turing@example.com", True, 1103),
    ]
    assert sync.rows(
        'select owner_id, team_id, team_name, "primary" from raw_hubspot.owner_teams order by 1, 2'
    ) == [("101", "7", "East", True), ("102", "7", "East", False), ("102", "8", "West", True)]
    assert sync.rows("select id, label, is_deleted from raw_hubspot.deal_pipelines") == [
        ("default", "Sales Pipeline", False)
    ]
    stages = sync.rows(
        "select stage_id, probability, is_closed, display_order from raw_hubspot.deal_stages "
        "order by display_order"
    )
    assert stages[0] == ("appointmentscheduled", 0.2, False, 0)
    assert stages[5] == ("closedwon", 1.0, True, 5)
    assert stages[6] == ("closedlost", 0.0, True, 6)
    assert sync.columns("deal_stages")["probability"] == "DOUBLE"


def test_stage_and_lifecycle_history_land_one_row_per_change(sync: Sync) -> None:
    sync.run(objects=["deal_stage_history", "contact_lifecycle_history"])
    assert sync.rows(
        "select value, timestamp, source_type from raw_hubspot.deal_stage_history "
        "where deal_id = '302' order by timestamp"
    ) == [
        ("appointmentscheduled", datetime(2026, 11, 3, 9, tzinfo=UTC), "CRM_UI"),
        ("contractsent", datetime(2026, 11, 7, 9, tzinfo=UTC), "CRM_UI"),
        ("closedwon", datetime(2026, 11, 9, 9, tzinfo=UTC), "CRM_UI"),
    ]
    assert sync.rows("select count(*) from raw_hubspot.deal_stage_history") == [(11,)]  # live deals only
    assert sync.rows(
        "select value from raw_hubspot.contact_lifecycle_history where contact_id = '203' order by timestamp"
    ) == [("lead",), ("opportunity",), ("customer",)]


def test_associations_land_from_deals_contacts_and_engagements(sync: Sync) -> None:
    sync.run(objects=["associations"])
    rows = set(
        sync.rows(
            "select from_object_type, from_id, to_object_type, to_id, type_id, category "
            "from raw_hubspot.associations"
        )
    )
    assert ("deals", "301", "contacts", "201", 3, "HUBSPOT_DEFINED") in rows
    assert ("deals", "301", "companies", "11", 5, "HUBSPOT_DEFINED") in rows
    assert ("contacts", "204", "companies", "13", 1, "HUBSPOT_DEFINED") in rows
    assert ("calls", "401", "contacts", "201", 194, "HUBSPOT_DEFINED") in rows
    assert ("tasks", "801", "deals", "305", 216, "HUBSPOT_DEFINED") in rows
    assert len(rows) == 18
    assert sync.rows("select count(*) from raw_hubspot.associations where is_deleted") == [(0,)]


def test_an_incremental_sync_after_changes_lands_exactly_the_source(sync: Sync) -> None:
    sync.run()
    ds = sync.server.dataset
    deal = find(ds, "deals", 301)
    move_stage(deal, "decisionmakerboughtin", ts(20))
    touch(deal, ts(20), amount="15000", lead_channel="Referral")  # a new property
    archive(find(ds, "deals", 305), ts(20, 10))
    archive(find(ds, "companies", 13), ts(20, 11))
    touch(find(ds, "contacts", 204), ts(21), lifecyclestage="marketingqualifiedlead")
    find(ds, "contacts", 204)["propertiesWithHistory"]["lifecyclestage"].insert(
        0,
        {
            "value": "marketingqualifiedlead",
            "timestamp": ts(21),
            "sourceType": "FORM",
            "sourceId": None,
            "updatedByUserId": None,
        },
    )
    ds.records["hubspot"]["deals"].append(
        crm_record(
            "deals",
            307,
            ts(21),
            ts(21),
            dealname="New",
            amount="99",
            dealstage="appointmentscheduled",
            pipeline="default",
        )
    )
    links = ds.records["hubspot"]["associations"]
    links.remove(next(a for a in links if a["fromId"] == "301" and a["toId"] == "202"))
    links.append(
        {
            "fromObjectType": "deals",
            "fromId": "307",
            "toObjectType": "contacts",
            "toId": "202",
            "typeId": 3,
            "category": "HUBSPOT_DEFINED",
        }
    )
    links[:] = [a for a in links if not (a["fromObjectType"] == "deals" and a["fromId"] == "303")]
    touch(find(ds, "deals", 303), ts(21, 10))  # its associations changed: all removed
    ds.records["hubspot"]["owners"][0]["teams"] = []
    before = len(sync.server.requests)

    sync.run()

    for object_type in CRM:
        assert_matches_dataset(sync, object_type)
    assert sync.columns("deals")["lead_channel"] == "VARCHAR"
    assert sync.rows(
        "select value from raw_hubspot.deal_stage_history where deal_id = '301' "
        "order by timestamp desc limit 1"
    ) == [("decisionmakerboughtin",)]
    assert sync.rows(
        "select value, source_type from raw_hubspot.contact_lifecycle_history "
        "where contact_id = '204' order by timestamp desc limit 1"
    ) == [("marketingqualifiedlead", "FORM")]
    links_now = set(
        sync.rows(
            "select from_id, to_object_type, to_id from raw_hubspot.associations "
            "where from_object_type = 'deals'"
        )
    )
    assert ("301", "contacts", "202") not in links_now
    assert ("307", "contacts", "202") in links_now
    assert not any(from_id == "303" for from_id, _, _ in links_now)
    assert ("301", "contacts", "201") in links_now  # unchanged rows stay
    assert sync.rows("select count(*) from raw_hubspot.owner_teams where owner_id = '101'") == [(0,)]
    # Incremental: live deals were searched, not listed again.
    deal_lists = [p for _, p, _ in sync.server.requests[before:] if p.startswith("/crm/v3/objects/deals?")]
    assert deal_lists and all("archived=True" in p for p in deal_lists)


def test_a_vanished_owner_and_a_removed_stage_are_flagged_deleted(sync: Sync) -> None:
    sync.run(objects=["owners", "deal_stages", "owner_teams"])
    ds = sync.server.dataset
    ds.records["hubspot"]["owners"] = [o for o in ds.records["hubspot"]["owners"] if o["id"] != "102"]
    ds.records["hubspot"]["pipelines_deals"][0]["stages"].pop(4)
    sync.run(objects=["owners", "deal_stages", "owner_teams"])
    assert sync.rows("select is_deleted from raw_hubspot.owners where id = '102'") == [(True,)]
    assert sync.rows("select is_deleted from raw_hubspot.deal_stages where stage_id = 'contractsent'") == [
        (True,)
    ]
    assert sync.rows("select count(*) from raw_hubspot.owner_teams where owner_id = '102'") == [(0,)]


def test_a_value_that_does_not_parse_sends_the_record_to_rejected_records(sync: Sync) -> None:
    touch(find(sync.server.dataset, "deals", 302), ts(15), amount="12,5x")
    sync.run(objects=["deals"])
    rejected = sync.rows(
        "select source, object, record_id, reason, payload from raw_hubspot._rejected_records"
    )
    assert len(rejected) == 1
    src, obj, rid, reason, payload = rejected[0]
    assert (src, obj, rid) == ("hubspot", "deals", "302")
    assert "amount" in reason and "12,5x" in reason
    assert '"12,5x"' in payload
    assert sync.rows("select count(*) from raw_hubspot.deals where id = '302'") == [(0,)]
    # Fixed in the source: it lands on the next incremental run.
    touch(find(sync.server.dataset, "deals", 302), ts(16), amount="48000")
    sync.run(objects=["deals"])
    assert sync.rows("select amount from raw_hubspot.deals where id = '302'") == [(48000.0,)]


def test_full_refresh_lists_everything_again(sync: Sync) -> None:
    sync.run(objects=["companies"])
    before = len(sync.server.requests)
    sync.run(objects=["companies"], full_refresh=True)
    lists = [p for _, p, _ in sync.server.requests[before:] if p.startswith("/crm/v3/objects/companies?")]
    assert any("archived=False" in p for p in lists)
    assert_matches_dataset(sync, "companies")


def test_source_counts_match_the_live_rows_in_the_warehouse(sync: Sync) -> None:
    sync.run()
    counts = source_counts(sync.client, None)
    assert counts["deals"] == 5
    assert counts["owners"] == 2
    assert counts["deal_stages"] == 7
    for table, expected in counts.items():
        (landed,) = sync.rows(f"select count(*) from raw_hubspot.{table} where not is_deleted")[0]
        assert landed == expected, table


def test_rate_limits_during_a_sync_are_waited_out(sync: Sync) -> None:
    sync.server.faults.inject("429", 3)
    sync.server.faults.inject("503", 2)
    sync.run(objects=["deals", "owners"])
    assert len(sync.sleeps) == 5
    assert_matches_dataset(sync, "deals")


def test_an_unknown_object_name_is_a_config_error(sync: Sync) -> None:
    with pytest.raises(ConfigError, match="widgets"):
        source(sync.client, objects=["deals", "widgets"])


def test_a_spent_budget_during_a_full_listing_lands_the_pages_read_and_keeps_no_cursor(sync: Sync) -> None:
    sync.server.dataset.records["hubspot"]["deals"] += many_deals(250)
    sync.server.daily_limit = 4  # properties, one search (uncounted headers), two list pages
    sync.client.settings = Settings(
        access_token=DEFAULT_TOKEN, base_url=sync.server.base_url, budget_reserve=0
    )
    sync.run(objects=["deals"])
    assert sync.client.budget_exhausted is not None
    assert sync.rows("select count(*) from raw_hubspot.deals") == [(200,)]
    assert "cursor_ms" not in sync.pipeline.state["sources"]["hubspot"]["resources"]["deals"]
    sync.server.daily_limit = None
    sync.client.budget_exhausted = None
    sync.run(objects=["deals"])
    assert_matches_dataset(sync, "deals")


def test_a_spent_budget_during_a_search_keeps_the_cursor_reached_and_the_next_run_resumes(sync: Sync) -> None:
    sync.run(objects=["deals"])
    sync.server.dataset.records["hubspot"]["deals"] += many_deals(450)
    sync.client.settings = Settings(
        access_token=DEFAULT_TOKEN, base_url=sync.server.base_url, budget_reserve=0
    )
    sync.server.daily_limit = sync.server.daily_used + 2  # properties and the first search page
    sync.run(objects=["deals"])
    assert sync.client.budget_exhausted is not None
    # The first page: deal 305 again (modified at the saved cursor) and the 199 oldest new deals.
    assert sync.rows("select count(*) from raw_hubspot.deals where dealname like 'Bulk %'") == [(199,)]
    cursor = sync.pipeline.state["sources"]["hubspot"]["resources"]["deals"]["cursor_ms"]
    assert cursor == to_epoch_ms(many_deals(199)[-1]["updatedAt"])
    sync.server.daily_limit = None
    sync.client.budget_exhausted = None
    sync.run(objects=["deals"])
    assert_matches_dataset(sync, "deals")
