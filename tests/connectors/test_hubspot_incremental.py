"""Incremental reads through CRM search: the filter, the ascending order, and restarts at the result
cap (a small cap in the sandbox stands in for HubSpot's 10,000)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.hubspot import Client, Settings
from connectors.hubspot.incremental import modified_since
from sandbox.servers.common import Faults
from sandbox.servers.hubspot import DEFAULT_TOKEN, HubSpotServer
from sandbox.servers.hubspot.search import to_epoch_ms
from tests.connectors.hubspot_fixtures import make_dataset, many_deals, reset, ts

CAP = 20
PAGE = 5


class Recorder:
    """A client that remembers every search body it sent."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.bodies: list[dict[str, Any]] = []

    def search_page(self, object_type: str, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append({**body, "filterGroups": [dict(g) for g in body["filterGroups"]]})
        return self.client.search_page(object_type, body)


@pytest.fixture(scope="module")
def shared() -> Iterator[HubSpotServer]:
    with HubSpotServer(make_dataset(), faults=Faults(), search_rate_limit=None) as srv:
        yield srv


@pytest.fixture()
def server(shared: HubSpotServer) -> HubSpotServer:
    return reset(shared, search_cap=CAP)


def recorder(srv: HubSpotServer) -> Recorder:
    return Recorder(Client(Settings(access_token=DEFAULT_TOKEN, base_url=srv.base_url)))


def read(rec: Recorder, since: str, props: list[str] | None = None) -> list[dict[str, Any]]:
    pages = modified_since(
        rec,
        "deals",
        "hs_lastmodifieddate",
        to_epoch_ms(since),
        props or ["dealname"],
        cap=CAP,
        page_size=PAGE,
    )
    return [r for page in pages for r in page]


def test_only_records_modified_at_or_after_the_cursor_come_back_oldest_first(server: HubSpotServer) -> None:
    rec = recorder(server)
    got = read(rec, ts(8))
    assert [r["id"] for r in got] == ["303", "302", "305"]
    body = rec.bodies[0]
    assert body["filterGroups"] == [
        {
            "filters": [
                {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(to_epoch_ms(ts(8)))}
            ]
        }
    ]
    assert body["sorts"] == [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]
    assert body["limit"] == PAGE


def test_contacts_are_searched_on_lastmodifieddate(server: HubSpotServer) -> None:
    rec = recorder(server)
    pages = modified_since(
        rec, "contacts", "lastmodifieddate", to_epoch_ms(ts(7)), ["email"], cap=CAP, page_size=PAGE
    )
    assert [r["id"] for p in pages for r in p] == ["203"]  # 205 changed later but is archived
    assert rec.bodies[0]["filterGroups"][0]["filters"][0]["propertyName"] == "lastmodifieddate"


def test_at_the_cap_a_new_query_starts_from_the_last_timestamp_and_every_record_comes_once(
    server: HubSpotServer,
) -> None:
    bulk = many_deals(73)
    for i, deal in enumerate(bulk):  # pairs of deals share a timestamp, so restarts land mid-pair
        when = ts(12, 10 + i // 2 // 60, (i // 2) % 60)
        deal["properties"]["hs_lastmodifieddate"] = deal["updatedAt"] = when
    server.dataset.records["hubspot"]["deals"] += bulk
    rec = recorder(server)
    got = read(rec, ts(12))
    ids = [r["id"] for r in got]
    assert len(ids) == len(set(ids)) == 73
    assert set(ids) == {d["id"] for d in bulk}
    starts = [b for b in rec.bodies if b["after"] == "0"]
    assert len(starts) >= 4  # 73 results through a cap of 20
    assert all(int(b["after"]) + PAGE <= CAP for b in rec.bodies)
    assert all(status == 200 for _, _, status in server.requests)
    times = [to_epoch_ms(r["properties"]["hs_lastmodifieddate"]) for r in got]
    assert times == sorted(times)


def test_an_instant_holding_more_records_than_the_cap_is_read_by_id(server: HubSpotServer) -> None:
    same = many_deals(47, same_time=ts(13, 12))
    later = many_deals(3, start_id=20_000, same_time=ts(13, 13))
    server.dataset.records["hubspot"]["deals"] += same + later
    rec = recorder(server)
    got = read(rec, ts(13))
    ids = [r["id"] for r in got]
    assert len(ids) == len(set(ids)) == 50
    assert ids[-3:] == ["20000", "20001", "20002"]
    by_id = [b for b in rec.bodies if len(b["filterGroups"][0]["filters"]) == 2]
    assert by_id and by_id[0]["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    assert all(status == 200 for _, _, status in server.requests)


def test_the_real_cap_default_pages_200_at_a_time(server: HubSpotServer) -> None:
    server.search_cap = 10_000
    server.dataset.records["hubspot"]["deals"] += many_deals(450)
    rec = recorder(server)
    pages = list(
        modified_since(rec, "deals", "hs_lastmodifieddate", 0, ["dealname"], cap=10_000, page_size=200)
    )
    assert [len(p) for p in pages] == [200, 200, 55]
    assert [b["after"] for b in rec.bodies] == ["0", "200", "400"]
