"""The Pipedrive sandbox server answers like the Pipedrive v1 and v2 APIs (real HTTP on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from sandbox.servers.common import Faults
from sandbox.servers.pipedrive import DEFAULT_TOKEN, PipedriveServer
from tests.connectors.pipedrive_fixtures import (
    CONTRACT_VALUE_KEY,
    LEAD_CHANNEL_KEY,
    delete_record,
    find,
    make_dataset,
    ts,
)

AUTH = {"x-api-token": DEFAULT_TOKEN}


@pytest.fixture(scope="module")
def shared_server() -> Iterator[PipedriveServer]:
    # One server for the module: stopping a server waits for its poll interval.
    with PipedriveServer(make_dataset(), faults=Faults()) as srv:
        yield srv


@pytest.fixture()
def server(shared_server: PipedriveServer) -> PipedriveServer:
    """The shared server with a fresh copy of the fixture dataset and default settings."""
    shared_server.dataset.replace(make_dataset())
    shared_server.recents_window = timedelta(days=30)
    return shared_server


def get(srv: PipedriveServer, path: str, params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(srv.base_url + path, params=params, headers=AUTH if headers is None else headers,
                        timeout=10)


def test_v2_deals_page_to_the_end_with_a_null_next_cursor(server: PipedriveServer) -> None:
    ids: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = get(server, "/api/v2/deals", params).json()
        pages += 1
        ids += [d["id"] for d in body["data"]]
        cursor = body["additional_data"]["next_cursor"]
        if cursor is None:
            break
    assert ids == [401, 402, 403, 404, 405, 407]
    assert pages == 3
    assert "next_cursor" in body["additional_data"]


def test_v2_cursor_paging_sorted_by_update_time_survives_an_update_while_paging(
        server: PipedriveServer) -> None:
    params: dict[str, Any] = {"limit": 3, "sort_by": "update_time"}
    body = get(server, "/api/v2/deals", params).json()
    seen = [d["id"] for d in body["data"]]
    assert seen == [405, 401, 402]
    find(server.dataset, "deals", 401)["update_time"] = ts(20)  # an offset would now skip 403
    while body["additional_data"]["next_cursor"]:
        body = get(server, "/api/v2/deals", {**params, "cursor": body["additional_data"]["next_cursor"]}).json()
        seen += [d["id"] for d in body["data"]]
    assert seen == [405, 401, 402, 403, 404, 407, 401]


def test_v2_deals_are_plain_ids_with_rfc3339_times_and_custom_fields_by_hash(server: PipedriveServer) -> None:
    deal = get(server, "/api/v2/deals", {"ids": "401"}).json()["data"][0]
    assert deal["owner_id"] == 102 and deal["org_id"] == 201
    assert deal["update_time"] == "2026-11-05T10:00:00Z"
    assert deal["custom_fields"][CONTRACT_VALUE_KEY] == {"value": 12000.0, "currency": "EUR"}


def test_v2_updated_since_keeps_records_updated_at_or_after_it(server: PipedriveServer) -> None:
    body = get(server, "/api/v2/deals", {"updated_since": ts(8, 15)}).json()
    assert sorted(d["id"] for d in body["data"]) == [403, 404, 407]
    until = get(server, "/api/v2/deals", {"updated_since": ts(8, 15), "updated_until": ts(9, 12)}).json()
    assert [d["id"] for d in until["data"]] == [403]


def test_v2_rejects_a_timestamp_that_is_not_rfc3339(server: PipedriveServer) -> None:
    resp = get(server, "/api/v2/deals", {"updated_since": "2026-11-08 15:00:00"})
    assert resp.status_code == 400
    body = resp.json()
    assert body["success"] is False and "updated_since" in body["error"] and body["data"] is None


def test_v2_lists_deleted_deals_only_when_status_asks_for_them(server: PipedriveServer) -> None:
    default = get(server, "/api/v2/deals").json()["data"]
    assert 406 not in [d["id"] for d in default]
    deleted = get(server, "/api/v2/deals", {"status": "deleted"}).json()["data"]
    assert [d["id"] for d in deleted] == [406]
    assert deleted[0]["is_deleted"] is True
    both = get(server, "/api/v2/deals", {"status": "won,deleted"}).json()["data"]
    assert sorted(d["id"] for d in both) == [403, 406]


def test_v2_deleted_activities_are_listed_with_their_flag(server: PipedriveServer) -> None:
    rows = get(server, "/api/v2/activities", {"updated_since": ts(6, 14)}).json()["data"]
    assert [(a["id"], a["is_deleted"]) for a in rows] == [(503, False), (506, True)]


def test_v2_include_fields_and_custom_fields_shape_the_answer(server: PipedriveServer) -> None:
    find(server.dataset, "deals", 401)["activities_count"] = 2
    plain = get(server, "/api/v2/deals", {"ids": "401"}).json()["data"][0]
    assert "activities_count" not in plain
    wide = get(server, "/api/v2/deals", {"ids": "401", "include_fields": "activities_count",
                                         "custom_fields": LEAD_CHANNEL_KEY}).json()["data"][0]
    assert wide["activities_count"] == 2
    assert wide["custom_fields"] == {LEAD_CHANNEL_KEY: 31}


def test_v2_limit_is_capped_at_500(server: PipedriveServer) -> None:
    deals = server.dataset.records["pipedrive"]["deals"]
    template = find(server.dataset, "deals", 405)
    deals.extend({**template, "id": 1000 + i} for i in range(600))
    body = get(server, "/api/v2/deals", {"limit": 1000}).json()
    assert len(body["data"]) == 500
    assert body["additional_data"]["next_cursor"] is not None


def test_v1_deals_page_to_the_end_without_next_start(server: PipedriveServer) -> None:
    first = get(server, "/v1/deals", {"limit": 4}).json()
    assert first["additional_data"]["pagination"] == {"start": 0, "limit": 4,
                                                      "more_items_in_collection": True, "next_start": 4}
    last = get(server, "/api/v1/deals", {"limit": 4, "start": 4}).json()
    assert last["additional_data"]["pagination"]["more_items_in_collection"] is False
    assert "next_start" not in last["additional_data"]["pagination"]
    assert [d["id"] for d in first["data"] + last["data"]] == [401, 402, 403, 404, 405, 407]


def test_v1_deal_has_id_objects_flags_v1_times_and_custom_fields_on_top(server: PipedriveServer) -> None:
    deal = get(server, "/v1/deals/401").json()["data"]
    assert deal["user_id"]["value"] == 102 and deal["user_id"]["name"] == "Bob Seller"
    assert deal["org_id"]["value"] == 201 and deal["person_id"]["value"] == 301
    assert deal["update_time"] == "2026-11-05 10:00:00"
    assert deal["active"] is True and deal["deleted"] is False
    assert deal[LEAD_CHANNEL_KEY] == "31"
    assert deal[CONTRACT_VALUE_KEY] == 12000.0 and deal[f"{CONTRACT_VALUE_KEY}_currency"] == "EUR"
    assert "custom_fields" not in deal and "is_deleted" not in deal


def test_v1_empty_list_has_null_data(server: PipedriveServer) -> None:
    body = get(server, "/v1/deals", {"user_id": 999}).json()
    assert body["success"] is True and body["data"] is None
    assert body["additional_data"]["pagination"]["more_items_in_collection"] is False


def test_v1_deleted_deals_come_with_status_deleted(server: PipedriveServer) -> None:
    rows = get(server, "/v1/deals", {"status": "deleted"}).json()["data"]
    assert [(d["id"], d["status"], d["deleted"]) for d in rows] == [(406, "deleted", True)]


def test_v1_activities_default_to_the_token_owner_and_user_id_0_means_everyone(
        server: PipedriveServer) -> None:
    mine = get(server, "/v1/activities").json()["data"]
    assert sorted(a["id"] for a in mine) == [503, 505]
    everyone = get(server, "/v1/activities", {"user_id": 0}).json()["data"]
    assert sorted(a["id"] for a in everyone) == [501, 502, 503, 504, 505]
    bob = get(server, "/v1/activities", {"user_id": 102, "type": "meeting"}).json()["data"]
    assert [(a["id"], a["user_id"]) for a in bob] == [(502, 102)]


def test_v1_metadata_endpoints_answer_in_the_v1_shape(server: PipedriveServer) -> None:
    users = get(server, "/v1/users").json()["data"]
    assert [u["id"] for u in users] == [101, 102, 103]
    types = get(server, "/v1/activityTypes").json()["data"]
    assert "lunch" in [t["key_string"] for t in types]
    stages = get(server, "/v1/stages", {"pipeline_id": 1}).json()["data"]
    assert stages[0]["active_flag"] is True and stages[0]["pipeline_name"] == "Subsidiary sales"
    pipelines = get(server, "/v1/pipelines").json()["data"]
    assert pipelines[0]["active"] is True and pipelines[0]["url_title"] == "subsidiary-sales"
    fields = get(server, "/v1/dealFields", {"limit": 4}).json()
    assert fields["additional_data"]["pagination"]["next_start"] == 4


def test_users_me_names_the_company_domain(server: PipedriveServer) -> None:
    me = get(server, "/api/v1/users/me").json()["data"]
    assert me["company_domain"] == "sandbox" and me["id"] == 101


def test_deal_flow_is_newest_first_with_v1_paging(server: PipedriveServer) -> None:
    first = get(server, "/v1/deals/403/flow", {"limit": 2, "items": "dealChange"}).json()
    assert [i["data"]["id"] for i in first["data"]] == [9005, 9004]
    assert first["additional_data"]["pagination"]["next_start"] == 2
    last = get(server, "/v1/deals/403/flow", {"limit": 2, "start": 2}).json()
    assert [i["data"]["id"] for i in last["data"]] == [9003]
    assert "next_start" not in last["additional_data"]["pagination"]
    assert get(server, "/v1/deals/405/flow").json()["data"] is None


def test_deal_flow_of_an_unknown_deal_is_a_404_in_the_error_envelope(server: PipedriveServer) -> None:
    resp = get(server, "/v1/deals/9999/flow")
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "error": "Deal not found", "data": None,
                           "additional_data": None,
                           "error_info": "Please check developers.pipedrive.com for more information "
                                         "about Pipedrive API."}


def test_recents_only_reach_back_over_their_window(server: PipedriveServer) -> None:
    delete_record(server.dataset, "persons", 304, ts(25))
    body = get(server, "/v1/recents", {"since_timestamp": "2026-11-01 00:00:00", "items": "deal,person"}).json()
    items = [(i["item"], i["id"]) for i in body["data"]]
    assert ("person", 304) in items and ("deal", 407) in items
    assert body["additional_data"]["last_timestamp_on_page"] == "2026-11-25 09:00:00"
    server.recents_window = server.recents_window / 10  # three days before as_of: only the deletion
    narrow = get(server, "/v1/recents", {"since_timestamp": "2026-11-01 00:00:00"}).json()
    assert [(i["item"], i["id"]) for i in narrow["data"]] == [("person", 304)]
    assert narrow["data"][0]["data"]["active_flag"] is False


@pytest.mark.parametrize("style", ["header", "query", "bearer"])
def test_each_auth_style_is_accepted(server: PipedriveServer, style: str) -> None:
    params = {"api_token": DEFAULT_TOKEN} if style == "query" else None
    headers = {"header": AUTH, "query": {}, "bearer": {"Authorization": f"Bearer {DEFAULT_TOKEN}"}}[style]
    resp = get(server, "/api/v2/pipelines", params, headers)
    assert resp.status_code == 200 and resp.json()["data"][0]["name"] == "Subsidiary sales"


@pytest.mark.parametrize("headers", [{}, {"x-api-token": "wrong"}])
def test_a_missing_or_wrong_token_gets_the_gateway_401(server: PipedriveServer, headers: dict[str, str]) -> None:
    resp = get(server, "/v1/users", headers=headers)
    assert resp.status_code == 401
    assert resp.headers["x-401-by-gw"] == "true"
    assert resp.json() == {"success": False, "error": "unauthorized access", "errorCode": 401,
                           "error_info": "Please check developers.pipedrive.com"}


def test_every_response_carries_rate_limit_headers() -> None:
    with PipedriveServer(make_dataset()) as srv:
        ok = get(srv, "/api/v2/stages")
        denied = get(srv, "/api/v2/stages", headers={})
    for resp in (ok, denied):
        assert resp.headers["x-ratelimit-limit"] == "80"
        assert int(resp.headers["x-ratelimit-remaining"]) < 80
        assert resp.headers["x-ratelimit-reset"] == "2"
        assert "x-daily-ratelimit-token-remaining" in resp.headers


def test_the_burst_limit_answers_429_with_retry_after() -> None:
    with PipedriveServer(make_dataset(), faults=Faults(rate_limit=2, rate_window=30.0)) as srv:
        codes = [get(srv, "/api/v2/stages").status_code for _ in range(3)]
        resp = get(srv, "/api/v2/stages")
    assert codes == [200, 200, 429]
    assert resp.json() == {"success": False, "error": "Request over limit", "errorCode": 429}
    assert 1 <= int(resp.headers["Retry-After"]) <= 30
    assert resp.headers["x-ratelimit-remaining"] == "0"


def test_the_daily_token_budget_charges_documented_costs_and_then_refuses() -> None:
    with PipedriveServer(make_dataset(), faults=Faults(), daily_token_budget=45) as srv:
        get(srv, "/api/v2/deals")   # v2 list: 10
        get(srv, "/api/v2/deals/401")  # v2 single: 1
        resp = get(srv, "/v1/deals/401")  # v1 single: 2
        assert resp.headers["x-daily-ratelimit-token-remaining"] == "32"
        assert get(srv, "/v1/users").status_code == 200  # v1 list: 20
        refused = get(srv, "/v1/users")
        srv.reset_usage()  # the next day
        again = get(srv, "/v1/users")
    assert refused.status_code == 429
    assert refused.headers["x-daily-ratelimit-token-remaining"] == "0"
    assert int(refused.headers["Retry-After"]) > 0
    assert again.status_code == 200 and again.headers["x-daily-ratelimit-token-remaining"] == "25"


def test_an_unknown_path_answers_404_in_the_error_envelope(server: PipedriveServer) -> None:
    resp = get(server, "/api/v2/nothing")
    assert resp.status_code == 404 and resp.json()["success"] is False


def test_server_errors_use_the_error_envelope() -> None:
    faults = Faults()
    faults.inject("503")
    with PipedriveServer(make_dataset(), faults=faults) as srv:
        resp = get(srv, "/api/v2/deals")
    assert resp.status_code == 503
    assert resp.json()["errorCode"] == 503 and resp.json()["success"] is False
