"""Pipedrive organization custom fields land under readable columns, like deal custom fields do.

The sandbox serves `/v1/organizationFields`; the connector lands `organization_fields`, an
`organization_field_mapping` (hash key -> column) and the organizations with one column per custom
field, named after its label and kept when the field is renamed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402
import duckdb  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402

from connectors.pipedrive import Client, Settings, source, source_counts  # noqa: E402
from connectors.pipedrive.records import CustomFields, assign_columns, custom_row  # noqa: E402
from connectors.pipedrive.settings import ORGANIZATION_STANDARD_COLUMNS  # noqa: E402
from sandbox.compare import compare_warehouse  # noqa: E402
from sandbox.dataset import Dataset  # noqa: E402
from sandbox.servers.common import Faults  # noqa: E402
from sandbox.servers.pipedrive import DEFAULT_TOKEN, PipedriveServer  # noqa: E402
from tests.connectors.pipedrive_fixtures import find, make_dataset, ts  # noqa: E402

WEBSITE_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d"
EMPLOYEES_KEY = "1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"
INDUSTRY_KEY = "2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f"
TIER_KEY = "3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60"
AUTH = {"x-api-token": DEFAULT_TOKEN}


def org_field(fid: int, key: str, name: str, field_type: str,
              options: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One `organizationFields.jsonl` line (v1 shape)."""
    return {"id": fid, "key": key, "name": name, "field_type": field_type, "options": options,
            "edit_flag": len(key) == 40, "active_flag": True, "add_time": "2025-01-06 08:00:00",
            "update_time": "2025-01-06 08:00:00"}


def with_organization_fields(ds: Dataset) -> Dataset:
    """The fixture company with standard and custom organization fields, set on its organizations."""
    ds.records["pipedrive"]["organizationFields"] = [
        org_field(1, "name", "Name", "varchar"),
        org_field(2, "owner_id", "Owner", "user"),
        org_field(3, "address", "Address", "address"),
        org_field(9101, WEBSITE_KEY, "Website", "varchar"),
        org_field(9102, EMPLOYEES_KEY, "Employees", "double"),
        org_field(9103, INDUSTRY_KEY, "Industry", "enum",
                  [{"id": 41, "label": "Manufacturing"}, {"id": 42, "label": "Software"}]),
    ]
    values = {201: ("www.acme.example", 250, 41), 202: ("www.globex.example", 1200, 42),
              203: (None, None, None)}
    for oid, (website, employees, industry) in values.items():
        find(ds, "organizations", oid)["custom_fields"] = {
            WEBSITE_KEY: website, EMPLOYEES_KEY: employees, INDUSTRY_KEY: industry}
    return ds


def company() -> Dataset:
    return with_organization_fields(make_dataset())


@pytest.fixture(scope="module")
def shared_server() -> Iterator[PipedriveServer]:
    with PipedriveServer(company(), faults=Faults()) as srv:
        yield srv


@pytest.fixture()
def server(shared_server: PipedriveServer) -> PipedriveServer:
    shared_server.dataset.replace(company())
    shared_server.faults = Faults()
    return shared_server


