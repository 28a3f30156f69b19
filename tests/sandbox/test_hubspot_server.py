"""The HubSpot sandbox server answers like HubSpot CRM v3/v4 (real HTTP on 127.0.0.1, and the real
hubspot-api-client 12 where it matters)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.objects.exceptions import UnauthorizedException
from urllib3.util.retry import Retry

from sandbox.servers.common import Faults
from sandbox.servers.hubspot import AUTH_MESSAGE, DEFAULT_TOKEN, HubSpotServer
from sandbox.servers.hubspot.search import to_epoch_ms
from tests.connectors.hubspot_fixtures import find, make_dataset, many_deals, reset, touch, ts

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


@pytest.fixture(scope="module")
def shared() -> Iterator[HubSpotServer]:
    with HubSpotServer(make_dataset(), faults=Faults(), search_rate_limit=None) as srv:
        yield srv


@pytest.fixture()
def server(shared: HubSpotServer) -> HubSpotServer:
    return reset(shared)


def get(
    srv: HubSpotServer,
    path: str,
    params: Any = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    return requests.get(
        srv.base_url + path, params=params, headers=AUTH if headers is None else headers, timeout=10
    )


def post(srv: HubSpotServer, path: str, body: Any) -> requests.Response:
    return requests.post(srv.base_url + path, json=body, headers=AUTH, timeout=10)


def client(srv: HubSpotServer) -> HubSpot:
    return HubSpot(access_token=DEFAULT_TOKEN, host=srv.base_url)


def search(srv: HubSpotServer, object_type: str, **body: Any) -> dict[str, Any]:
    resp = post(srv, f"/crm/v3/objects/{object_type}/search", body)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


# -- lists ---------------------------------------------------------------------------------------
def test_client_library_get_all_pages_through_every_live_deal(server: HubSpotServer) -> None:
    server.dataset.records["hubspot"]["deals"] = server.dataset.records["hubspot"]["deals"] + many_deals(250)
    deals = client(server).crm.objects.get_all("deals", properties=["amount"])
    assert len(deals) == 255  # 5 live fixture deals + 250, the archived one left out
    assert len({d.id for d in deals}) == 255
    assert server.request_count(r"/crm/v3/objects/deals\?") == 3
    assert deals[0].properties["amount"] == "12000.5"


def test_deals_get_all_with_history_pages_by_fifty_and_returns_history(server: HubSpotServer) -> None:
    server.dataset.records["hubspot"]["deals"] = server.dataset.records["hubspot"]["deals"] + many_deals(70)
    deals = client(server).crm.deals.get_all(properties_with_history=["dealstage"])
    assert len(deals) == 75
    assert server.request_count(r"limit=50") == 2
    won = next(d for d in deals if d.id == "302")
    assert [v.value for v in won.properties_with_history["dealstage"]] == [
        "closedwon",
        "contractsent",
        "appointmentscheduled",
    ]


def test_list_pages_by_limit_and_omits_paging_on_the_last_page(server: HubSpotServer) -> None:
    ids, after, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        body = get(server, "/crm/v3/objects/contacts", params).json()
        pages += 1
        ids += [r["id"] for r in body["results"]]
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        assert body["paging"]["next"]["link"].endswith(f"after={after}")
    assert ids == ["201", "202", "203", "204"]
    assert pages == 2


def test_list_default_limit_is_ten(server: HubSpotServer) -> None:
    server.dataset.records["hubspot"]["deals"] = server.dataset.records["hubspot"]["deals"] + many_deals(20)
    body = get(server, "/crm/v3/objects/deals").json()
    assert len(body["results"]) == 10
    assert "paging" in body


def test_list_accepts_repeated_and_comma_separated_properties_and_ignores_unknown_ones(
    server: HubSpotServer,
) -> None:
    repeated = get(
        server, "/crm/v3/objects/deals?properties=amount&properties=nosuchprop&properties=closedate"
    )
    commas = get(server, "/crm/v3/objects/deals?properties=amount,nosuchprop,closedate")
    for resp in (repeated, commas):
        deal = next(r for r in resp.json()["results"] if r["id"] == "304")
        assert set(deal["properties"]) == {
            "amount",
            "closedate",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        }
        assert deal["properties"]["amount"] is None  # defined for deals, no value on this one
        assert deal["createdAt"] == ts(5)
        assert deal["archived"] is False


def test_list_without_properties_answers_the_default_ones(server: HubSpotServer) -> None:
    deal = get(server, "/crm/v3/objects/deals").json()["results"][0]
    assert set(deal["properties"]) == {
        "dealname",
        "amount",
        "closedate",
        "pipeline",
        "dealstage",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    contact = get(server, "/crm/v3/objects/contacts").json()["results"][0]
    assert {"email", "lastmodifieddate"} <= set(contact["properties"])


def test_archived_true_in_any_case_lists_only_archived_records(server: HubSpotServer) -> None:
    for flag in ("True", "true", "TRUE"):
        body = get(server, "/crm/v3/objects/deals", {"archived": flag}).json()
        assert [r["id"] for r in body["results"]] == ["306"]
        assert body["results"][0]["archived"] is True
        assert body["results"][0]["archivedAt"] == ts(11)
    live = get(server, "/crm/v3/objects/deals", {"archived": "False", "limit": 100}).json()
    assert "306" not in [r["id"] for r in live["results"]]


def test_list_includes_v3_associations_when_asked(server: HubSpotServer) -> None:
    body = get(server, "/crm/v3/objects/deals", {"associations": "contacts,companies"}).json()
    deal = next(r for r in body["results"] if r["id"] == "301")
    assert sorted(a["id"] for a in deal["associations"]["contacts"]["results"]) == ["201", "202"]
    assert deal["associations"]["companies"]["results"] == [{"id": "11", "type": "deal_to_company"}]
    lonely = next(r for r in body["results"] if r["id"] == "304")
    assert "associations" not in lonely


def test_a_bad_cursor_is_a_validation_error(server: HubSpotServer) -> None:
    resp = get(server, "/crm/v3/objects/deals", {"after": "!!!"})
    assert resp.status_code == 400
    assert resp.json()["category"] == "VALIDATION_ERROR"


def test_get_by_id_answers_one_record_and_404_in_the_hubspot_envelope(server: HubSpotServer) -> None:
    deal = get(server, "/crm/v3/objects/deals/302", {"properties": "dealstage"}).json()
    assert deal["properties"]["dealstage"] == "closedwon"
    missing = get(server, "/crm/v3/objects/deals/999")
    assert missing.status_code == 404
    assert missing.json()["status"] == "error"
    assert missing.json()["message"] == "resource not found"
    assert "correlationId" in missing.json()
    assert get(server, "/crm/v3/objects/deals/306").status_code == 404
    assert get(server, "/crm/v3/objects/deals/306", {"archived": "true"}).status_code == 200


def test_unknown_object_type_is_refused(server: HubSpotServer) -> None:
    resp = get(server, "/crm/v3/objects/widgets")
    assert resp.status_code == 400
    assert "widgets" in resp.json()["message"]


def test_batch_read_returns_history_and_reports_missing_ids_with_207(server: HubSpotServer) -> None:
    resp = post(
        server,
        "/crm/v3/objects/contacts/batch/read",
        {
            "inputs": [{"id": "201"}, {"id": "999"}],
            "properties": ["email"],
            "propertiesWithHistory": ["lifecyclestage"],
        },
    )
    assert resp.status_code == 207
    body = resp.json()
    assert [r["id"] for r in body["results"]] == ["201"]
    hist = body["results"][0]["propertiesWithHistory"]["lifecyclestage"]
    assert [h["value"] for h in hist] == ["salesqualifiedlead", "marketingqualifiedlead", "lead"]
    assert body["errors"][0]["context"]["ids"] == ["999"]
    ok = post(server, "/crm/v3/objects/contacts/batch/read", {"inputs": [{"id": "202"}], "properties": []})
    assert ok.status_code == 200


# -- search --------------------------------------------------------------------------------------
def ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["results"]]


def test_search_or_of_and_filters_with_typed_comparisons(server: HubSpotServer) -> None:
    groups = [
        {
            "filters": [
                {"propertyName": "amount", "operator": "GTE", "value": "10000"},
                {"propertyName": "dealstage", "operator": "NEQ", "value": "closedwon"},
            ]
        },
        {"filters": [{"propertyName": "dealstage", "operator": "IN", "values": ["closedlost"]}]},
    ]
    assert sorted(ids(search(server, "deals", filterGroups=groups))) == ["301", "303"]
    # 9000 < 12000.5 numerically, though not as text
    assert "301" in ids(
        search(
            server,
            "deals",
            filterGroups=[{"filters": [{"propertyName": "amount", "operator": "GT", "value": "9000"}]}],
        )
    )


def test_search_datetime_filters_take_epoch_ms_or_iso(server: HubSpotServer) -> None:
    as_ms = search(
        server,
        "deals",
        filterGroups=[
            {
                "filters": [
                    {
                        "propertyName": "hs_lastmodifieddate",
                        "operator": "GTE",
                        "value": str(to_epoch_ms(ts(8))),
                    }
                ]
            }
        ],
    )
    as_iso = search(
        server,
        "deals",
        filterGroups=[
            {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": ts(8)}]}
        ],
    )
    between = search(
        server,
        "deals",
        filterGroups=[
            {
                "filters": [
                    {
                        "propertyName": "hs_lastmodifieddate",
                        "operator": "BETWEEN",
                        "value": ts(8),
                        "highValue": ts(9),
                    }
                ]
            }
        ],
    )
    assert sorted(ids(as_ms)) == sorted(ids(as_iso)) == ["302", "303", "305"]
    assert sorted(ids(between)) == ["302", "303"]


def test_search_has_property_and_not_in(server: HubSpotServer) -> None:
    assert "304" not in ids(
        search(
            server,
            "deals",
            filterGroups=[{"filters": [{"propertyName": "amount", "operator": "HAS_PROPERTY"}]}],
        )
    )
    assert ids(
        search(
            server,
            "deals",
            filterGroups=[{"filters": [{"propertyName": "amount", "operator": "NOT_HAS_PROPERTY"}]}],
        )
    ) == ["304"]
    assert "302" not in ids(
        search(
            server,
            "deals",
            filterGroups=[
                {"filters": [{"propertyName": "dealstage", "operator": "NOT_IN", "values": ["closedwon"]}]}
            ],
        )
    )


def test_search_sorts_given_as_objects_or_strings(server: HubSpotServer) -> None:
    desc = search(server, "deals", sorts=[{"propertyName": "amount", "direction": "DESCENDING"}])
    assert ids(desc)[:3] == ["302", "301", "305"]
    assert ids(desc)[-1] == "304"  # no amount: last
    asc = search(server, "deals", sorts=["hs_lastmodifieddate"])
    assert ids(asc) == ["304", "301", "303", "302", "305"]


def test_search_pages_by_numeric_offset_with_total_and_no_paging_at_the_end(server: HubSpotServer) -> None:
    first = search(server, "deals", limit=2)
    assert first["total"] == 5
    assert first["paging"]["next"]["after"] == "2"
    last = search(server, "deals", limit=2, after="4")
    assert len(last["results"]) == 1
    assert "paging" not in last


def test_search_never_returns_archived_records(server: HubSpotServer) -> None:
    assert "306" not in ids(search(server, "deals", limit=100))
    assert "205" not in ids(search(server, "contacts", limit=100))


def test_search_answers_the_documented_default_properties(server: HubSpotServer) -> None:
    contact = search(server, "contacts", limit=1)["results"][0]
    assert set(contact["properties"]) == {
        "firstname",
        "lastname",
        "email",
        "lastmodifieddate",
        "hs_object_id",
        "createdate",
    }


def test_search_refuses_paging_past_the_cap_large_limits_and_too_many_groups() -> None:
    ds = make_dataset()
    ds.records["hubspot"]["deals"] += many_deals(30)
    with HubSpotServer(ds, faults=Faults(), search_cap=20, search_rate_limit=None) as srv:
        page = search(srv, "deals", limit=10, after="10")
        assert page["paging"]["next"]["after"] == "20"  # offered, as HubSpot does, though it fails
        past = post(srv, "/crm/v3/objects/deals/search", {"limit": 10, "after": "20"})
        assert past.status_code == 400
        assert past.json()["category"] == "VALIDATION_ERROR"
        big = post(srv, "/crm/v3/objects/deals/search", {"limit": 201})
        assert big.status_code == 400
        groups = [{"filters": [{"propertyName": "amount", "operator": "HAS_PROPERTY"}]}] * 6
        assert post(srv, "/crm/v3/objects/deals/search", {"filterGroups": groups}).status_code == 400


def test_client_library_search_with_dict_sorts(server: HubSpotServer) -> None:
    from hubspot.crm.objects import PublicObjectSearchRequest

    req = PublicObjectSearchRequest(
        filter_groups=[
            {
                "filters": [
                    {
                        "propertyName": "hs_lastmodifieddate",
                        "operator": "GTE",
                        "value": str(to_epoch_ms(ts(7))),
                    }
                ]
            }
        ],
        sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        properties=["dealstage"],
        limit=200,
    )
    page = client(server).crm.objects.search_api.do_search("deals", public_object_search_request=req)
    assert page.total == 3
    assert [r.id for r in page.results] == ["303", "302", "305"]
    assert page.paging is None


# -- owners, pipelines, properties ----------------------------------------------------------------
def test_owners_list_with_trailing_slash_teams_email_and_archived(server: HubSpotServer) -> None:
    api = client(server).crm.owners.owners_api
    page = api.get_page(limit=1)
    assert server.requests[-1][1].startswith("/crm/v3/owners/?")
    assert [o.id for o in page.results] == ["101"]
    second = api.get_page(limit=1, after=page.paging.next.after)
    assert [t.name for t in second.results[0].teams] == ["East", "West"]
    assert second.paging is None
    assert [o.id for o in api.get_page(email="grace.hopper@example.com").results] == ["102"]
    assert [o.id for o in api.get_page(archived=True).results] == ["103"]


def test_deal_pipeline_stage_metadata_values_are_strings(server: HubSpotServer) -> None:
    body = get(server, "/crm/v3/pipelines/deals").json()
    assert "paging" not in body
    stages = {s["id"]: s["metadata"] for s in body["results"][0]["stages"]}
    assert stages["closedwon"] == {"isClosed": "true", "probability": "1.0"}
    pipelines = client(server).crm.pipelines.pipelines_api.get_all("deals")
    assert pipelines.results[0].stages[0].metadata["probability"] == "0.2"


def test_properties_api_describes_types_and_shows_a_new_property(server: HubSpotServer) -> None:
    types = {p["name"]: p["type"] for p in get(server, "/crm/v3/properties/deals").json()["results"]}
    assert types["amount"] == "number"
    assert types["closedate"] == "datetime"
    assert types["hs_is_closed"] == "bool"
    assert types["dealstage"] == "enumeration"
    touch(find(server.dataset, "deals", 301), ts(20), lead_channel="Referral")
    props = client(server).crm.properties.core_api.get_all("deals").results
    assert "lead_channel" in {p.name for p in props}


# -- associations v4 -----------------------------------------------------------------------------
def test_v4_batch_associations_answer_both_directions_and_207_for_none(server: HubSpotServer) -> None:
    resp = post(
        server, "/crm/v4/associations/deals/contacts/batch/read", {"inputs": [{"id": "301"}, {"id": "304"}]}
    )
    assert resp.status_code == 207
    body = resp.json()
    assert body["results"][0]["from"] == {"id": "301"}
    assert [t["toObjectId"] for t in body["results"][0]["to"]] == [201, 202]
    assert body["results"][0]["to"][0]["associationTypes"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}
    ]
    assert body["errors"][0]["context"] == {"fromObjectId": ["304"]}
    back = post(server, "/crm/v4/associations/contacts/deals/batch/read", {"inputs": [{"id": "201"}]}).json()
    assert back["results"][0]["to"][0]["associationTypes"][0]["typeId"] == 4


def test_client_library_reads_v4_associations(server: HubSpotServer) -> None:
    from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest

    api = client(server).crm.associations.v4.batch_api
    res = api.get_page(
        "calls", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": "401"}])
    )
    assert res.results[0].to[0].to_object_id == "201"
    one = client(server).crm.associations.v4.basic_api.get_page("deals", "301", "companies")
    assert [r.to_object_id for r in one.results] == ["11"]
    assert one.results[0].association_types[0].type_id == 5


# -- auth, errors, limits ------------------------------------------------------------------------
def test_a_missing_or_wrong_token_gets_the_real_401_body(server: HubSpotServer) -> None:
    for headers in ({}, {"Authorization": "Bearer pat-wrong"}):
        resp = get(server, "/crm/v3/objects/deals", headers=headers)
        assert resp.status_code == 401
        body = resp.json()
        assert body["status"] == "error"
        assert body["category"] == "INVALID_AUTHENTICATION"
        assert body["message"] == AUTH_MESSAGE
        assert body["correlationId"]
    with pytest.raises(UnauthorizedException) as exc:
        HubSpot(access_token="pat-wrong", host=server.base_url).crm.objects.basic_api.get_page("deals")
    assert exc.value.status == 401


def test_app_rate_limit_answers_429_with_policy_and_retry_after() -> None:
    with HubSpotServer(make_dataset(), faults=Faults(rate_limit=2, rate_window=10.0)) as srv:
        ok = get(srv, "/crm/v3/objects/deals")
        assert ok.headers["X-HubSpot-RateLimit-Max"] == "2"
        assert ok.headers["X-HubSpot-RateLimit-Remaining"] == "1"
        assert ok.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert "X-HubSpot-RateLimit-Daily-Remaining" in ok.headers
        get(srv, "/crm/v3/objects/deals")
        limited = get(srv, "/crm/v3/objects/deals")
        assert limited.status_code == 429
        assert limited.json()["errorType"] == "RATE_LIMIT"
        assert limited.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        assert 1 <= int(limited.headers["Retry-After"]) <= 10
        no_retry = Retry(total=0, respect_retry_after_header=False, raise_on_status=False)
        with pytest.raises(ObjectsApiException) as exc:
            HubSpot(
                access_token=DEFAULT_TOKEN, host=srv.base_url, retry=no_retry
            ).crm.objects.basic_api.get_page("deals")
        assert exc.value.status == 429
        assert exc.value.headers["Retry-After"]


def test_client_library_waits_out_retry_after_on_get_by_default() -> None:
    with HubSpotServer(make_dataset(), faults=Faults(rate_limit=1, rate_window=1.0)) as srv:
        api = client(srv).crm.objects.basic_api
        api.get_page("deals")
        page = api.get_page("deals")  # refused once with Retry-After: 1, then served
        assert len(page.results) == 5
        assert [status for _, _, status in srv.requests] == [200, 429, 200]


def test_search_has_its_own_per_second_limit_and_no_rate_limit_headers() -> None:
    with HubSpotServer(
        make_dataset(), faults=Faults(rate_limit=100), search_rate_limit=1, search_rate_window=60.0
    ) as srv:
        first = post(srv, "/crm/v3/objects/deals/search", {})
        assert first.status_code == 200
        assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in first.headers)
        second = post(srv, "/crm/v3/objects/deals/search", {})
        assert second.status_code == 429
        assert second.json()["policyName"] == "SECONDLY"
        assert "Retry-After" in second.headers
        assert get(srv, "/crm/v3/objects/deals").status_code == 200  # lists are not held back


def test_daily_budget_runs_out_with_a_daily_429() -> None:
    with HubSpotServer(make_dataset(), faults=Faults(), daily_limit=2) as srv:
        assert get(srv, "/crm/v3/objects/deals").headers["X-HubSpot-RateLimit-Daily-Remaining"] == "1"
        get(srv, "/crm/v3/objects/deals")
        resp = get(srv, "/crm/v3/objects/deals")
        assert resp.status_code == 429
        assert resp.json()["policyName"] == "DAILY"
        srv.reset_usage()  # the next day
        assert get(srv, "/crm/v3/objects/deals").headers["X-HubSpot-RateLimit-Daily-Remaining"] == "1"


def test_queued_faults_answer_in_the_hubspot_envelope() -> None:
    faults = Faults()
    faults.inject("503")
    with HubSpotServer(make_dataset(), faults=faults) as srv:
        resp = get(srv, "/crm/v3/objects/deals")
        assert resp.status_code == 503
        assert resp.json()["status"] == "error"
