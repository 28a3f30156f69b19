"""Pure functions that turn the stored v2-shaped Pipedrive records into what each endpoint returns.

The dataset keeps deals, persons, organizations, activities, pipelines and stages in the v2 shape.
The v1 endpoints answer with the older shape derived here: `YYYY-MM-DD HH:MM:SS` timestamps, id
fields of deals, persons and organizations as objects carrying `value`, `active`/`deleted` or
`active_flag` flags instead of `is_deleted`, and custom fields at the top level under their hash keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Record = dict[str, Any]

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_V1_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 or `YYYY-MM-DD HH:MM:SS` (UTC) string as an aware datetime; None when unparseable."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _V1_TIME.match(text):
            return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        if _RFC3339.match(text):
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed.astimezone(UTC)
    except ValueError:
        return None
    return None


def v1_time(value: Any) -> Any:
    """Convert one RFC 3339 timestamp to the v1 form; anything else is returned unchanged."""
    if isinstance(value, str) and _RFC3339.match(value):
        parsed = parse_time(value)
        if parsed is not None:
            return parsed.strftime("%Y-%m-%d %H:%M:%S")
    return value


def v2_time(moment: datetime) -> str:
    """An aware datetime in the v2 form (`2026-01-01T10:20:00Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_deleted(obj: str, record: Mapping[str, Any]) -> bool:
    """Whether a stored record counts as deleted (deals also when their status says so)."""
    if record.get("is_deleted"):
        return True
    return obj == "deals" and record.get("status") == "deleted"


@dataclass
class Lookups:
    """Indexes of related records used to expand ids into v1 objects and names."""

    users: dict[Any, Record] = field(default_factory=dict)
    persons: dict[Any, Record] = field(default_factory=dict)
    organizations: dict[Any, Record] = field(default_factory=dict)
    stages: dict[Any, Record] = field(default_factory=dict)
    pipelines: dict[Any, Record] = field(default_factory=dict)
    deals: dict[Any, Record] = field(default_factory=dict)
    deal_fields: dict[str, Record] = field(default_factory=dict)  # by hash key
    organization_fields: dict[str, Record] = field(default_factory=dict)  # by hash key

    @classmethod
    def build(cls, records: Mapping[str, list[Record]]) -> Lookups:
        def index(name: str) -> dict[Any, Record]:
            return {r.get("id"): r for r in records.get(name, [])}

        return cls(
            users=index("users"),
            persons=index("persons"),
            organizations=index("organizations"),
            stages=index("stages"),
            pipelines=index("pipelines"),
            deals=index("deals"),
            deal_fields={str(f.get("key")): f for f in records.get("dealFields", [])},
            organization_fields={str(f.get("key")): f for f in records.get("organizationFields", [])},
        )


def user_ref(user_id: Any, lk: Lookups) -> Record | None:
    """The v1 object that stands for a user id inside another record."""
    if user_id is None:
        return None
    user = lk.users.get(user_id, {})
    return {
        "id": user_id,
        "name": user.get("name"),
        "email": user.get("email"),
        "has_pic": 0,
        "pic_hash": None,
        "active_flag": bool(user.get("active_flag", True)),
        "value": user_id,
    }


def _contacts_v1(items: Any) -> list[Record]:
    out: list[Record] = []
    for item in items or []:
        if isinstance(item, Mapping):
            out.append({"label": item.get("label", "work"), "value": item.get("value"),
                        "primary": bool(item.get("primary", False))})
    return out or [{"value": "", "primary": True}]


def person_ref(person_id: Any, lk: Lookups) -> Record | None:
    """The v1 object that stands for a person id inside a deal."""
    if person_id is None:
        return None
    person = lk.persons.get(person_id, {})
    return {
        "active_flag": not is_deleted("persons", person),
        "name": person.get("name"),
        "email": _contacts_v1(person.get("emails")),
        "phone": _contacts_v1(person.get("phones")),
        "owner_id": person.get("owner_id"),
        "value": person_id,
    }


def _address_text(address: Any) -> Any:
    if isinstance(address, Mapping):
        return address.get("value")
    return address


def org_ref(org_id: Any, lk: Lookups) -> Record | None:
    """The v1 object that stands for an organization id inside a deal or person."""
    if org_id is None:
        return None
    org = lk.organizations.get(org_id, {})
    return {
        "name": org.get("name"),
        "people_count": sum(1 for p in lk.persons.values()
                            if p.get("org_id") == org_id and not is_deleted("persons", p)),
        "owner_id": org.get("owner_id"),
        "address": _address_text(org.get("address")),
        "active_flag": not is_deleted("organizations", org),
        "cc_email": None,
        "value": org_id,
    }


def _copy_times(record: Mapping[str, Any], skip: set[str]) -> Record:
    """Every field not in `skip`, with RFC 3339 timestamps turned into v1 timestamps."""
    return {k: v1_time(v) for k, v in record.items() if k not in skip}


def custom_fields_v1(custom: Any, fields: Mapping[str, Record]) -> Record:
    """v2 `custom_fields` flattened to the v1 top-level form (enums as strings, sets as "1,2");
    `fields` is the object's field metadata by hash key."""
    out: Record = {}
    if not isinstance(custom, Mapping):
        return out
    for key, value in custom.items():
        field_type = fields.get(key, {}).get("field_type")
        if isinstance(value, Mapping):
            if "currency" in value:
                out[key] = value.get("value")
                out[f"{key}_currency"] = value.get("currency")
            else:
                out[key] = v1_time(value.get("value"))
                for sub, subvalue in value.items():
                    if sub != "value":
                        out[f"{key}_{sub}"] = v1_time(subvalue)
        elif isinstance(value, list):
            out[key] = ",".join(str(v) for v in value) if value else None
        elif field_type == "enum" and value is not None:
            out[key] = str(value)
        else:
            out[key] = v1_time(value)
    return out


def _name_of(table: Mapping[Any, Record], key: Any) -> Any:
    return table.get(key, {}).get("name") if key is not None else None


def deal_v1(deal: Mapping[str, Any], lk: Lookups) -> Record:
    """A stored v2 deal in the v1 shape."""
    deleted = is_deleted("deals", deal)
    out = _copy_times(deal, {"custom_fields", "owner_id", "creator_user_id", "person_id", "org_id",
                             "is_deleted", "label_ids", "visible_to", "is_archived"})
    status = "deleted" if deleted else deal.get("status")
    out["status"] = status
    out["user_id"] = user_ref(deal.get("owner_id"), lk)
    out["creator_user_id"] = user_ref(deal.get("creator_user_id"), lk)
    out["person_id"] = person_ref(deal.get("person_id"), lk)
    out["org_id"] = org_ref(deal.get("org_id"), lk)
    out["active"] = status == "open"
    out["deleted"] = deleted
    visible = deal.get("visible_to")
    out["visible_to"] = str(visible) if visible is not None else None
    labels = deal.get("label_ids") or []
    out["label"] = ",".join(str(v) for v in labels) if labels else None
    out.setdefault("first_won_time", v1_time(deal.get("won_time")))
    probability = deal.get("probability")
    if probability is None:
        probability = lk.stages.get(deal.get("stage_id"), {}).get("deal_probability")
    value = deal.get("value")
    out["weighted_value"] = (
        value * probability / 100
        if isinstance(value, int | float) and isinstance(probability, int | float) else value
    )
    out["org_name"] = _name_of(lk.organizations, deal.get("org_id"))
    out["person_name"] = _name_of(lk.persons, deal.get("person_id"))
    out["owner_name"] = _name_of(lk.users, deal.get("owner_id"))
    out.update(custom_fields_v1(deal.get("custom_fields"), lk.deal_fields))
    return out


def person_v1(person: Mapping[str, Any], lk: Lookups) -> Record:
    """A stored v2 person in the v1 shape."""
    out = _copy_times(person, {"custom_fields", "owner_id", "org_id", "is_deleted", "emails", "phones",
                               "visible_to", "label_ids"})
    out["owner_id"] = user_ref(person.get("owner_id"), lk)
    out["org_id"] = org_ref(person.get("org_id"), lk)
    out["email"] = _contacts_v1(person.get("emails"))
    out["phone"] = _contacts_v1(person.get("phones"))
    out["active_flag"] = not is_deleted("persons", person)
    visible = person.get("visible_to")
    out["visible_to"] = str(visible) if visible is not None else None
    labels = person.get("label_ids") or []
    out["label"] = labels[0] if labels else None
    out["label_ids"] = list(labels)
    out["org_name"] = _name_of(lk.organizations, person.get("org_id"))
    out["owner_name"] = _name_of(lk.users, person.get("owner_id"))
    out.update(custom_fields_v1(person.get("custom_fields"), {}))  # the dataset has no person fields
    return out


def organization_v1(org: Mapping[str, Any], lk: Lookups) -> Record:
    """A stored v2 organization in the v1 shape."""
    out = _copy_times(org, {"custom_fields", "owner_id", "is_deleted", "address", "visible_to",
                            "label_ids"})
    out["owner_id"] = user_ref(org.get("owner_id"), lk)
    out["active_flag"] = not is_deleted("organizations", org)
    address = org.get("address")
    out["address"] = _address_text(address)
    if isinstance(address, Mapping):
        for sub, value in address.items():
            if sub != "value":
                out[f"address_{sub}"] = value
    visible = org.get("visible_to")
    out["visible_to"] = str(visible) if visible is not None else None
    labels = org.get("label_ids") or []
    out["label"] = labels[0] if labels else None
    out["owner_name"] = _name_of(lk.users, org.get("owner_id"))
    out.update(custom_fields_v1(org.get("custom_fields"), lk.organization_fields))
    return out


def activity_v1(activity: Mapping[str, Any], lk: Lookups) -> Record:
    """A stored v2 activity in the v1 shape (plain integer ids, `user_id` for the owner)."""
    out = _copy_times(activity, {"owner_id", "is_deleted", "participants", "creator_user_id"})
    owner = activity.get("owner_id")
    out["user_id"] = owner
    out["assigned_to_user_id"] = owner
    out["created_by_user_id"] = activity.get("creator_user_id", owner)
    out["active_flag"] = not is_deleted("activities", activity)
    out["participants"] = [
        {"person_id": p.get("person_id"), "primary_flag": bool(p.get("primary", False))}
        for p in activity.get("participants") or [] if isinstance(p, Mapping)
    ] or None
    deal_id = activity.get("deal_id")
    out["deal_title"] = lk.deals.get(deal_id, {}).get("title") if deal_id is not None else None
    out["person_name"] = _name_of(lk.persons, activity.get("person_id"))
    out["org_name"] = _name_of(lk.organizations, activity.get("org_id"))
    out["owner_name"] = _name_of(lk.users, owner)
    return out


def stage_v1(stage: Mapping[str, Any], lk: Lookups) -> Record:
    """A stored v2 stage in the v1 shape."""
    out = _copy_times(stage, {"is_deleted", "is_deal_rot_enabled", "days_to_rotten"})
    out["active_flag"] = not is_deleted("stages", stage)
    out["rotten_flag"] = bool(stage.get("is_deal_rot_enabled", False))
    out["rotten_days"] = stage.get("days_to_rotten")
    out["pipeline_name"] = _name_of(lk.pipelines, stage.get("pipeline_id"))
    return out


def _slug(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text or "").lower()).strip("-")


def pipeline_v1(pipeline: Mapping[str, Any], lk: Lookups) -> Record:
    """A stored v2 pipeline in the v1 shape."""
    out = _copy_times(pipeline, {"is_deleted", "is_deal_probability_enabled", "is_selected"})
    out["active"] = not is_deleted("pipelines", pipeline)
    out["deal_probability"] = bool(pipeline.get("is_deal_probability_enabled", True))
    out["selected"] = bool(pipeline.get("is_selected", False))
    out.setdefault("url_title", _slug(pipeline.get("name")))
    return out


V1_SHAPERS = {
    "deals": deal_v1,
    "persons": person_v1,
    "organizations": organization_v1,
    "activities": activity_v1,
    "stages": stage_v1,
    "pipelines": pipeline_v1,
}


def to_v1(obj: str, record: Mapping[str, Any], lk: Lookups) -> Record:
    """Any stored record in its v1 shape (records stored in the v1 shape are copied as they are)."""
    shaper = V1_SHAPERS.get(obj)
    return shaper(record, lk) if shaper else dict(record)


def related_objects(rows: list[Record], lk: Lookups) -> Record:
    """The v1 `related_objects` block for the users, persons and organizations a page refers to."""
    users: Record = {}
    persons: Record = {}
    orgs: Record = {}
    for row in rows:
        for key in ("user_id", "creator_user_id", "owner_id"):
            ref = row.get(key)
            uid = ref.get("value") if isinstance(ref, Mapping) else ref
            if uid is not None and uid in lk.users:
                user = lk.users[uid]
                users[str(uid)] = {"id": uid, "name": user.get("name"), "email": user.get("email"),
                                   "has_pic": 0, "pic_hash": None,
                                   "active_flag": bool(user.get("active_flag", True))}
        ref = row.get("person_id")
        pid = ref.get("value") if isinstance(ref, Mapping) else ref
        if pid is not None and pid in lk.persons:
            persons[str(pid)] = {"id": pid, "name": lk.persons[pid].get("name")}
        ref = row.get("org_id")
        oid = ref.get("value") if isinstance(ref, Mapping) else ref
        if oid is not None and oid in lk.organizations:
            orgs[str(oid)] = {"id": oid, "name": lk.organizations[oid].get("name")}
    out: Record = {}
    if users:
        out["user"] = users
    if persons:
        out["person"] = persons
    if orgs:
        out["organization"] = orgs
    return out
