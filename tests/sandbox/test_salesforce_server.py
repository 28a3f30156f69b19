"""The sandbox Salesforce server answers simple-salesforce 1.12.10 the way a real org does."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from connectors.salesforce.transport import build_session
from sandbox.dataset import Dataset
from sandbox.servers.salesforce import SalesforceCredentials, SalesforceServer
from sandbox.servers.salesforce.soql import SoqlError, parse
from tests.connectors.salesforce_fixtures import (
    add_accounts,
    make_dataset,
    modify,
    serve,
    sf_id,
)


@pytest.fixture
def dataset() -> Dataset:
    return make_dataset()


@pytest.fixture
def sf_server(dataset: Dataset) -> SalesforceServer:
    return serve(dataset)


@pytest.fixture
def sf(sf_server: SalesforceServer, monkeypatch: pytest.MonkeyPatch) -> Salesforce:
    """simple-salesforce in direct mode (instance URL + static token), trusting the sandbox CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sf_server.ca_cert))
    return Salesforce(
        instance_url=sf_server.base_url, session_id=sf_server.access_token, session=requests.Session()
    )


def login_session(server: SalesforceServer) -> requests.Session:
    """A session that sends login.salesforce.com (and any *.salesforce.com host) to the sandbox."""
    return build_session(verify=str(server.ca_cert), rewrite_to=server.base_url)


def error_code(exc: pytest.ExceptionInfo[Exception]) -> str:
    content = exc.value.content  # type: ignore[attr-defined]
    assert isinstance(content, list), "Salesforce error bodies are JSON arrays"
    return str(content[0]["errorCode"])


# -- query -------------------------------------------------------------------------------------------
def test_query_all_iter_pages_to_the_end_with_the_requested_batch_size(
    sf: Salesforce, sf_server: SalesforceServer, dataset
) -> None:
    add_accounts(dataset, 450)
    before = sf_server.request_count(r"/query")
    ids = [
        r["Id"]
        for r in sf.query_all_iter(
            "SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"}
        )
    ]
    assert len(ids) == 456 and len(set(ids)) == 456
    assert sf_server.request_count(r"/query") - before == 3  # 200 + 200 + 56


def test_first_page_reports_total_size_and_a_path_for_the_next_page(sf: Salesforce, dataset) -> None:
    add_accounts(dataset, 2100)
    page = sf.query("SELECT Id, Name FROM Account")
    assert page["totalSize"] == 2106 and page["done"] is False and len(page["records"]) == 2000
    assert page["nextRecordsUrl"].startswith("/services/data/v59.0/query/")
    assert page["records"][0]["attributes"]["type"] == "Account"
    last = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    assert last["done"] is True and "nextRecordsUrl" not in last and len(last["records"]) == 106


def test_query_hides_deleted_records_and_query_all_returns_them(sf: Salesforce, dataset) -> None:
    opp = dataset.records["salesforce"]["Opportunity"][0]
    opp["IsDeleted"] = True
    visible = {r["Id"] for r in sf.query_all("SELECT Id FROM Opportunity")["records"]}
    everything = sf.query_all("SELECT Id, IsDeleted FROM Opportunity", include_deleted=True)["records"]
    assert opp["Id"] not in visible and len(visible) == 9
    assert {r["Id"]: r["IsDeleted"] for r in everything}[opp["Id"]] is True


@pytest.mark.parametrize(
    "literal",
    [
        "2026-01-05T09:30:00Z",
        "2026-01-05T09:30:00+00:00",
        "2026-01-05T09:30:00.000Z",
        "2026-01-05T10:30:00+01:00",
    ],
)
def test_datetime_filters_accept_z_offsets_and_milliseconds(sf: Salesforce, dataset, literal: str) -> None:
    expected = {
        r["Id"]
        for r in dataset.records["salesforce"]["Opportunity"]
        if r["SystemModstamp"] >= "2026-01-05T09:30"
    }
    got = {
        r["Id"]
        for r in sf.query_all(f"SELECT Id FROM Opportunity WHERE SystemModstamp >= {literal}")["records"]
    }
    assert got == expected and 0 < len(got) < 10


def test_where_combines_and_or_not_in_dates_strings_numbers_and_nulls(sf: Salesforce) -> None:
    soql = (
        "SELECT Id, StageName, Amount FROM Opportunity WHERE (StageName IN ('Closed Won', 'Closed Lost') "
        "OR Amount > 8500) AND NOT IsWon = true AND CloseDate < 2026-02-15 AND Loss_Reason__c != null"
    )
    rows = sf.query_all(soql)["records"]
    assert [r["StageName"] for r in rows] == ["Closed Lost"]
    assert sf.query("SELECT Id FROM Opportunity WHERE Loss_Reason__c = null")["totalSize"] == 9
    assert sf.query("SELECT Id FROM Opportunity WHERE Name LIKE 'deal 1%'")["totalSize"] == 2
    assert sf.query("SELECT Id FROM Opportunity WHERE StageName NOT IN ('Qualification')")["totalSize"] == 9


