"""The Salesforce client logs in every supported way, retries what is transient, maps errors and
watches the daily API budget, against the sandbox server over real HTTPS."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.common.errors import AuthError, BudgetExhausted, RequestError
from sandbox.dataset import Dataset
from sandbox.servers.salesforce import SalesforceServer
from tests.connectors.salesforce_fixtures import (
    add_accounts,
    direct_env,
    login_env,
    make_client,
    make_dataset,
    serve,
)


@pytest.fixture
def dataset() -> Dataset:
    return make_dataset()


@pytest.fixture
def sf_server(dataset: Dataset) -> SalesforceServer:
    return serve(dataset)


def test_check_connection_describes_the_org_in_one_request(sf_server: SalesforceServer) -> None:
    client = make_client(sf_server)
    text = client.check_connection()
    assert "14999 of 15000" in text and client.request_count == 1
    assert client.usage == (1, 15000)


def test_password_login_goes_through_the_soap_endpoint(sf_server: SalesforceServer) -> None:
    client = make_client(sf_server, login_env(sf_server), rewrite_logins=True)
    assert client.count("Lead") == 4
    assert sf_server.request_count(r"/services/Soap/u/") == 1


def test_a_wrong_password_is_an_auth_error_and_not_retried(sf_server: SalesforceServer) -> None:
    env = {**login_env(sf_server), "SALESFORCE_PASSWORD": "wrong-password"}
    client = make_client(sf_server, env, rewrite_logins=True)
    with pytest.raises(AuthError) as exc:
        client.count("Lead")
    assert "INVALID_LOGIN" in str(exc.value) and "wrong-password" not in str(exc.value)
    assert sf_server.request_count(r"/services/Soap/u/") == 1


def test_jwt_login_with_a_private_key_file(sf_server: SalesforceServer, tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "server.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    sf_server.credentials.jwt_public_key_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    env = {
        "SALESFORCE_USERNAME": sf_server.credentials.username,
        "SALESFORCE_CONSUMER_KEY": sf_server.credentials.consumer_key,
        "SALESFORCE_PRIVATE_KEY_FILE": str(key_file),
        "SALESFORCE_CA_BUNDLE": str(sf_server.ca_cert),
    }
    client = make_client(sf_server, env, rewrite_logins=True)
    assert client.settings.auth_mode == "jwt" and client.count("User") == 3
    assert sf_server.request_count(r"/services/oauth2/token") == 1


def test_client_credentials_login_against_my_domain(sf_server: SalesforceServer) -> None:
    env = {
        "SALESFORCE_CONSUMER_KEY": sf_server.credentials.consumer_key,
        "SALESFORCE_CONSUMER_SECRET": sf_server.credentials.consumer_secret,
        "SALESFORCE_DOMAIN": "acme.my",
        "SALESFORCE_CA_BUNDLE": str(sf_server.ca_cert),
    }
    client = make_client(sf_server, env, rewrite_logins=True)
    assert client.count("Account") == 6


def test_an_expired_login_session_is_renewed_for_rest_and_bulk_calls(sf_server: SalesforceServer) -> None:
    client = make_client(sf_server, login_env(sf_server), rewrite_logins=True)
    assert client.count("Lead") == 4
    sf_server.expire_sessions()
    assert client.count("Lead") == 4  # simple-salesforce logs in again by itself
    sf_server.expire_sessions()
    rows = [r for page in client.bulk_pages("Lead", "SELECT Id FROM Lead") for r in page]
    assert len(rows) == 4  # the bulk calls are renewed by the client
    assert sf_server.request_count(r"/services/Soap/u/") == 3


def test_an_expired_access_token_in_direct_mode_says_how_to_refresh_it(sf_server: SalesforceServer) -> None:
    client = make_client(sf_server)
    sf_server.faults.inject("expire_session")
    with pytest.raises(AuthError) as exc:
        client.count("Lead")
    assert "INVALID_SESSION_ID" in str(exc.value) and "SALESFORCE_ACCESS_TOKEN" in str(exc.value)
    assert str(sf_server.access_token) not in str(exc.value)


@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "drop", "truncate"])
def test_rate_limits_server_errors_and_broken_answers_are_retried(
    sf_server: SalesforceServer, fault: str
) -> None:
    client = make_client(sf_server)
    sf_server.faults.inject(fault, 2)
    assert client.count("Account") == 6
    assert client.request_count == 3


def test_retries_stop_after_max_attempts(sf_server: SalesforceServer) -> None:
    client = make_client(sf_server, max_attempts=3)
    sf_server.faults.inject("503", 5)
    with pytest.raises(Exception, match="SERVER_UNAVAILABLE"):
        client.count("Account")
    assert client.request_count == 3


def test_a_malformed_query_is_a_request_error_naming_the_object(sf_server: SalesforceServer) -> None:
    client = make_client(sf_server)
    with pytest.raises(RequestError) as exc:
        list(client.rest_pages("Account", "SELECT Nope__c FROM Account"))
    assert str(exc.value).startswith("salesforce Account:") and "INVALID_FIELD" in str(exc.value)


def test_rest_pages_follow_next_records_url(sf_server: SalesforceServer, dataset) -> None:
    add_accounts(dataset, 2500)
    client = make_client(sf_server)
    pages = list(client.rest_pages("Account", "SELECT Id FROM Account"))
    assert [len(p) for p in pages] == [2000, 506] and "attributes" not in pages[0][0]


def test_bulk_pages_poll_the_job_and_read_every_results_page(sf_server: SalesforceServer, dataset) -> None:
    add_accounts(dataset, 14)
    client = make_client(sf_server, bulk_page_size=8)
    pages = list(client.bulk_pages("Account", "SELECT Id, Name, IsDeleted FROM Account"))
    assert [len(p) for p in pages] == [8, 8, 4] and pages[0][0]["IsDeleted"] == "false"
    assert sf_server.request_count(r"/jobs/query/\w+$") == 2  # InProgress, then JobComplete


def test_a_failed_bulk_job_is_a_request_error(sf_server: SalesforceServer) -> None:
    sf_server.bulk_fail_message = "InvalidBatch : Failed to process query"
    client = make_client(sf_server)
    with pytest.raises(RequestError, match="Failed to process query"):
        list(client.bulk_pages("Account", "SELECT Id FROM Account"))


def test_the_client_stops_when_the_budget_reaches_the_reserve(sf_server: SalesforceServer) -> None:
    sf_server.daily_limit = 20
    client = make_client(sf_server, budget_reserve=0.5)  # stop with 10 requests left
    for _ in range(10):
        client.count("Lead")
    with pytest.raises(BudgetExhausted, match="10/20"):
        client.count("Lead")
    assert client.budget_exhausted is not None and sf_server.api_used == 10


def test_the_org_refusing_past_its_daily_limit_is_budget_exhausted(sf_server: SalesforceServer) -> None:
    sf_server.daily_limit = 3
    client = make_client(sf_server, budget_reserve=0.0)
    for _ in range(3):
        client.count("Lead")
    with pytest.raises(BudgetExhausted):
        client.count("Lead")


def test_optional_objects_missing_from_the_org_are_reported_unavailable(sf_server: SalesforceServer) -> None:
    sf_server.hidden_objects = {"ForecastingQuota"}
    sf_server.unqueryable_objects = {"DatedConversionRate"}
    client = make_client(sf_server)
    assert "not in this org" in str(client.unavailable_reason("ForecastingQuota"))
    assert "not queryable" in str(client.unavailable_reason("DatedConversionRate"))
    assert client.unavailable_reason("Opportunity") is None


def test_direct_env_and_settings_agree(sf_server: SalesforceServer) -> None:
    assert make_client(sf_server, direct_env(sf_server)).settings.auth_mode == "token"


def test_a_login_endpoint_outage_is_retried(sf_server: SalesforceServer) -> None:
    sf_server.faults.paths = r"/services/Soap/"
    sf_server.faults.inject("503")
    client = make_client(sf_server, login_env(sf_server), rewrite_logins=True)
    assert client.count("Lead") == 4
    assert sf_server.request_count(r"/services/Soap/u/") == 2


def test_a_certificate_from_an_unknown_ca_is_a_config_error_not_retried(
    sf_server: SalesforceServer, tmp_path: Path
) -> None:
    from connectors.common.errors import ConfigError
    from sandbox.servers.tls import ensure_tls_files

    other_ca = ensure_tls_files(tmp_path / "other").ca_cert
    client = make_client(sf_server, {**direct_env(sf_server), "SALESFORCE_CA_BUNDLE": str(other_ca)})
    with pytest.raises(ConfigError, match="SALESFORCE_CA_BUNDLE"):
        client.count("Lead")
    assert client.request_count == 1
