"""The HubSpot client wrapper against the sandbox server: paging, property splitting, error mapping,
retries that honour Retry-After (POST search included) and the daily budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.common.errors import AuthError, BudgetExhausted, ConfigError, RequestError
from connectors.hubspot import Client, Settings
from connectors.hubspot.client import split_properties
from sandbox.servers.common import Faults
from sandbox.servers.hubspot import DEFAULT_TOKEN, HubSpotServer
from tests.connectors.hubspot_fixtures import make_dataset, many_deals, reset


@pytest.fixture(scope="module")
def shared() -> Iterator[HubSpotServer]:
    with HubSpotServer(make_dataset(), faults=Faults(), search_rate_limit=None) as srv:
        yield srv


@pytest.fixture()
def server(shared: HubSpotServer) -> HubSpotServer:
    return reset(shared)


def make_client(srv: HubSpotServer, **overrides: Any) -> tuple[Client, list[float]]:
    sleeps: list[float] = []
    settings = Settings(
        access_token=overrides.pop("token", DEFAULT_TOKEN), base_url=srv.base_url, **overrides
    )
    return Client(settings, sleep=sleeps.append), sleeps


# -- settings ------------------------------------------------------------------------------------
def test_settings_from_env_read_token_and_base_url_and_keep_the_token_out_of_repr() -> None:
    settings = Settings.from_env(
        {"HUBSPOT_ACCESS_TOKEN": "pat-na1-secret", "HUBSPOT_API_BASE_URL": "http://127.0.0.1:9/"}
    )
    assert settings.base_url == "http://127.0.0.1:9"
    assert settings.access_token == "pat-na1-secret"
    assert "pat-na1-secret" not in repr(settings)
    assert Settings.from_env({"HUBSPOT_ACCESS_TOKEN": "x"}).base_url == "https://api.hubapi.com"


def test_settings_without_a_token_name_the_variable_and_how_to_get_one() -> None:
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({})
    assert "HUBSPOT_ACCESS_TOKEN" in str(exc.value)
    assert "private app" in str(exc.value)
    with pytest.raises(ConfigError, match="HUBSPOT_API_BASE_URL"):
        Settings.from_env({"HUBSPOT_ACCESS_TOKEN": "x", "HUBSPOT_API_BASE_URL": "ftp://nowhere"})


# -- reading -------------------------------------------------------------------------------------
def test_check_connection_makes_one_call(server: HubSpotServer) -> None:
    client, _ = make_client(server)
    assert "127.0.0.1" in client.check_connection()
    assert client.request_count == 1


def test_iter_list_pages_to_the_end(server: HubSpotServer) -> None:
    server.dataset.records["hubspot"]["deals"] += many_deals(230)
    client, _ = make_client(server)
    pages = list(client.iter_list("deals", ["amount", "dealname"]))
    assert [len(p) for p in pages] == [100, 100, 35]
    assert len({r["id"] for p in pages for r in p}) == 235
    assert all("archived=False" in path for _, path, _ in server.requests)


def test_long_property_lists_are_split_into_short_urls_and_merged_by_id(server: HubSpotServer) -> None:
    client, _ = make_client(server, max_property_chars=80)
    names = [p["name"] for p in client.properties("deals")]
    assert len(split_properties(names, 80)) > 2
    before = len(server.requests)
    page = client.list_page("deals", names)
    lists = [path for _, path, _ in server.requests[before:]]
    assert len(lists) == len(split_properties(names, 80))
    assert all(len(path) < 400 for path in lists)
    deal = next(r for r in page["results"] if r["id"] == "302")
    assert set(names) <= set(deal["properties"])
    assert deal["properties"]["dealstage"] == "closedwon"
    assert deal["properties"]["amount"] == "48000"


def test_split_properties_keeps_every_name_once_in_order() -> None:
    names = [f"property_{i}" for i in range(50)]
    groups = split_properties(names, 100)
    assert [n for g in groups for n in g] == names
    assert all(sum(len(n) + 12 for n in g) <= 100 for g in groups)


def test_batch_read_skips_missing_ids(server: HubSpotServer) -> None:
    client, _ = make_client(server)
    found = client.batch_read("deals", ["301", "999"], ["amount"], history=["dealstage"])
    assert [r["id"] for r in found] == ["301"]
    assert len(found[0]["propertiesWithHistory"]["dealstage"]) == 3


def test_associations_leave_out_records_without_any(server: HubSpotServer) -> None:
    client, _ = make_client(server)
    found = client.associations("deals", "contacts", ["301", "304"])
    assert sorted(str(t["toObjectId"]) for t in found["301"]) == ["201", "202"]
    assert "304" not in found


# -- errors and retries --------------------------------------------------------------------------
def test_a_rate_limited_list_waits_retry_after_then_succeeds(server: HubSpotServer) -> None:
    server.faults.inject("429", 2)
    client, sleeps = make_client(server)
    pages = list(client.iter_list("deals", ["amount"]))
    assert len(pages[0]) == 5
    assert len(sleeps) == 2
    assert all(s >= 1.0 for s in sleeps)  # the server said Retry-After: 1
    assert client.request_count == 3


def test_a_rate_limited_search_post_is_retried(server: HubSpotServer) -> None:
    server.faults.paths = r"/search$"
    server.faults.inject("429", 3)
    client, sleeps = make_client(server)
    assert client.count("deals") == 5
    assert len(sleeps) == 3
    assert [status for method, _, status in server.requests if method == "POST"] == [429, 429, 429, 200]


def test_search_per_second_limit_is_waited_out() -> None:
    with HubSpotServer(make_dataset(), faults=Faults(), search_rate_limit=1, search_rate_window=30.0) as srv:
        client, sleeps = make_client(srv, max_attempts=3)
        client.count("deals")
        with pytest.raises(Exception) as exc:  # the window never frees within three fast attempts
            client.count("deals")
        assert "429" in str(exc.value)
        assert len(sleeps) == 2
        assert sleeps[0] >= 1.0


def test_server_errors_dropped_connections_and_truncated_bodies_are_retried(server: HubSpotServer) -> None:
    for kind in ("503", "drop", "truncate", "500"):
        server.faults.inject(kind)
    client, sleeps = make_client(server)
    assert len(client.properties("deals")) > 5
    assert len(sleeps) == 4
    assert client.retries == 4


def test_a_wrong_token_is_an_auth_error_with_a_hint_and_is_not_retried(server: HubSpotServer) -> None:
    client, sleeps = make_client(server, token="pat-na1-wrong-token")
    with pytest.raises(AuthError) as exc:
        client.check_connection()
    text = str(exc.value)
    assert text.startswith("hubspot owners: HTTP 401 INVALID_AUTHENTICATION")
    assert "HUBSPOT_ACCESS_TOKEN" in text
    assert "pat-na1-wrong-token" not in text
    assert sleeps == []
    assert client.request_count == 1


def test_an_unknown_object_type_is_a_request_error(server: HubSpotServer) -> None:
    client, _ = make_client(server)
    with pytest.raises(RequestError, match="widgets"):
        client.properties("widgets")


def test_the_daily_budget_reserve_stops_further_calls(server: HubSpotServer) -> None:
    server.daily_limit = 10
    client, _ = make_client(server, budget_reserve=8)
    client.properties("deals")  # 9 left
    client.properties("deals")  # 8 left: at the reserve
    with pytest.raises(BudgetExhausted, match="HUBSPOT_API_BUDGET_RESERVE"):
        client.properties("deals")
    assert client.request_count == 2
    assert client.budget_exhausted is not None


def test_a_daily_429_is_budget_exhausted_not_a_retry(server: HubSpotServer) -> None:
    server.daily_limit = 0
    client, sleeps = make_client(server, budget_reserve=0)
    with pytest.raises(BudgetExhausted, match="daily"):
        client.properties("deals")
    assert sleeps == []
