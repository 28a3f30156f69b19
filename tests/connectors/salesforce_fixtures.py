"""A small hand-made Salesforce dataset and the pytest fixtures that serve it over TLS on 127.0.0.1."""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402
import duckdb  # noqa: E402

from connectors.salesforce import Client, Settings  # noqa: E402
from connectors.salesforce.transport import build_session  # noqa: E402
from sandbox.dataset import Dataset  # noqa: E402
from sandbox.servers.salesforce import SalesforceCredentials, SalesforceServer  # noqa: E402
from sandbox.servers.salesforce.schema import KEY_PREFIXES  # noqa: E402

BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAGES = [
    # ApiName, SortOrder, IsClosed, IsWon, DefaultProbability, ForecastCategoryName
    ("Qualification", 1, False, False, 10.0, "Pipeline"),
    ("Needs Analysis", 2, False, False, 20.0, "Pipeline"),
    ("Proposal/Price Quote", 3, False, False, 50.0, "Best Case"),
    ("Negotiation/Review", 4, False, False, 75.0, "Commit"),
    ("Closed Won", 5, True, True, 100.0, "Closed"),
    ("Closed Lost", 6, True, False, 0.0, "Omitted"),
]


def sf_id(sobject: str, n: int) -> str:
    """An 18-character id with the object's key prefix: `sf_id("Account", 7)` -> `001000000000007AAA`."""
    return f"{KEY_PREFIXES[sobject]}{n:012d}AAA"


