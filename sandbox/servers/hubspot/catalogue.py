"""Property definitions the sandbox HubSpot server reports for each CRM object type.

HubSpot describes every property (name, type, field type) through the properties API, and clients use
those types to cast the string values. The sandbox knows the types of the standard properties it
serves; a property it does not know takes a type inferred from the values in the dataset, and a
dataset may declare definitions of its own in `hubspot/properties.jsonl` (one definition per line with
an `objectType` key), which win over both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

OBJECT_TYPES = ("contacts", "companies", "deals", "calls", "meetings", "emails", "notes", "tasks")

# HubSpot `type` -> the `fieldType` the real API pairs with it by default.
_FIELD_TYPES = {
    "string": "text",
    "number": "number",
    "datetime": "date",
    "date": "date",
    "bool": "booleancheckbox",
    "enumeration": "select",
    "phone_number": "phonenumber",
}

_COMMON = {
    "hs_object_id": "number",
    "createdate": "datetime",
    "hs_createdate": "datetime",
    "hs_lastmodifieddate": "datetime",
    "hubspot_owner_id": "enumeration",
    "hs_timestamp": "datetime",
    "hubspot_team_id": "enumeration",
}

_BY_TYPE: dict[str, dict[str, str]] = {
    "contacts": {
        "lastmodifieddate": "datetime",
        "email": "string",
        "firstname": "string",
        "lastname": "string",
        "jobtitle": "string",
        "phone": "phone_number",
        "lifecyclestage": "enumeration",
        "hs_lead_status": "enumeration",
        "associatedcompanyid": "number",
        "country": "string",
        "city": "string",
        "hs_analytics_source": "enumeration",
    },
    "companies": {
        "name": "string",
        "domain": "string",
        "industry": "enumeration",
        "numberofemployees": "number",
        "annualrevenue": "number",
        "country": "string",
        "city": "string",
        "state": "string",
        "zip": "string",
        "lifecyclestage": "enumeration",
        "num_associated_deals": "number",
        "num_associated_contacts": "number",
        "type": "enumeration",
    },
    "deals": {
        "dealname": "string",
        "amount": "number",
        "amount_in_home_currency": "number",
        "dealstage": "enumeration",
        "pipeline": "enumeration",
        "closedate": "datetime",
        "dealtype": "enumeration",
        "deal_currency_code": "enumeration",
        "hs_is_closed": "bool",
        "hs_is_closed_won": "bool",
        "hs_deal_stage_probability": "number",
        "hs_forecast_probability": "number",
        "hs_forecast_category": "enumeration",
        "hs_manual_forecast_category": "enumeration",
        "hs_closed_amount": "number",
        "hs_acv": "number",
        "hs_arr": "number",
        "hs_mrr": "number",
        "hs_tcv": "number",
        "closed_lost_reason": "string",
        "closed_won_reason": "string",
        "num_associated_contacts": "number",
        "num_contacted_notes": "number",
        "hs_priority": "enumeration",
        "description": "string",
    },
    "calls": {
        "hs_call_title": "string",
        "hs_call_body": "string",
        "hs_call_duration": "number",
        "hs_call_direction": "enumeration",
        "hs_call_status": "enumeration",
        "hs_call_disposition": "enumeration",
    },
    "meetings": {
        "hs_meeting_title": "string",
        "hs_meeting_body": "string",
        "hs_meeting_start_time": "datetime",
        "hs_meeting_end_time": "datetime",
        "hs_meeting_outcome": "enumeration",
        "hs_meeting_location": "string",
    },
    "emails": {
        "hs_email_direction": "enumeration",
        "hs_email_subject": "string",
        "hs_email_status": "enumeration",
        "hs_email_text": "string",
    },
    "notes": {"hs_note_body": "string"},
    "tasks": {
        "hs_task_subject": "string",
        "hs_task_body": "string",
        "hs_task_status": "enumeration",
        "hs_task_type": "enumeration",
        "hs_task_priority": "enumeration",
        "hs_task_completion_date": "datetime",
    },
}

# Families of generated property names (one per stage or lifecycle value).
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"hs_date_(entered|exited)_.+"), "datetime"),
    (re.compile(r"hs_time_in_.+"), "number"),
    (re.compile(r"hs_lifecyclestage_.+_date"), "datetime"),
    (re.compile(r"hs_v2_date_(entered|exited)_.+"), "datetime"),
]

_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def known_type(object_type: str, name: str) -> str | None:
    """The HubSpot type of a standard property, or None when the sandbox does not know the name."""
    if name in _COMMON:
        return _COMMON[name]
    if name in _BY_TYPE.get(object_type, {}):
        return _BY_TYPE[object_type][name]
    for pattern, kind in _PATTERNS:
        if pattern.fullmatch(name):
            return kind
    return None


class TypeGuess:
    """The HubSpot type of a custom property, guessed from its values one at a time (no list of the
    values is kept, so a large company's millions of records cost nothing here)."""

    def __init__(self) -> None:
        self.seen = False
        self.kinds = {"bool": True, "number": True, "datetime": True, "date": True}

    def add(self, value: Any) -> None:
        if value is None or value == "" or not any(self.kinds.values()):
            return
        self.seen = True
        text = str(value)
        kinds = self.kinds
        kinds["bool"] = kinds["bool"] and text.lower() in ("true", "false")
        kinds["number"] = kinds["number"] and _NUMBER.fullmatch(text) is not None
        kinds["datetime"] = kinds["datetime"] and _DATETIME.fullmatch(text) is not None
        kinds["date"] = kinds["date"] and _DATE.fullmatch(text) is not None

    def result(self) -> str:
        if not self.seen:
            return "string"
        for kind in ("bool", "number", "datetime", "date"):
            if self.kinds[kind]:
                return kind
        return "string"


def infer_type(values: Iterable[Any]) -> str:
    """A HubSpot type for a custom property from its values; numbers only without leading zeros, so
    postcodes and phone numbers stay strings."""
    guess = TypeGuess()
    for value in values:
        guess.add(value)
    return guess.result()


def definition(object_type: str, name: str, kind: str, order: int, created_at: str) -> dict[str, Any]:
    """One property in the shape of `GET /crm/v3/properties/{objectType}`."""
    hubspot_defined = known_type(object_type, name) is not None
    return {
        "name": name,
        "label": name.replace("_", " ").strip().capitalize(),
        "type": kind,
        "fieldType": _FIELD_TYPES.get(kind, "text"),
        "groupName": f"{object_type[:-1]}information",
        "description": "",
        "options": [],
        "displayOrder": order,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": name == "hs_object_id",
        "hidden": False,
        "hubspotDefined": hubspot_defined,
        "formField": False,
        "modificationMetadata": {
            "archivable": not hubspot_defined,
            "readOnlyDefinition": hubspot_defined,
            "readOnlyValue": name in _COMMON,
        },
        "createdAt": created_at,
        "updatedAt": created_at,
        "archived": False,
    }


def build_definitions(
    object_type: str,
    records: Iterable[Mapping[str, Any]],
    declared: Iterable[Mapping[str, Any]] = (),
    created_at: str = "2020-01-01T00:00:00Z",
) -> dict[str, dict[str, Any]]:
    """Every property of an object type: the names used in its records plus declared definitions."""
    guesses: dict[str, TypeGuess | None] = {}
    for name in ("hs_object_id", "createdate", "hs_lastmodifieddate"):
        guesses[name] = None if known_type(object_type, name) else TypeGuess()
    for record in records:
        for name, value in (record.get("properties") or {}).items():
            if name not in guesses:
                guesses[name] = None if known_type(object_type, name) else TypeGuess()
            guess = guesses[name]
            if guess is not None:
                guess.add(value)
    out: dict[str, dict[str, Any]] = {}
    for order, (name, guess) in enumerate(guesses.items()):
        kind = known_type(object_type, name) or (guess.result() if guess is not None else "string")
        out[name] = definition(object_type, name, kind, order, created_at)
    for item in declared:
        if item.get("objectType") not in (None, object_type) or not item.get("name"):
            continue
        base = out.get(str(item["name"])) or definition(
            object_type, str(item["name"]), str(item.get("type", "string")), len(out), created_at
        )
        merged = {**base, **{k: v for k, v in item.items() if k != "objectType"}}
        if "type" in item and "fieldType" not in item:
            merged["fieldType"] = _FIELD_TYPES.get(str(item["type"]), "text")
        out[str(item["name"])] = merged
    return out