def test_order_by_desc_and_limit(sf: Salesforce) -> None:
    rows = sf.query("SELECT Id, Amount FROM Opportunity ORDER BY Amount DESC NULLS LAST LIMIT 3")["records"]
    assert [r["Amount"] for r in rows] == [10000.0, 9000.0, 8000.0]
    assert list(rows[0]) == ["attributes", "Id", "Amount"]


def test_count_and_count_of_a_field(sf: Salesforce) -> None:
    assert sf.query("SELECT COUNT() FROM Account WHERE Segment__c = 'SMB'") == {
        "totalSize": 3,
        "done": True,
        "records": [],
    }
    agg = sf.query("SELECT COUNT(Id) FROM Account")["records"][0]
    assert agg["expr0"] == 6 and agg["attributes"]["type"] == "AggregateResult"


def test_field_and_object_names_are_case_insensitive_and_answered_canonically(sf: Salesforce) -> None:
    row = sf.query("select id, stagename from opportunity limit 1")["records"][0]
    assert set(row) == {"attributes", "Id", "StageName"}


def test_unknown_field_malformed_query_and_unknown_object_are_400_json_arrays(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as bad_field:
        sf.query("SELECT Id, Nope__c FROM Account")
    assert error_code(bad_field) == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as bad_syntax:
        sf.query("SELEC Id FROM Account")
    assert error_code(bad_syntax) == "MALFORMED_QUERY"
    with pytest.raises(SalesforceMalformedRequest) as bad_type:
        sf.query("SELECT Id FROM Nope__c")
    assert error_code(bad_type) == "INVALID_TYPE"
    with pytest.raises(SalesforceMalformedRequest) as quoted_datetime:
        sf.query("SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01T00:00:00Z'")
    assert error_code(quoted_datetime) == "INVALID_FIELD"


def test_query_path_works_without_trailing_slash_and_with_plus_for_spaces(
    sf_server: SalesforceServer,
) -> None:
    url = f"{sf_server.base_url}/services/data/v59.0/query?q=SELECT+Id+FROM+Lead"
    resp = requests.get(
        url, headers={"Authorization": f"Bearer {sf_server.access_token}"}, verify=str(sf_server.ca_cert)
    )
    assert resp.status_code == 200 and resp.json()["totalSize"] == 4


def test_soql_parser_reports_syntax_errors() -> None:
    with pytest.raises(SoqlError) as exc:
        parse("SELECT Id FROM Account WHERE Amount >")
    assert exc.value.code == "MALFORMED_QUERY"
    assert parse("SELECT COUNT() FROM Account").count_only


# -- describe and limits -----------------------------------------------------------------------------
def test_describe_global_lists_only_objects_the_dataset_has(
    sf_server: SalesforceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sf_server.reset(make_dataset(with_quota=False))
    sf_server.unqueryable_objects = {"CurrencyType"}
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sf_server.ca_cert))
    sf = Salesforce(
        instance_url=sf_server.base_url, session_id=sf_server.access_token, session=requests.Session()
    )
    listed = {o["name"]: o for o in sf.describe()["sobjects"]}
    assert "ForecastingQuota" not in listed and "Opportunity" in listed
    assert listed["CurrencyType"]["queryable"] is False and listed["Opportunity"]["keyPrefix"] == "006"


def test_describe_derives_field_types_and_applies_overrides(
    sf: Salesforce, sf_server: SalesforceServer
) -> None:
    sf_server.describe_overrides = {
        "Opportunity": [
            {"name": "Loss_Reason__c", "type": "picklist"},
            {"name": "LeadSource", "hidden": True},
        ]
    }
    fields = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}
    assert fields["Amount"]["type"] == "currency" and fields["CloseDate"]["type"] == "date"
    assert fields["SystemModstamp"]["type"] == "datetime" and fields["IsWon"]["type"] == "boolean"
    assert fields["AccountId"]["type"] == "reference" and fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["Loss_Reason__c"]["type"] == "picklist" and fields["Loss_Reason__c"]["custom"] is True
    assert "LeadSource" not in fields
    with pytest.raises(SalesforceMalformedRequest):
        sf.query("SELECT LeadSource FROM Opportunity")


def test_every_response_reports_api_usage_and_limits_match(
    sf: Salesforce, sf_server: SalesforceServer
) -> None:
    sf.query("SELECT Id FROM Lead")
    used = sf.api_usage["api-usage"].used
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 15000
    assert limits["DailyApiRequests"]["Remaining"] == 15000 - used - 1
    assert sf_server.api_used == used + 1


