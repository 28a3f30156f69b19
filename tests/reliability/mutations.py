"""Changes made to a sandbox dataset the way each CRM records them: an edit moves the record's modified
timestamp (SystemModstamp / updatedAt and hs_lastmodifieddate / update_time), a delete flags it, an
insert adds a record with a fresh id. Used by the reliability tests to change the company between or
during syncs, plant malformed records and make the schema drift."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.compare import moment
from sandbox.dataset import Dataset

Record = dict[str, Any]
# The object each CRM's scenarios change (the deals: what the warehouse is about).
MAIN = {"salesforce": "Opportunity", "hubspot": "deals", "pipedrive": "deals"}
TABLE = {"salesforce": "opportunity", "hubspot": "deals", "pipedrive": "deals"}
_ids = itertools.count(1)


def stamp_of(crm: str, record: Record) -> datetime:
    """The record's modified timestamp."""
    value = {"salesforce": record.get("SystemModstamp"), "hubspot": record.get("updatedAt"),
             "pipedrive": record.get("update_time")}[crm]
    out = moment(value)
    assert out is not None, record
    return out


def latest(ds: Dataset, crm: str, obj: str | None = None) -> datetime:
    """The newest modified timestamp of an object (the cursor a sync leaves behind)."""
    return max(stamp_of(crm, r) for r in ds.objects(crm, obj or MAIN[crm]))


def fmt(crm: str, when: datetime) -> str:
    when = when.astimezone(UTC)
    if crm == "salesforce":
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"
    if crm == "hubspot":
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def touch(crm: str, record: Record, when: datetime, **changes: Any) -> None:
    """Edit a record at `when`: set the changed fields (HubSpot: properties) and its timestamps."""
    text = fmt(crm, when)
    if crm == "salesforce":
        record.update(changes)
        record["SystemModstamp"] = text
        if "LastModifiedDate" in record:
            record["LastModifiedDate"] = text
    elif crm == "hubspot":
        props = record.setdefault("properties", {})
        props.update(changes)
        props["hs_lastmodifieddate"] = text
        if "lastmodifieddate" in props:
            props["lastmodifieddate"] = text
        record["updatedAt"] = text
    else:
        record.update(changes)
        record["update_time"] = text


def delete(crm: str, record: Record, when: datetime) -> None:
    """Delete (archive) a record at `when`."""
    if crm == "salesforce":
        touch(crm, record, when, IsDeleted=True)
    elif crm == "hubspot":
        touch(crm, record, when)
        record["archived"] = True
        record["archivedAt"] = fmt(crm, when)
    else:
        touch(crm, record, when, is_deleted=True)


def new_id(crm: str, template: Record) -> Any:
    n = next(_ids)
    if crm == "salesforce":
        return str(template["Id"])[:3] + "9" + f"{n:011d}" + "AAA"
    if crm == "hubspot":
        return str(990_000_000 + n)
    return 900_000 + n


def insert(ds: Dataset, crm: str, when: datetime, obj: str | None = None, **changes: Any) -> Record:
    """Add a copy of the object's first live record under a new id, created and modified at `when`."""
    obj = obj or MAIN[crm]
    rows = ds.records[crm][obj]
    template = next(r for r in rows if not (r.get("IsDeleted") or r.get("archived") or r.get("is_deleted")))
    record = copy.deepcopy(template)
    rid = new_id(crm, template)
    text = fmt(crm, when)
    if crm == "salesforce":
        record["Id"] = rid
        record["CreatedDate"] = text
    elif crm == "hubspot":
        record["id"] = rid
        record["properties"]["hs_object_id"] = rid
        record["properties"]["createdate"] = text
        record["createdAt"] = text
        for entries in (record.get("propertiesWithHistory") or {}).values():
            for entry in entries:
                entry["timestamp"] = text
    else:
        record["id"] = rid
        record["add_time"] = text
    touch(crm, record, when, **changes)
    rows.append(record)
    return record


def live(ds: Dataset, crm: str, obj: str | None = None) -> list[Record]:
    """The records of an object not deleted, in dataset order."""
    return [r for r in ds.objects(crm, obj or MAIN[crm])
            if not (r.get("IsDeleted") or r.get("archived") or r.get("is_deleted") or r.get("status") == "deleted")]