class Sync:
    """One dlt pipeline into a temporary DuckDB file, run against the sandbox server."""

    def __init__(self, srv: PipedriveServer, folder: Path) -> None:
        self.client = Client(Settings(api_token=DEFAULT_TOKEN, base_url=srv.base_url), sleep=lambda _: None)
        self.path = folder / "warehouse.duckdb"
        self.pipeline = dlt.pipeline(
            pipeline_name=f"pd_org_{uuid.uuid4().hex[:8]}",
            destination=dlt.destinations.duckdb(str(self.path)),
            dataset_name="raw_pipedrive",
            pipelines_dir=str(folder / "pipelines"),
        )

    def run(self, **kwargs: Any) -> None:
        self.pipeline.run(source(self.client, **kwargs))

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def column_types(self, table: str) -> dict[str, str]:
        return dict(self.query(  # type: ignore[arg-type]
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = 'raw_pipedrive' and table_name = '{table}'"))


@pytest.fixture()
def sync(server: PipedriveServer, tmp_path: Path) -> Sync:
    return Sync(server, tmp_path)


ORG_OBJECTS = ["organizations", "organization_fields", "organization_field_mapping"]


# -- the sandbox server --------------------------------------------------------------------------
def test_the_server_pages_organization_fields_like_deal_fields(server: PipedriveServer) -> None:
    first = requests.get(f"{server.base_url}/v1/organizationFields", params={"limit": 4}, headers=AUTH,
                         timeout=10).json()
    assert first["success"] is True
    assert [f["id"] for f in first["data"]] == [1, 2, 3, 9101]
    assert first["additional_data"]["pagination"] == {"start": 0, "limit": 4,
                                                      "more_items_in_collection": True, "next_start": 4}
    last = requests.get(f"{server.base_url}/api/v1/organizationFields", params={"start": 4, "limit": 4},
                        headers=AUTH, timeout=10).json()
    assert [f["key"] for f in last["data"]] == [EMPLOYEES_KEY, INDUSTRY_KEY]
    assert "next_start" not in last["additional_data"]["pagination"]
    one = requests.get(f"{server.base_url}/v1/organizationFields/9103", headers=AUTH, timeout=10).json()
    assert one["data"]["options"][1] == {"id": 42, "label": "Software"}


def test_organizations_carry_custom_fields_by_hash_in_v2_and_at_the_top_level_in_v1(
        server: PipedriveServer) -> None:
    v2 = requests.get(f"{server.base_url}/api/v2/organizations", params={"ids": "202"}, headers=AUTH,
                      timeout=10).json()["data"][0]
    assert v2["custom_fields"] == {WEBSITE_KEY: "www.globex.example", EMPLOYEES_KEY: 1200, INDUSTRY_KEY: 42}
    v1 = next(o for o in requests.get(f"{server.base_url}/v1/organizations", headers=AUTH,
                                      timeout=10).json()["data"] if o["id"] == 202)
    assert "custom_fields" not in v1
    # v1 gives option ids as text, typed from the organization fields (not the deal fields)
    assert (v1[WEBSITE_KEY], v1[EMPLOYEES_KEY], v1[INDUSTRY_KEY]) == ("www.globex.example", 1200, "42")


def test_an_account_without_organization_fields_answers_an_empty_v1_list(server: PipedriveServer) -> None:
    server.dataset.replace(make_dataset())
    body = requests.get(f"{server.base_url}/v1/organizationFields", headers=AUTH, timeout=10).json()
    assert body["success"] is True and body["data"] is None


# -- landing -------------------------------------------------------------------------------------
def test_organization_custom_fields_land_under_their_names(server: PipedriveServer, sync: Sync) -> None:
    sync.run(objects=ORG_OBJECTS)
    types = sync.column_types("organizations")
    assert types["website"] == "VARCHAR" and types["employees"] == "DOUBLE"
    assert not [c for c in types if len(c) >= 40 or c.startswith("custom_field")]
    rows = sync.query("select id, website, employees from raw_pipedrive.organizations order by id")
    assert rows == [(201, "www.acme.example", 250.0), (202, "www.globex.example", 1200.0), (203, None, None)]
    mapping = sorted(sync.query("select key, name, column_name, field_type, is_deleted "
                                "from raw_pipedrive.organization_field_mapping"))
    assert mapping == sorted([(WEBSITE_KEY, "Website", "website", "varchar", False),
                              (EMPLOYEES_KEY, "Employees", "employees", "double", False),
                              (INDUSTRY_KEY, "Industry", "industry", "enum", False)])
    assert sync.query("select count(*) from raw_pipedrive.organization_fields where not is_deleted") == [(6,)]
    counts = source_counts(sync.client, ORG_OBJECTS)
    assert counts == {"organizations": 3, "organization_fields": 6, "organization_field_mapping": 3}


def test_an_option_field_lands_its_label_and_its_option_id(server: PipedriveServer, sync: Sync) -> None:
    sync.run(objects=["organizations"])
    rows = sync.query("select id, industry, industry_id from raw_pipedrive.organizations order by id")
    assert rows == [(201, "Manufacturing", 41), (202, "Software", 42), (203, None, None)]


def test_a_renamed_field_keeps_its_column_and_a_new_one_gets_its_own(server: PipedriveServer,
                                                                     sync: Sync) -> None:
    sync.run(objects=ORG_OBJECTS)
    ds = server.dataset
    fields = ds.records["pipedrive"]["organizationFields"]
    next(f for f in fields if f["key"] == EMPLOYEES_KEY).update(name="Headcount", update_time="2026-11-20 08:00:00")
    # a new field labelled like the old name may not take the column over
    fields.append(org_field(9104, TIER_KEY, "Employees", "varchar"))
    find(ds, "organizations", 201).update(update_time=ts(20))
    find(ds, "organizations", 201)["custom_fields"].update({EMPLOYEES_KEY: 260, TIER_KEY: "gold"})
    sync.run(objects=ORG_OBJECTS)
    columns = sync.column_types("organizations")
    assert "headcount" not in columns
    tier_column = f"employees_{TIER_KEY[:8]}"
    assert sync.query(f"select employees, {tier_column} from raw_pipedrive.organizations where id = 201") == [
        (260.0, "gold")]
    assert sync.query("select employees from raw_pipedrive.organizations where id = 202") == [(1200.0,)]
    mapping = dict(sync.query("select key, name || ' -> ' || column_name "
                              "from raw_pipedrive.organization_field_mapping"))
    assert mapping[EMPLOYEES_KEY] == "Headcount -> employees"
    assert mapping[TIER_KEY] == f"Employees -> {tier_column}"


def test_a_deleted_field_is_flagged_and_a_deleted_organization_too(server: PipedriveServer, sync: Sync) -> None:
    sync.run(objects=ORG_OBJECTS)
    ds = server.dataset
    fields = ds.records["pipedrive"]["organizationFields"]
    fields[:] = [f for f in fields if f["key"] != WEBSITE_KEY]
    find(ds, "organizations", 203).update(is_deleted=True, update_time=ts(21))
    sync.run(objects=ORG_OBJECTS)
    assert sync.query("select is_deleted from raw_pipedrive.organization_field_mapping "
                      f"where key = '{WEBSITE_KEY}'") == [(True,)]
    assert sync.query("select is_deleted from raw_pipedrive.organization_fields where id = 9101") == [(True,)]
    assert sync.query("select id from raw_pipedrive.organizations where is_deleted") == [(203,)]
    # the organization that did not change keeps the value it had
    assert sync.query("select website from raw_pipedrive.organizations where id = 202") == [("www.globex.example",)]


def test_incremental_sync_reads_only_organizations_changed_since_the_cursor(server: PipedriveServer,
                                                                           sync: Sync) -> None:
    sync.run(objects=["organizations"])
    start = len(server.requests)
    find(server.dataset, "organizations", 202)["custom_fields"][EMPLOYEES_KEY] = 1300
    find(server.dataset, "organizations", 202)["update_time"] = ts(22)
    sync.run(objects=["organizations"])
    asked = [path for _, path, _ in server.requests[start:] if "/api/v2/organizations" in path]
    assert asked and all("updated_since=2026-11-01T09%3A50%3A00Z" in p for p in asked)
    assert sync.query("select employees from raw_pipedrive.organizations where id = 202") == [(1300.0,)]


def test_a_bad_custom_value_is_quarantined_and_counted(server: PipedriveServer, sync: Sync) -> None:
    orgs = server.dataset.records["pipedrive"]["organizations"]
    orgs.append({**find(server.dataset, "organizations", 202), "id": 204, "name": "Hooli",
                 "custom_fields": {EMPLOYEES_KEY: "lots", WEBSITE_KEY: "www.hooli.example"}})
    sync.run(objects=ORG_OBJECTS)
    rejected = sync.query("select object, record_id, reason from raw_pipedrive._rejected_records")
    assert [(o, r) for o, r, _ in rejected] == [("organizations", "204")]
    assert "employees" in rejected[0][2] and "lots" in rejected[0][2]
    assert sync.query("select id from raw_pipedrive.organizations order by id") == [(201,), (202,), (203,)]
    landed = sync.query("select count(*) from raw_pipedrive.organizations where not is_deleted")[0][0]
    assert source_counts(sync.client, ["organizations"])["organizations"] - landed == len(rejected)
    comparison = compare_warehouse(server.dataset, sync.path, "pipedrive", ["organizations"])
    assert comparison.ok, comparison.summary()
    assert comparison.quarantined == {"organizations": [("204",)]}


# -- the generated sandbox company ----------------------------------------------------------------
def test_a_generated_company_lands_website_and_employees_and_matches_the_dataset(tmp_path: Path) -> None:
    from sandbox.generator import generate, render

    dataset = render(generate(seed=3, size="tiny", as_of=date(2026, 9, 15)), truth=False)
    with PipedriveServer(dataset, faults=Faults()) as srv:
        sync = Sync(srv, tmp_path)
        sync.run()
        comparison = compare_warehouse(dataset, sync.path, "pipedrive")
    assert comparison.ok, comparison.summary()
    tables = {o.table: o for o in comparison.objects}
    assert tables["organization_fields"].records_compared == 2
    assert tables["organization_field_mapping"].records_compared == 2
    assert sync.query("select column_name from raw_pipedrive.organization_field_mapping order by column_name"
                      ) == [("employees",), ("website",)]
    first = dataset.records["pipedrive"]["organizations"][0]
    website, employees = first["custom_fields"].values()
    assert sync.query(f"select website, employees from raw_pipedrive.organizations where id = {first['id']}"
                      ) == [(website, float(employees))]


# -- column naming -------------------------------------------------------------------------------
def test_organization_custom_fields_do_not_take_standard_or_address_columns() -> None:
    fields = [{"id": 1, "key": "a" * 40, "name": "Name", "field_type": "varchar"},
              {"id": 2, "key": "b" * 40, "name": "Address country", "field_type": "varchar"},
              {"id": 3, "key": "c" * 40, "name": "Website", "field_type": "varchar"}]
    assert assign_columns(fields, {}, ORGANIZATION_STANDARD_COLUMNS) == {
        "a" * 40: "name_aaaaaaaa", "b" * 40: "address_country_bbbbbbbb", "c" * 40: "website"}


def test_an_option_field_whose_id_column_is_taken_gets_a_key_suffix() -> None:
    fields = [{"id": 1, "key": "a" * 40, "name": "Owner", "field_type": "enum"},
              {"id": 2, "key": "b" * 40, "name": "Region", "field_type": "varchar"},
              {"id": 3, "key": "c" * 40, "name": "Region id", "field_type": "varchar"}]
    assert assign_columns(fields, {}, ORGANIZATION_STANDARD_COLUMNS) == {
        "a" * 40: "owner_aaaaaaaa", "b" * 40: "region", "c" * 40: "region_id_cccccccc"}


def test_an_organization_row_rejects_a_fractional_whole_number() -> None:
    custom = CustomFields({"a" * 40: "seats"}, {"a" * 40: "int"}, {})
    good = custom_row("organizations", {"id": 1, "update_time": ts(3), "custom_fields": {"a" * 40: "12"}}, custom)
    assert good.row is not None and good.row["seats"] == 12
    bad = custom_row("organizations", {"id": 2, "update_time": ts(3), "custom_fields": {"a" * 40: 1.5}}, custom)
    assert bad.row is None and bad.record_id == 2 and bad.reason is not None and "seats" in bad.reason