def test_requests_past_the_daily_budget_are_refused_with_request_limit_exceeded(
    sf: Salesforce, sf_server: SalesforceServer
) -> None:
    sf_server.daily_limit = 2
    sf.query("SELECT Id FROM Lead")
    sf.query("SELECT Id FROM Lead")
    with pytest.raises(SalesforceRefusedRequest) as exc:
        sf.query("SELECT Id FROM Lead")
    assert error_code(exc) == "REQUEST_LIMIT_EXCEEDED"


@pytest.mark.parametrize("fault,status", [("429", 429), ("503", 503), ("500", 500)])
def test_injected_faults_answer_salesforce_shaped_errors(
    sf: Salesforce, sf_server: SalesforceServer, fault: str, status: int
) -> None:
    sf_server.faults.inject(fault)
    with pytest.raises(SalesforceGeneralError) as exc:
        sf.query("SELECT Id FROM Lead")
    assert exc.value.status == status and isinstance(exc.value.content, list)
    assert sf.query("SELECT Id FROM Lead")["totalSize"] == 4


# -- bulk API 2.0 ------------------------------------------------------------------------------------
def test_bulk2_query_pages_csv_results_until_the_locator_is_null(
    sf: Salesforce, sf_server: SalesforceServer, dataset
) -> None:
    add_accounts(dataset, 494)
    pages = list(
        sf.bulk2.Account.query(
            "SELECT Id, Name, SystemModstamp, IsDeleted FROM Account", max_records=200, wait=0
        )
    )
    rows = [row for page in pages for row in csv.DictReader(io.StringIO(page))]
    assert len(pages) == 3 and len(rows) == 500 and len({r["Id"] for r in rows}) == 500
    assert rows[0]["SystemModstamp"].endswith("Z") and rows[0]["IsDeleted"] == "false"
    assert sf_server.request_count(r"/jobs/query/\w+/results") == 3


def test_bulk2_query_all_operation_includes_deleted_rows(sf: Salesforce, dataset) -> None:
    dataset.records["salesforce"]["Lead"][0]["IsDeleted"] = True
    plain = "".join(sf.bulk2.Lead.query("SELECT Id FROM Lead", wait=0))
    everything = "".join(sf.bulk2.Lead.query_all("SELECT Id FROM Lead", wait=0))
    assert plain.count("00Q") == 3 and everything.count("00Q") == 4


def test_bulk2_results_carry_the_record_count_and_locator_headers(sf_server: SalesforceServer) -> None:
    auth = {"Authorization": f"Bearer {sf_server.access_token}"}
    base = f"{sf_server.base_url}/services/data/v59.0/jobs/query"
    verify = str(sf_server.ca_cert)
    job = requests.post(
        base, json={"operation": "query", "query": "SELECT Id FROM Contact"}, headers=auth, verify=verify
    ).json()
    assert job["state"] == "UploadComplete"
    states = [
        requests.get(f"{base}/{job['id']}", headers=auth, verify=verify).json()["state"] for _ in range(2)
    ]
    assert states == ["InProgress", "JobComplete"]
    first = requests.get(f"{base}/{job['id']}/results", params={"maxRecords": 4}, headers=auth, verify=verify)
    assert first.headers["Sforce-NumberOfRecords"] == "4" and first.headers["Sforce-Locator"] != "null"
    second = requests.get(
        f"{base}/{job['id']}/results",
        headers=auth,
        verify=verify,
        params={"maxRecords": 4, "locator": first.headers["Sforce-Locator"]},
    )
    assert second.headers["Sforce-NumberOfRecords"] == "2" and second.headers["Sforce-Locator"] == "null"


# -- logins and sessions -----------------------------------------------------------------------------
def test_soap_login_through_the_rewriting_adapter_gives_a_working_session(
    sf_server: SalesforceServer,
) -> None:
    creds = sf_server.credentials
    sf = Salesforce(
        username=creds.username,
        password=creds.password,
        security_token=creds.security_token,
        session=login_session(sf_server),
    )
    assert sf.sf_instance == sf_server.base_url.removeprefix("https://")
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 4
    assert sf_server.request_count(r"/services/Soap/u/59.0") == 1


def test_soap_login_with_a_wrong_password_raises_authentication_failed(sf_server: SalesforceServer) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as exc:
        Salesforce(
            username=sf_server.credentials.username,
            password="wrong",
            security_token="x",
            session=login_session(sf_server),
        )
    assert exc.value.code == "INVALID_LOGIN"