def sf_time(moment: datetime) -> str:
    """A datetime as the REST API writes it: `2026-01-05T09:00:00.000+0000`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _audit(moment: datetime, *, history: bool = False) -> dict[str, Any]:
    stamp = sf_time(moment)
    record: dict[str, Any] = {"CreatedDate": stamp, "SystemModstamp": stamp, "IsDeleted": False}
    if not history:
        record["LastModifiedDate"] = stamp
    return record


def make_dataset(*, accounts: int = 6, opportunities: int = 10, with_quota: bool = True) -> Dataset:
    """A small multi-currency org: users, roles, accounts, contacts, leads, opportunities with history,
    activities, stages, quotas and currency rates. Times start at BASE_TIME and step by minutes."""
    clock = iter(BASE_TIME + timedelta(minutes=i) for i in range(100000))
    sf: dict[str, list[dict[str, Any]]] = {}
    sf["UserRole"] = [
        {
            "Id": sf_id("UserRole", i),
            "Name": name,
            "ParentRoleId": sf_id("UserRole", 1) if i > 1 else None,
            **_audit(next(clock)),
        }
        for i, name in enumerate(["Sales Director", "Account Executive"], start=1)
    ]
    sf["User"] = [
        {
            "Id": sf_id("User", i),
            "Name": name,
            "Email": f"{name.split()[0].lower()}@example.com",
            "IsActive": True,
            "UserRoleId": sf_id("UserRole", 1 if i == 1 else 2),
            "ManagerId": sf_id("User", 1) if i > 1 else None,
            "UserType": "Standard",
            **_audit(next(clock)),
        }
        for i, name in enumerate(["Dana Director", "Alex Exec", "Sam Seller"], start=1)
    ]
    sf["Account"] = [
        {
            "Id": sf_id("Account", i),
            "Name": f"Account {i}",
            "Industry": "Software",
            "OwnerId": sf_id("User", 2 + i % 2),
            "NumberOfEmployees": 50 * i,
            "AnnualRevenue": 1.0e6 * i,
            "Segment__c": "SMB" if i % 2 else "Enterprise",
            "CurrencyIsoCode": "USD",
            **_audit(next(clock)),
        }
        for i in range(1, accounts + 1)
    ]
    sf["Contact"] = [
        {
            "Id": sf_id("Contact", i),
            "FirstName": "Pat",
            "LastName": f"Contact{i}",
            "Email": f"pat{i}@account{i}.example.com",
            "AccountId": sf_id("Account", i),
            "OwnerId": sf_id("User", 2),
            **_audit(next(clock)),
        }
        for i in range(1, accounts + 1)
    ]
    sf["Lead"] = [
        {
            "Id": sf_id("Lead", i),
            "LastName": f"Lead{i}",
            "Company": f"Prospect {i}",
            "Status": "Open",
            "LeadSource": "Web",
            "IsConverted": False,
            "ConvertedDate": None,
            "OwnerId": sf_id("User", 3),
            **_audit(next(clock)),
        }
        for i in range(1, 5)
    ]
    sf["OpportunityStage"] = [
        {
            "Id": sf_id("OpportunityStage", i),
            "ApiName": name,
            "MasterLabel": name,
            "IsActive": True,
            "SortOrder": order,
            "IsClosed": closed,
            "IsWon": won,
            "DefaultProbability": prob,
            "ForecastCategoryName": fc,
            **_audit(next(clock)),
        }
        for i, (name, order, closed, won, prob, fc) in enumerate(STAGES, start=1)
    ]
    sf["Opportunity"], sf["OpportunityHistory"], sf["OpportunityFieldHistory"] = [], [], []
    for i in range(1, opportunities + 1):
        stage = STAGES[i % len(STAGES)]
        created = next(clock)
        opp = {
            "Id": sf_id("Opportunity", i),
            "Name": f"Deal {i}",
            "AccountId": sf_id("Account", 1 + i % accounts),
            "OwnerId": sf_id("User", 2 + i % 2),
            "StageName": stage[0],
            "Amount": 1000.0 * i,
            "Probability": stage[4],
            "CloseDate": (BASE_TIME + timedelta(days=30 + i)).date().isoformat(),
            "IsClosed": stage[2],
            "IsWon": stage[3],
            "ForecastCategoryName": stage[5],
            "Type": "New Business",
            "LeadSource": "Web",
            "CurrencyIsoCode": "USD",
            "Loss_Reason__c": "Price" if stage[0] == "Closed Lost" else None,
            **_audit(created),
        }
        sf["Opportunity"].append(opp)
        sf["OpportunityHistory"].append(
            {
                "Id": sf_id("OpportunityHistory", i),
                "OpportunityId": opp["Id"],
                "StageName": stage[0],
                "Amount": opp["Amount"],
                "CloseDate": opp["CloseDate"],
                "Probability": stage[4],
                "CreatedById": opp["OwnerId"],
                "CurrencyIsoCode": "USD",
                **_audit(created, history=True),
            }
        )
        sf["OpportunityFieldHistory"].append(
            {
                "Id": sf_id("OpportunityFieldHistory", i),
                "OpportunityId": opp["Id"],
                "Field": "StageName",
                "DataType": "Text",
                "OldValue": "Qualification",
                "NewValue": stage[0],
                "CreatedById": opp["OwnerId"],
                "CreatedDate": sf_time(created),
                "IsDeleted": False,
            }
        )
    sf["Task"] = [
        {
            "Id": sf_id("Task", i),
            "Subject": "Call",
            "Status": "Completed",
            "Priority": "Normal",
            "ActivityDate": (BASE_TIME + timedelta(days=i)).date().isoformat(),
            "WhatId": sf_id("Opportunity", i),
            "OwnerId": sf_id("User", 2),
            "TaskSubtype": "Call",
            "CallDurationInSeconds": 60 * i,
            "IsClosed": True,
            **_audit(next(clock)),
        }
        for i in range(1, 4)
    ]
    sf["Event"] = [
        {
            "Id": sf_id("Event", i),
            "Subject": "Demo",
            "StartDateTime": sf_time(BASE_TIME + timedelta(days=i)),
            "EndDateTime": sf_time(BASE_TIME + timedelta(days=i, hours=1)),
            "DurationInMinutes": 60,
            "IsAllDayEvent": False,
            "WhatId": sf_id("Opportunity", i),
            "OwnerId": sf_id("User", 3),
            **_audit(next(clock)),
        }
        for i in range(1, 3)
    ]
    if with_quota:
        sf["ForecastingQuota"] = [
            {
                "Id": sf_id("ForecastingQuota", i),
                "QuotaOwnerId": sf_id("User", i + 1),
                "QuotaAmount": 50000.0,
                "StartDate": "2026-01-01",
                "IsAmount": True,
                "IsQuantity": False,
                "CurrencyIsoCode": "USD",
                **_audit(next(clock)),
            }
            for i in range(1, 3)
        ]
    sf["CurrencyType"] = [
        {
            "Id": sf_id("CurrencyType", i),
            "IsoCode": code,
            "ConversionRate": rate,
            "IsActive": True,
            "IsCorporate": code == "USD",
            "DecimalPlaces": 2,
            **_audit(next(clock)),
        }
        for i, (code, rate) in enumerate([("USD", 1.0), ("EUR", 0.92)], start=1)
    ]
    sf["DatedConversionRate"] = [
        {
            "Id": sf_id("DatedConversionRate", 1),
            "IsoCode": "EUR",
            "ConversionRate": 0.92,
            "StartDate": "2026-01-01",
            "NextStartDate": "2026-04-01",
            **_audit(next(clock)),
        }
    ]
    ds = Dataset(meta={"as_of": sf_time(BASE_TIME + timedelta(days=1)), "seed": 0, "size": "tiny"})
    ds.records["salesforce"] = sf
    return ds


def add_accounts(ds: Dataset, count: int, *, start: int = 1000) -> None:
    """Append `count` plain accounts (for paging tests)."""
    rows = ds.records["salesforce"]["Account"]
    for i in range(start, start + count):
        rows.append(
            {
                "Id": sf_id("Account", i),
                "Name": f"Bulk Account {i}",
                "Industry": "Retail",
                "OwnerId": sf_id("User", 2),
                "NumberOfEmployees": i,
                "AnnualRevenue": float(i),
                "Segment__c": "SMB",
                "CurrencyIsoCode": "USD",
                **_audit(BASE_TIME + timedelta(hours=1, seconds=i)),
            }
        )


def modify(record: dict[str, Any], when: datetime, **changes: Any) -> None:
    """Change a record the way the org would: new values and a later SystemModstamp."""
    record.update(changes)
    record["SystemModstamp"] = sf_time(when)
    if "LastModifiedDate" in record:
        record["LastModifiedDate"] = sf_time(when)


_shared: SalesforceServer | None = None


def serve(dataset: Dataset) -> SalesforceServer:
    """The test process's sandbox Salesforce server over TLS, reset to its defaults and serving `dataset`.

    One server is shared by every test (stopping one costs about half a second); it starts on first
    use, with the local test CA in a temporary folder, and stops when the process exits."""
    global _shared
    if _shared is None:
        folder = Path(tempfile.mkdtemp(prefix="sandbox-tls-"))
        server = SalesforceServer.with_local_tls(Dataset(), folder)
        server.start()
        atexit.register(shutil.rmtree, folder, True)
        atexit.register(server.stop)
        _shared = server
    _shared.reset(dataset, credentials=SalesforceCredentials())
    return _shared


# -- connector helpers -------------------------------------------------------------------------------
def direct_env(server: SalesforceServer) -> dict[str, str]:
    """Environment for the instance URL + access token path, trusting the sandbox CA."""
    return {
        "SALESFORCE_INSTANCE_URL": server.base_url,
        "SALESFORCE_ACCESS_TOKEN": str(server.access_token),
        "SALESFORCE_CA_BUNDLE": str(server.ca_cert),
    }


def login_env(server: SalesforceServer) -> dict[str, str]:
    """Environment for the username + password + security token (SOAP) path."""
    creds = server.credentials
    return {
        "SALESFORCE_USERNAME": creds.username,
        "SALESFORCE_PASSWORD": creds.password,
        "SALESFORCE_SECURITY_TOKEN": creds.security_token,
        "SALESFORCE_CA_BUNDLE": str(server.ca_cert),
    }


def fast(settings: Settings, **changes: Any) -> Settings:
    """Settings with test-speed polling and retries."""
    base: dict[str, Any] = {"bulk_poll_interval": 0.0, "retry_base_delay": 0.001, "retry_max_delay": 0.01}
    return dataclasses.replace(settings, **{**base, **changes})


def make_client(
    server: SalesforceServer,
    env: dict[str, str] | None = None,
    *,
    rewrite_logins: bool = False,
    **changes: Any,
) -> Client:
    """A connector client for `server`; `rewrite_logins` sends login.salesforce.com (and any
    *.salesforce.com host) to the sandbox, for the login flows."""
    settings = fast(Settings.from_env(env or direct_env(server)), **changes)
    session = (
        build_session(verify=str(server.ca_cert), rewrite_to=server.base_url) if rewrite_logins else None
    )
    return Client(settings, session=session)


def make_pipeline(folder: Path, name: str = "revops_salesforce") -> dlt.Pipeline:
    """A dlt pipeline into a DuckDB file in `folder`, dataset raw_salesforce."""
    return dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(str(folder / "warehouse.duckdb")),
        dataset_name="raw_salesforce",
        pipelines_dir=str(folder / "pipelines"),
    )


def warehouse(folder: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def landed(folder: Path, table: str) -> dict[str, dict[str, Any]]:
    """Rows of a raw_salesforce table by id, as dicts of column -> value."""
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as con:
        cur = con.execute(f'select * from raw_salesforce."{table}"')
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def source_view(ds: Dataset, sobject: str) -> dict[str, dict[str, Any]]:
    """What queryAll returns for an object: every record, deleted ones included, by Id."""
    return {r["Id"]: r for r in ds.records["salesforce"].get(sobject, [])}
