"""A small hand-made Pipedrive dataset (FORMAT.md shape) and the changes tests apply to it.

One pipeline of five stages, three users, three organizations, four persons, seven deals (one
deleted), six activities (one deleted), two custom deal fields and a few stage and status changes in
the deal flow. Times sit in November 2026, before the dataset's `as_of`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.dataset import Dataset

AS_OF = datetime(2026, 11, 26, tzinfo=UTC)
LEAD_CHANNEL_KEY = "3f8a1c2e9b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a"
CONTRACT_VALUE_KEY = "d4de0e5b1c2a3948576a6b7c8d9e0f1a2b3c90a6"
RENEWAL_DATE_KEY = "9c1b2a3d4e5f60718293a4b5c6d7e8f901234567"
STAGE_NAMES = ("Lead In", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started")


def ts(day: int, hour: int = 9, minute: int = 0) -> str:
    """A v2 timestamp in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def v1ts(value: str) -> str:
    """A v2 timestamp written the v1 way."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y-%m-%d %H:%M:%S")


def _user(uid: int, name: str, email: str, *, admin: bool = False, me: bool = False,
          active: bool = True) -> dict[str, Any]:
    return {"id": uid, "name": name, "email": email, "active_flag": active, "is_admin": admin,
            "role_id": 1, "default_currency": "EUR", "timezone_name": "Europe/Berlin",
            "created": "2025-01-06 08:00:00", "modified": "2026-10-01 08:00:00",
            "last_login": "2026-11-20 08:00:00", "is_you": me}


def _deal(did: int, title: str, *, owner: int, stage: int, status: str = "open", value: float = 1000.0,
          org: int | None = 201, person: int | None = 301, updated: str = "", added: str = "",
          channel: int | None = 31, contract: float | None = None, deleted: bool = False) -> dict[str, Any]:
    added = added or ts(2, 9)
    return {
        "id": did, "title": title, "owner_id": owner, "creator_user_id": owner, "person_id": person,
        "org_id": org, "pipeline_id": 1, "stage_id": stage, "value": value, "currency": "EUR",
        "status": status, "probability": None, "lost_reason": "Price" if status == "lost" else None,
        "visible_to": 3, "add_time": added, "update_time": updated or added,
        "stage_change_time": updated or None, "won_time": updated if status == "won" else None,
        "lost_time": updated if status == "lost" else None,
        "close_time": updated if status in ("won", "lost") else None,
        "expected_close_date": "2026-12-15", "is_deleted": deleted, "is_archived": False,
        "label_ids": [7], "origin": "ManuallyCreated",
        "custom_fields": {
            LEAD_CHANNEL_KEY: channel,
            CONTRACT_VALUE_KEY: None if contract is None else {"value": contract, "currency": "EUR"},
        },
    }


def flow_item(fid: int, deal_id: int, when: str, field_key: str, old: Any, new: Any,
              user_id: int = 102) -> dict[str, Any]:
    """One dealChange line of `dealFlow.jsonl`."""
    stamp = v1ts(when)
    formatted = {"stage_id": dict(enumerate(STAGE_NAMES, start=1))}
    names = formatted.get(field_key, {})
    return {"deal_id": deal_id, "object": "dealChange", "timestamp": stamp, "data": {
        "id": fid, "item_id": deal_id, "user_id": user_id, "field_key": field_key,
        "old_value": None if old is None else str(old), "new_value": None if new is None else str(new),
        "is_bulk_update_flag": None, "log_time": stamp, "change_source": "app",
        "additional_data": {"old_value_formatted": names.get(old, old),
                            "new_value_formatted": names.get(new, new)}}}


def deal_field(fid: int, key: str, name: str, field_type: str, *, options: list[dict[str, Any]] | None = None,
               custom: bool = True) -> dict[str, Any]:
    """One `dealFields.jsonl` line (v1 shape)."""
    return {"id": fid, "key": key, "name": name, "field_type": field_type, "order_nr": fid,
            "add_time": "2025-01-06 08:00:00", "update_time": "2025-01-06 08:00:00",
            "last_updated_by_user_id": 101, "active_flag": True, "edit_flag": custom,
            "index_visible_flag": True, "details_visible_flag": True, "add_visible_flag": True,
            "important_flag": False, "bulk_edit_allowed": True, "searchable_flag": False,
            "filtering_allowed": True, "sortable_flag": True, "mandatory_flag": False,
            "options": options}


def make_dataset() -> Dataset:
    """A fresh copy of the small Pipedrive company."""
    ds = Dataset()
    ds.meta = {"as_of": AS_OF.strftime("%Y-%m-%dT%H:%M:%SZ"), "seed": 0, "size": "fixture"}
    users = [_user(101, "Alice Admin", "alice@example.com", admin=True, me=True),
             _user(102, "Bob Seller", "bob@example.com"),
             _user(103, "Carol Closer", "carol@example.com", active=False)]
    activity_types = [
        {"id": i, "name": name.title(), "key_string": name, "icon_key": name, "order_nr": i,
         "active_flag": name != "lunch", "is_custom_flag": False, "color": None,
         "add_time": "2025-01-06 08:00:00", "update_time": "2025-01-06 08:00:00"}
        for i, name in enumerate(("call", "meeting", "task", "deadline", "email", "lunch"), start=1)
    ]
    fields = [
        deal_field(1, "title", "Title", "varchar", custom=False),
        deal_field(2, "value", "Value", "monetary", custom=False),
        deal_field(3, "stage_id", "Stage", "stage", custom=False),
        deal_field(4, "status", "Status", "status", custom=False),
        deal_field(12, LEAD_CHANNEL_KEY, "Lead channel", "enum",
                   options=[{"id": 31, "label": "Inbound"}, {"id": 32, "label": "Outbound"}]),
        deal_field(13, CONTRACT_VALUE_KEY, "Contract value (ARR)", "monetary"),
    ]
    pipelines = [{"id": 1, "name": "Subsidiary sales", "order_nr": 1, "is_deleted": False,
                  "is_deal_probability_enabled": True, "is_selected": True,
                  "add_time": ts(1, 8), "update_time": ts(1, 8)}]
    stages = [{"id": i, "order_nr": i, "name": name, "is_deleted": False, "deal_probability": i * 15,
               "pipeline_id": 1, "is_deal_rot_enabled": False, "days_to_rotten": None,
               "add_time": ts(1, 8), "update_time": ts(1, 8)}
              for i, name in enumerate(STAGE_NAMES, start=1)]
    orgs = [{"id": oid, "name": name, "owner_id": 101, "add_time": ts(1, 10), "update_time": ts(1, 10),
             "is_deleted": False, "visible_to": 3, "label_ids": [],
             "address": {"value": f"{oid} Main Street, Berlin", "country": "Germany"},
             "custom_fields": {}}
            for oid, name in ((201, "Acme GmbH"), (202, "Globex AG"), (203, "Initech SE"))]
    persons: list[dict[str, Any]] = [
               {"id": pid, "name": name, "first_name": name.split()[0], "last_name": name.split()[1],
                "owner_id": 102, "org_id": org, "add_time": ts(1, 11), "update_time": ts(1, 11),
                "is_deleted": False, "visible_to": 3, "label_ids": [],
                "emails": [{"value": f"{name.split()[0].lower()}@example.org", "primary": True,
                            "label": "work"}],
                "phones": [], "custom_fields": {}}
               for pid, name, org in ((301, "Dana Buyer", 201), (302, "Eli Champion", 202),
                                      (303, "Fay Signer", 203), (304, "Gus Lurker", None))]
    deals = [
        _deal(401, "Acme rollout", owner=102, stage=3, updated=ts(5, 10), contract=12000.0),
        _deal(402, "Globex pilot", owner=102, stage=2, org=202, person=302, updated=ts(6, 11)),
        _deal(403, "Initech expansion", owner=101, stage=5, status="won", org=203, person=303,
              value=25000.0, updated=ts(8, 15), channel=32),
        _deal(404, "Acme add-on", owner=103, stage=4, status="lost", updated=ts(9, 12)),
        _deal(405, "Globex renewal", owner=101, stage=1, org=202, person=None),
        _deal(406, "Old duplicate", owner=102, stage=1, status="lost", updated=ts(7, 9), deleted=True),
        _deal(407, "Initech training", owner=102, stage=2, org=203, person=303, updated=ts(10, 16),
              channel=None),
    ]
    activities = [
        {"id": aid, "subject": subject, "type": kind, "owner_id": owner, "deal_id": deal, "person_id": 301,
         "org_id": 201, "due_date": due, "due_time": "10:00", "duration": "00:30", "done": done,
         "marked_as_done_time": ts(int(due[-2:]), 10, 30) if done else None, "add_time": ts(3, 9),
         "update_time": updated, "is_deleted": deleted, "busy": False,
         "participants": [{"person_id": 301, "primary": True}], "note": None}
        for aid, subject, kind, owner, deal, due, done, updated, deleted in (
            (501, "Intro call", "call", 102, 401, "2026-11-04", True, ts(4, 10), False),
            (502, "Demo", "meeting", 102, 401, "2026-11-05", True, ts(5, 10), False),
            (503, "Send proposal", "email", 101, 403, "2026-11-07", True, ts(7, 10), False),
            (504, "Follow up", "task", 102, 402, "2026-11-12", False, ts(6, 12), False),
            (505, "Lunch", "lunch", 101, None, "2026-11-06", True, ts(6, 13), False),
            (506, "Wrong entry", "call", 103, 404, "2026-11-06", False, ts(6, 14), True),
        )
    ]
    flow = [
        flow_item(9001, 401, ts(3, 10), "stage_id", 1, 2),
        flow_item(9002, 401, ts(5, 10), "stage_id", 2, 3),
        flow_item(9003, 403, ts(4, 9), "stage_id", 1, 3),
        flow_item(9004, 403, ts(6, 9), "stage_id", 3, 5),
        flow_item(9005, 403, ts(8, 15), "status", "open", "won", user_id=101),
        flow_item(9006, 404, ts(9, 12), "status", "open", "lost", user_id=103),
        flow_item(9007, 402, ts(6, 11), "stage_id", 1, 2),
        flow_item(9008, 402, ts(6, 11), "title", "Globex", "Globex pilot"),
    ]
    ds.records["pipedrive"] = {
        "users": users, "activityTypes": activity_types, "dealFields": fields, "pipelines": pipelines,
        "stages": stages, "organizations": orgs, "persons": persons, "deals": deals,
        "activities": activities, "dealFlow": flow,
    }
    return ds


def find(ds: Dataset, obj: str, rid: int) -> dict[str, Any]:
    """The stored record of an object by id."""
    for record in ds.records["pipedrive"][obj]:
        if record.get("id") == rid:
            return record
    raise KeyError(f"pipedrive {obj} {rid} not in the fixture dataset")


def move_deal_stage(ds: Dataset, deal_id: int, stage_id: int, when: str, flow_id: int) -> None:
    """Move a deal to another stage, as the CRM would: the deal changes and the flow gains an item."""
    deal = find(ds, "deals", deal_id)
    ds.records["pipedrive"]["dealFlow"].append(flow_item(flow_id, deal_id, when, "stage_id",
                                                         deal["stage_id"], stage_id))
    deal.update(stage_id=stage_id, stage_change_time=when, update_time=when)


def delete_record(ds: Dataset, obj: str, rid: int, when: str) -> None:
    """Delete a record the way Pipedrive does: it stays, flagged, with a new update time."""
    find(ds, obj, rid).update(is_deleted=True, update_time=when)


def add_custom_field(ds: Dataset, key: str, name: str, field_type: str, values: dict[int, Any],
                     when: str, fid: int = 14) -> None:
    """Create a custom deal field and set it on some deals (each of them is updated at `when`)."""
    ds.records["pipedrive"]["dealFields"].append(deal_field(fid, key, name, field_type))
    for deal in ds.records["pipedrive"]["deals"]:
        deal["custom_fields"][key] = values.get(deal["id"])
        if deal["id"] in values:
            deal["update_time"] = when


def later(base: str, minutes: int) -> str:
    """A v2 timestamp some minutes after another."""
    moment = datetime.strptime(base, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