def test_oauth_password_and_client_credentials_grants_issue_sessions(sf_server: SalesforceServer) -> None:
    creds = sf_server.credentials
    by_password = Salesforce(
        username=creds.username,
        password=creds.password,
        consumer_key=creds.consumer_key,
        consumer_secret=creds.consumer_secret,
        session=login_session(sf_server),
    )
    by_client = Salesforce(
        consumer_key=creds.consumer_key,
        consumer_secret=creds.consumer_secret,
        domain="acme.my",
        session=login_session(sf_server),
    )
    assert by_password.session_id != by_client.session_id
    assert by_client.query("SELECT COUNT() FROM Account")["totalSize"] == 6
    with pytest.raises(SalesforceAuthenticationFailed):
        Salesforce(
            consumer_key=creds.consumer_key,
            consumer_secret="wrong",
            domain="acme.my",
            session=login_session(sf_server),
        )


@pytest.fixture
def rsa_key(tmp_path: Path) -> tuple[Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "server.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return path, public


def test_jwt_bearer_login_checks_issuer_subject_and_signature(
    dataset, sf_server: SalesforceServer, rsa_key: tuple[Path, str]
) -> None:
    key_file, public_pem = rsa_key
    creds = SalesforceCredentials(jwt_public_key_pem=public_pem)
    sf_server.reset(dataset, credentials=creds)
    sf = Salesforce(
        username=creds.username,
        consumer_key=creds.consumer_key,
        privatekey_file=str(key_file),
        session=login_session(sf_server),
    )
    assert sf.query("SELECT COUNT() FROM User")["totalSize"] == 3
    with pytest.raises(SalesforceAuthenticationFailed):
        Salesforce(
            username="someone@else.example.com",
            consumer_key=creds.consumer_key,
            privatekey_file=str(key_file),
            session=login_session(sf_server),
        )
    other = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    with pytest.raises(SalesforceAuthenticationFailed):
        Salesforce(
            username=creds.username,
            consumer_key=creds.consumer_key,
            privatekey=other,
            session=login_session(sf_server),
        )


def test_expired_sessions_get_401_json_arrays_and_login_clients_log_in_again(
    sf_server: SalesforceServer,
) -> None:
    creds = sf_server.credentials
    sf = Salesforce(
        username=creds.username,
        password=creds.password,
        security_token=creds.security_token,
        session=login_session(sf_server),
    )
    old = sf.session_id
    sf_server.expire_sessions()
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 4
    assert sf.session_id != old and sf_server.request_count(r"/services/Soap") == 2


def test_expire_session_fault_invalidates_the_static_token_for_direct_clients(
    sf: Salesforce, sf_server: SalesforceServer
) -> None:
    sf_server.faults.inject("expire_session")
    with pytest.raises(SalesforceExpiredSession) as exc:
        sf.query("SELECT Id FROM Lead")
    assert error_code(exc) == "INVALID_SESSION_ID"
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Lead")
    assert sf_server.access_token is None


def test_data_calls_without_a_bearer_token_are_refused(sf_server: SalesforceServer) -> None:
    resp = requests.get(f"{sf_server.base_url}/services/data/v59.0/sobjects", verify=str(sf_server.ca_cert))
    assert resp.status_code == 401 and resp.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    versions = requests.get(f"{sf_server.base_url}/services/data", verify=str(sf_server.ca_cert))
    assert (
        versions.status_code == 200
        and {"version": "59.0", "label": "API 59.0", "url": "/services/data/v59.0"} in versions.json()
    )


def test_a_day_step_is_seen_at_once(sf: Salesforce, dataset) -> None:
    from datetime import datetime

    lead = dataset.records["salesforce"]["Lead"][0]
    modify(lead, datetime(2026, 2, 1, tzinfo=UTC), Status="Working")
    rows = sf.query("SELECT Id, Status FROM Lead WHERE SystemModstamp > 2026-01-31T00:00:00Z")["records"]
    assert [(r["Id"], r["Status"]) for r in rows] == [(sf_id("Lead", 1), "Working")]


def test_numpy_values_left_in_a_dataset_are_served_as_plain_json(sf: Salesforce, dataset: Dataset) -> None:
    import numpy as np

    for i, lead in enumerate(dataset.records["salesforce"]["Lead"]):
        lead["IsDeleted"] = np.bool_(i == 0)
        lead["NumberOfEmployees"] = np.int64(10 * i)
    fields = {f["name"]: f["type"] for f in sf.Lead.describe()["fields"]}
    assert fields["IsDeleted"] == "boolean" and fields["NumberOfEmployees"] == "int"
    rows = sf.query_all("SELECT Id, IsDeleted, NumberOfEmployees FROM Lead", include_deleted=True)["records"]
    assert [(r["IsDeleted"], r["NumberOfEmployees"]) for r in rows] == [
        (True, 0),
        (False, 10),
        (False, 20),
        (False, 30),
    ]
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 3
