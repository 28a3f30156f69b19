"""A small hand-made HubSpot dataset (FORMAT.md shape) and the changes tests apply to it.

Three owners (one archived) in two teams, the default deal pipeline, three companies, five contacts
(one archived) with lifecycle-stage history, six deals (one archived) with deal-stage history, one
record of each engagement type and the associations between them. Times sit in November 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.dataset import Dataset
from sandbox.servers.common import Faults
from sandbox.servers.hubspot import HubSpotServer

STAGES = (
    ("appointmentscheduled", "Appointment scheduled", "0.2", "false"),
    ("qualifiedtobuy", "Qualified to buy", "0.4", "false"),
    ("presentationscheduled", "Presentation scheduled", "0.6", "false"),
    ("decisionmakerboughtin", "Decision maker bought-in", "0.8", "false"),
    ("contractsent", "Contract sent", "0.9", "false"),
    ("closedwon", "Closed won", "1.0", "true"),
    ("closedlost", "Closed lost", "0.0", "true"),
)
CURSOR = {"contacts": "lastmodifieddate"}


def ts(day: int, hour: int = 9, minute: int = 0, ms: int = 0) -> str:
    """A HubSpot timestamp in November 2026 (ISO 8601, milliseconds, Z)."""
    moment = datetime(2026, 11, day, hour, minute, tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms:03d}Z"


def crm_record(object_type: str, rid: int, created: str, modified: str, **props: Any) -> dict[str, Any]:
    """One CRM object with every property a string or null."""
    properties: dict[str, Any] = {
        "hs_object_id": str(rid),
        "createdate": created,
        "hs_lastmodifieddate": modified,
    }
    if object_type == "contacts":
        properties["lastmodifieddate"] = modified
    properties.update({k: (None if v is None else str(v)) for k, v in props.items()})
    return {
        "id": str(rid),
        "properties": properties,
        "createdAt": created,
        "updatedAt": modified,
        "archived": False,
    }


def history(entries: list[tuple[str, str]], source: str = "CRM_UI") -> list[dict[str, Any]]:
    """Property history, given oldest first, stored newest first as HubSpot answers it."""
    return [
        {
            "value": value,
            "timestamp": when,
            "sourceType": source,
            "sourceId": "userId:9001",
            "updatedByUserId": 9001,
        }
        for value, when in reversed(entries)
    ]


def _owner(
    oid: int,
    first: str,
    last: str,
    teams: list[tuple[str, str, bool]],
    archived: bool = False,
) -> dict[str, Any]:
    return {
        "id": str(oid),
        "email": f"{first.lower()}.{last.lower()}@example.com",
        "type": "PERSON",
        "firstName": first,
        "lastName": last,
        "userId": oid + 1000,
        "userIdIncludingInactive": oid + 1000,
        "createdAt": "2025-01-06T08:00:00.000Z",
        "updatedAt": ts(1),
        "archived": archived,
        "teams": [{"id": tid, "name": name, "primary": primary} for tid, name, primary in teams],
    }


def _deal(
    rid: int,
    name: str,
    stages: list[tuple[str, str]],
    *,
    amount: str | None,
    owner: str,
    closedate: str | None = None,
) -> dict[str, Any]:
    stage = stages[-1][0]
    closed = stage in ("closedwon", "closedlost")
    probability = {s[0]: s[2] for s in STAGES}[stage]
    rec = crm_record(
        "deals",
        rid,
        stages[0][1],
        stages[-1][1],
        dealname=name,
        amount=amount,
        dealstage=stage,
        pipeline="default",
        closedate=closedate,
        hubspot_owner_id=owner,
        hs_is_closed="true" if closed else "false",
        hs_is_closed_won="true" if stage == "closedwon" else "false",
        hs_deal_stage_probability=probability,
        deal_currency_code="USD",
    )
    rec["propertiesWithHistory"] = {"dealstage": history(stages)}
    return rec


def _contact(rid: int, first: str, company: str, stages: list[tuple[str, str]]) -> dict[str, Any]:
    rec = crm_record(
        "contacts",
        rid,
        stages[0][1],
        stages[-1][1],
        firstname=first,
        lastname="Tester",
        email=f"{first.lower()}@{company}.example",
        lifecyclestage=stages[-1][0],
        hubspot_owner_id="101",
    )
    rec["propertiesWithHistory"] = {"lifecyclestage": history(stages)}
    return rec


def _assoc(a: str, a_id: int, b: str, b_id: int, type_id: int) -> dict[str, Any]:
    return {
        "fromObjectType": a,
        "fromId": str(a_id),
        "toObjectType": b,
        "toId": str(b_id),
        "typeId": type_id,
        "category": "HUBSPOT_DEFINED",
    }


def make_dataset() -> Dataset:
    """The dataset every HubSpot test starts from."""
    owners = [
        _owner(101, "Ada", "Lovelace", [("7", "East", True)]),
        _owner(102, "Grace", "Hopper", [("7", "East", False), ("8", "West", True)]),
        _owner(103, "Alan", "Turing", [], archived=True),
    ]
    pipeline = {
        "id": "default",
        "label": "Sales Pipeline",
        "displayOrder": 0,
        "archived": False,
        "createdAt": "2025-01-01T00:00:00.000Z",
        "updatedAt": "2025-01-01T00:00:00.000Z",
        "stages": [
            {
                "id": sid,
                "label": label,
                "displayOrder": i,
                "archived": False,
                "createdAt": "2025-01-01T00:00:00.000Z",
                "updatedAt": "2025-01-01T00:00:00.000Z",
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                "metadata": {"isClosed": closed, "probability": prob},
            }
            for i, (sid, label, prob, closed) in enumerate(STAGES)
        ],
    }
    companies = [
        crm_record(
            "companies",
            11,
            ts(1),
            ts(2),
            name="Acme",
            domain="acme.example",
            numberofemployees="250",
            annualrevenue="1200000.5",
            hubspot_owner_id="101",
        ),
        crm_record(
            "companies",
            12,
            ts(1),
            ts(3),
            name="Globex",
            domain="globex.example",
            numberofemployees="40",
            annualrevenue=None,
            hubspot_owner_id="102",
        ),
        crm_record(
            "companies",
            13,
            ts(1),
            ts(4),
            name="Initech",
            domain="initech.example",
            numberofemployees="1200",
            annualrevenue="90000000",
            hubspot_owner_id="102",
        ),
    ]
    contacts = [
        _contact(
            201,
            "Alice",
            "acme",
            [("lead", ts(2)), ("marketingqualifiedlead", ts(3)), ("salesqualifiedlead", ts(5))],
        ),
        _contact(202, "Bob", "acme", [("subscriber", ts(2)), ("lead", ts(6))]),
        _contact(203, "Carol", "globex", [("lead", ts(3)), ("opportunity", ts(7)), ("customer", ts(9))]),
        _contact(204, "Dan", "initech", [("lead", ts(4))]),
        _contact(205, "Eve", "initech", [("lead", ts(4)), ("marketingqualifiedlead", ts(8))]),
    ]
    archive(contacts[4], ts(10))
    deals = [
        _deal(
            301,
            "Acme expansion",
            [("appointmentscheduled", ts(2)), ("qualifiedtobuy", ts(4)), ("presentationscheduled", ts(6))],
            amount="12000.5",
            owner="101",
            closedate=ts(30),
        ),
        _deal(
            302,
            "Globex renewal",
            [("appointmentscheduled", ts(3)), ("contractsent", ts(7)), ("closedwon", ts(9))],
            amount="48000",
            owner="102",
            closedate=ts(9),
        ),
        _deal(
            303,
            "Initech pilot",
            [("qualifiedtobuy", ts(4)), ("closedlost", ts(8))],
            amount="5000",
            owner="102",
            closedate=ts(8),
        ),
        _deal(304, "Acme add-on", [("appointmentscheduled", ts(5))], amount=None, owner="101"),
        _deal(
            305,
            "Globex upsell",
            [("appointmentscheduled", ts(6)), ("decisionmakerboughtin", ts(10))],
            amount="7500",
            owner="102",
            closedate=ts(28),
        ),
        _deal(306, "Old duplicate", [("appointmentscheduled", ts(1))], amount="1", owner="101"),
    ]
    archive(deals[5], ts(11))
    engagements = {
        "calls": [
            crm_record(
                "calls",
                401,
                ts(5),
                ts(5),
                hs_timestamp=ts(5),
                hs_call_title="Discovery",
                hs_call_duration="1800000",
                hs_call_direction="OUTBOUND",
                hs_call_status="COMPLETED",
                hubspot_owner_id="101",
            )
        ],
        "meetings": [
            crm_record(
                "meetings",
                501,
                ts(6),
                ts(6),
                hs_timestamp=ts(7),
                hs_meeting_title="Demo",
                hs_meeting_start_time=ts(7),
                hs_meeting_end_time=ts(7, 10),
                hs_meeting_outcome="COMPLETED",
                hubspot_owner_id="101",
            )
        ],
        "emails": [
            crm_record(
                "emails",
                601,
                ts(7),
                ts(7),
                hs_timestamp=ts(7),
                hs_email_subject="Proposal",
                hs_email_direction="EMAIL",
                hs_email_status="SENT",
                hubspot_owner_id="102",
            )
        ],
        "notes": [
            crm_record(
                "notes",
                701,
                ts(8),
                ts(8),
                hs_timestamp=ts(8),
                hs_note_body="Budget approved",
                hubspot_owner_id="102",
            )
        ],
        "tasks": [
            crm_record(
                "tasks",
                801,
                ts(9),
                ts(9),
                hs_timestamp=ts(12),
                hs_task_subject="Send contract",
                hs_task_status="NOT_STARTED",
                hs_task_type="TODO",
                hs_task_priority="HIGH",
                hubspot_owner_id="102",
            )
        ],
    }
    associations = [
        _assoc("deals", 301, "companies", 11, 5),
        _assoc("deals", 301, "contacts", 201, 3),
        _assoc("deals", 301, "contacts", 202, 3),
        _assoc("deals", 302, "companies", 12, 5),
        _assoc("deals", 302, "contacts", 203, 3),
        _assoc("deals", 303, "companies", 13, 5),
        _assoc("deals", 303, "contacts", 204, 3),
        _assoc("deals", 305, "companies", 12, 5),
        _assoc("contacts", 201, "companies", 11, 1),
        _assoc("contacts", 202, "companies", 11, 1),
        _assoc("contacts", 203, "companies", 12, 1),
        _assoc("contacts", 204, "companies", 13, 1),
        _assoc("calls", 401, "deals", 301, 206),
        _assoc("calls", 401, "contacts", 201, 194),
        _assoc("meetings", 501, "deals", 301, 212),
        _assoc("emails", 601, "deals", 302, 210),
        _assoc("notes", 701, "deals", 302, 214),
        _assoc("tasks", 801, "deals", 305, 216),
    ]
    ds = Dataset()
    ds.meta = {"as_of": "2026-11-26T00:00:00Z", "seed": 0, "size": "tiny"}
    ds.records["hubspot"] = {
        "owners": owners,
        "pipelines_deals": [pipeline],
        "companies": companies,
        "contacts": contacts,
        "deals": deals,
        "associations": associations,
        **engagements,
    }
    return ds


def archive(record: dict[str, Any], when: str) -> None:
    """Archive a record the way HubSpot does: flag, archive time, and a new modification time."""
    record["archived"] = True
    record["archivedAt"] = when
    touch(record, when)


def touch(record: dict[str, Any], when: str, **props: Any) -> None:
    """Change properties of a record at `when` (values stored as strings, like the API)."""
    record["updatedAt"] = when
    record["properties"]["hs_lastmodifieddate"] = when
    if "lastmodifieddate" in record["properties"]:
        record["properties"]["lastmodifieddate"] = when
    for name, value in props.items():
        record["properties"][name] = None if value is None else str(value)


def move_stage(deal: dict[str, Any], stage: str, when: str) -> None:
    """Move a deal to another stage, recording the change in its `dealstage` history."""
    touch(deal, when, dealstage=stage)
    deal.setdefault("propertiesWithHistory", {}).setdefault("dealstage", []).insert(
        0,
        {
            "value": stage,
            "timestamp": when,
            "sourceType": "CRM_UI",
            "sourceId": "userId:9001",
            "updatedByUserId": 9001,
        },
    )


def find(ds: Dataset, object_type: str, rid: int | str) -> dict[str, Any]:
    """The record of an object type with this id."""
    for record in ds.records["hubspot"][object_type]:
        if str(record["id"]) == str(rid):
            return record
    raise KeyError(f"{object_type} {rid} not in the dataset")


def many_deals(count: int, *, start_id: int = 10_000, same_time: str | None = None) -> list[dict[str, Any]]:
    """`count` plain deals, modified one minute apart from Nov 12 (or all at `same_time`)."""
    out = []
    for i in range(count):
        when = same_time or ts(12 + i // 1440, (i // 60) % 24, i % 60)
        out.append(
            crm_record(
                "deals",
                start_id + i,
                when,
                when,
                dealname=f"Bulk {i}",
                amount=str(100 + i),
                dealstage="appointmentscheduled",
                pipeline="default",
            )
        )
    return out


def reset(server: HubSpotServer, *, search_cap: int = 10_000) -> HubSpotServer:
    """A server shared by a test module, put back to the starting dataset with no faults or limits
    and an empty request log (starting a server per test costs its shutdown wait)."""
    server.dataset.replace(make_dataset())
    server.faults = Faults()
    server.search_limits = Faults()
    server.search_cap = search_cap
    server.daily_limit = 1_000_000
    server.daily_used = 0
    server.requests.clear()
    return server