def key(crm: str, record: Record) -> str:
    return str(record["Id"] if crm == "salesforce" else record["id"])


def amount_change(crm: str) -> dict[str, Any]:
    """A harmless edit of a deal's amount, in the CRM's own value shape."""
    return {"salesforce": {"Amount": 4321.0}, "hubspot": {"amount": "4321"},
            "pipedrive": {"value": 4321.0}}[crm]


def malformed_change(crm: str) -> dict[str, Any]:
    """An amount that does not parse as a number."""
    return {"salesforce": {"Amount": "twelve hundred"}, "hubspot": {"amount": "12,5x"},
            "pipedrive": {"value": "12k"}}[crm]


def bad_date_change(crm: str) -> dict[str, Any]:
    """A date or datetime field with an impossible value."""
    return {"salesforce": {"CloseDate": "2026-13-45"}, "hubspot": {"closedate": "the 45th of Smarch"},
            "pipedrive": {"expected_close_date": "2026-13-45"}}[crm]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# -- schema drift ------------------------------------------------------------------------------------
NEW_FIELD = {"salesforce": ("Renewal_Amount__c", "renewal_amount_c"), "hubspot": ("renewal_amount", "renewal_amount"),
             "pipedrive": ("Renewal amount", "renewal_amount")}
NEW_FIELD_KEY = "5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"  # a Pipedrive custom field's 40-hex key


def add_field(ds: Dataset, crm: str, when: datetime, values: list[float]) -> list[Record]:
    """A field appears (a new custom field): every record has it, the first len(values) live records
    get a value and are modified at `when` (+1 s each). Returns those records."""
    name = NEW_FIELD[crm][0]
    rows = ds.records[crm][MAIN[crm]]
    if crm == "pipedrive":
        fields = ds.records["pipedrive"]["dealFields"]
        stamp = when.strftime("%Y-%m-%d %H:%M:%S")
        fields.append({**copy.deepcopy(fields[-1]), "id": 9901, "key": NEW_FIELD_KEY, "name": name,
                       "field_type": "double", "options": None, "add_time": stamp, "update_time": stamp})
    for record in rows:
        if crm == "salesforce":
            record.setdefault(name, None)
        elif crm == "hubspot":
            record["properties"].setdefault(name, None)
    changed = live(ds, crm)[: len(values)]
    for i, (record, value) in enumerate(zip(changed, values, strict=True)):
        at = when + timedelta(seconds=i)
        if crm == "salesforce":
            touch(crm, record, at, **{name: value})
        elif crm == "hubspot":
            touch(crm, record, at, **{name: str(value)})
        else:
            record.setdefault("custom_fields", {})[NEW_FIELD_KEY] = value
            touch(crm, record, at)
    # the HubSpot sandbox caches its property catalogue per record list: a new list, as after a day step
    ds.records[crm][MAIN[crm]] = list(rows)
    return changed


def remove_field(ds: Dataset, crm: str, when: datetime, touched: int = 3) -> tuple[str, list[Record]]:
    """A field disappears from the API (deleted custom field): gone from every record and from the
    metadata; `touched` records are modified at `when`. Returns the raw column name and those records."""
    rows = ds.records[crm][MAIN[crm]]
    if crm == "salesforce":
        name, column = "NextStep", "next_step"
        for record in rows:
            record.pop(name, None)
    elif crm == "hubspot":
        name = column = "dealtype"
        for record in rows:
            record["properties"].pop(name, None)
    else:
        fields = ds.records["pipedrive"]["dealFields"]
        gone = next(f for f in fields if len(str(f.get("key"))) == 40)
        fields.remove(gone)
        name = str(gone["key"])
        column = str(gone["name"]).lower().replace(" ", "_")
        for record in rows:
            (record.get("custom_fields") or {}).pop(name, None)
    changed = live(ds, crm)[:touched]
    for i, record in enumerate(changed):
        touch(crm, record, when + timedelta(seconds=i))
    ds.records[crm][MAIN[crm]] = list(rows)
    return column, changed
