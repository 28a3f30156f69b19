"""The Pipedrive client and settings against the sandbox server (real HTTP on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.common.errors import AuthError, BudgetExhausted, ConfigError, RateLimitError
from connectors.pipedrive import Client, Settings
from connectors.pipedrive.settings import normalize_base_url
from sandbox.servers.common import Faults
from sandbox.servers.pipedrive import DEFAULT_TOKEN, PipedriveServer
from tests.connectors.pipedrive_fixtures import make_dataset


@pytest.fixture(scope="module")
def shared_server() -> Iterator[PipedriveServer]:
    with PipedriveServer(make_dataset(), faults=Faults()) as srv:
        yield srv


@pytest.fixture()
def server(shared_server: PipedriveServer) -> PipedriveServer:
    shared_server.dataset.replace(make_dataset())
    shared_server.faults = Faults()
    shared_server.daily_token_budget = None
    shared_server.tokens_used = 0
    return shared_server


def client_for(srv: PipedriveServer, *, token: str = DEFAULT_TOKEN, page_size: int = 500,
               waits: list[float] | None = None, **kwargs: object) -> Client:
    settings = Settings(api_token=token, base_url=srv.base_url, page_size=page_size, **kwargs)  # type: ignore[arg-type]
    return Client(settings, sleep=(waits.append if waits is not None else lambda _: None))


def test_settings_need_the_api_token() -> None:
    with pytest.raises(ConfigError, match="PIPEDRIVE_API_TOKEN"):
        Settings.from_env({"PIPEDRIVE_API_BASE_URL": "https://acme.pipedrive.com"})


def test_settings_keep_the_token_out_of_repr() -> None:
    settings = Settings.from_env({"PIPEDRIVE_API_TOKEN": "s3cret-token-value"})
    assert "s3cret" not in repr(settings)
    assert settings.base_url == "https://api.pipedrive.com"


@pytest.mark.parametrize("raw, root", [
    ("https://acme.pipedrive.com", "https://acme.pipedrive.com"),
    ("https://acme.pipedrive.com/api", "https://acme.pipedrive.com"),
    ("https://acme.pipedrive.com/api/v1/", "https://acme.pipedrive.com"),
    ("https://api.pipedrive.com/v1", "https://api.pipedrive.com"),
    ("acme", "https://acme.pipedrive.com"),
    ("http://127.0.0.1:8123/api", "http://127.0.0.1:8123"),
])
def test_base_url_is_accepted_with_or_without_api(raw: str, root: str) -> None:
    assert normalize_base_url(raw) == root


def test_base_url_given_with_api_reaches_the_same_endpoints(server: PipedriveServer) -> None:
    client = Client(Settings(api_token=DEFAULT_TOKEN, base_url=server.base_url + "/api"))
    assert [u["id"] for u in client.list_v1("users", obj="users")] == [101, 102, 103]


def test_check_connection_names_the_company(server: PipedriveServer) -> None:
    assert "sandbox" in client_for(server).check_connection()


def test_v2_paging_reaches_the_end(server: PipedriveServer) -> None:
    client = client_for(server, page_size=2)
    pages = list(client.iter_v2("deals", obj="deals"))
    assert [len(p) for p in pages] == [2, 2, 2]
    assert [d["id"] for p in pages for d in p] == [401, 402, 403, 404, 405, 407]


def test_v1_paging_reaches_the_end_and_null_data_gives_no_page(server: PipedriveServer) -> None:
    client = client_for(server, page_size=4)
    fields = client.list_v1("dealFields", obj="deal_fields")
    assert len(fields) == 6
    assert list(client.iter_v1("deals/405/flow", obj="deal_flow")) == []


def test_the_token_travels_in_a_header_not_in_the_url(server: PipedriveServer) -> None:
    client_for(server).list_v1("users", obj="users")
    assert all(DEFAULT_TOKEN not in path for _, path, _ in server.requests)


def test_bearer_auth_is_supported(server: PipedriveServer) -> None:
    client = client_for(server, auth_style="bearer")
    assert len(client.list_v1("users", obj="users")) == 3


def test_a_refused_token_raises_auth_error_without_the_token(server: PipedriveServer) -> None:
    client = client_for(server, token="not-the-right-token")
    with pytest.raises(AuthError) as info:
        client.check_connection()
    assert "unauthorized access" in str(info.value)
    assert "PIPEDRIVE_API_TOKEN" in str(info.value)  # says what to renew
    assert "not-the-right-token" not in str(info.value)


def test_429_is_retried_after_the_servers_retry_after(server: PipedriveServer) -> None:
    server.faults.inject("429", 2)
    waits: list[float] = []
    client = client_for(server, waits=waits)
    assert len(client.list_v1("users", obj="users")) == 3
    assert len(waits) == 2 and all(1.0 <= w < 1.2 for w in waits)  # Retry-After: 1
    assert [status for _, _, status in server.requests[-3:]] == [429, 429, 200]


def test_a_rate_limit_that_never_lifts_raises_after_the_retries(server: PipedriveServer) -> None:
    server.faults = Faults(rate_limit=2, rate_window=30.0)
    waits: list[float] = []
    client = client_for(server, waits=waits, page_size=2)
    with pytest.raises(RateLimitError):
        list(client.iter_v2("deals", obj="deals"))  # the fake sleep never lets the window pass
    assert len(waits) == 7 and all(w >= 1.0 for w in waits)


def test_a_spent_daily_budget_stops_instead_of_waiting_until_midnight(server: PipedriveServer) -> None:
    server.daily_token_budget = 25
    waits: list[float] = []
    client = client_for(server, waits=waits, token_reserve=0)
    client.list_v1("users", obj="users")  # 20 tokens
    with pytest.raises(BudgetExhausted):
        client.list_v1("users", obj="users")
    assert waits == []


def test_the_reserve_stops_the_sync_before_the_budget_is_spent(server: PipedriveServer) -> None:
    server.daily_token_budget = 100
    client = client_for(server, token_reserve=70)
    client.list_v1("users", obj="users")  # leaves 80
    client.list_v1("users", obj="users")  # leaves 60: below the reserve
    with pytest.raises(BudgetExhausted, match="reserve 70"):
        client.list_v1("users", obj="users")
    assert server.tokens_used == 40
