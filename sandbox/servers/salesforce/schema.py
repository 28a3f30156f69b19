"""Describe metadata for the sandbox Salesforce org, derived from the dataset's records.

Field types come from the JSON values (booleans, numbers, ISO dates and datetimes, 18-character ids)
and a few well-known field names (amounts are `currency`, probabilities `percent`, stage and status
fields `picklist`). A dataset may add or correct fields with overrides shaped like
`salesforce/_describe.json`: `{"Opportunity": [{"name": "Amount", "type": "currency"}, ...]}`; an
override with `"hidden": true` removes the field from describe (and from what SOQL accepts).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Key prefixes of the standard objects the sandbox serves (see FORMAT.md).
KEY_PREFIXES = {
    "User": "005",
    "UserRole": "00E",
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "OpportunityFieldHistory": "017",
    "Task": "00T",
    "Event": "00U",
    "OpportunityStage": "01J",
    "ForecastingQuota": "0J9",
    "CurrencyType": "02N",
    "DatedConversionRate": "04w",
}
_PREFIX_TO_OBJECT = {v: k for k, v in KEY_PREFIXES.items()}

_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_RE = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")

_CURRENCY_NAMES = {"Amount", "ExpectedRevenue", "PrevAmount", "QuotaAmount", "AnnualRevenue"}
_PERCENT_NAMES = {"Probability", "DefaultProbability"}
_PICKLIST_NAMES = {
    "StageName",
    "Status",
    "Type",
    "LeadSource",
    "ForecastCategory",
    "ForecastCategoryName",
    "Industry",
    "Priority",
    "CurrencyIsoCode",
    "IsoCode",
    "TaskSubtype",
    "EventSubtype",
    "CallType",
    "UserType",
    "Rating",
    "Field",
    "DataType",
}
_ANYTYPE_NAMES = {"OldValue", "NewValue"}
_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "anyType": "xsd:anyType",
}
_SAMPLE = 50  # non-null values looked at per field to pick its type


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str


def label_of(name: str) -> str:
    """`OpportunityFieldHistory` -> `Opportunity Field History`; `Segment__c` -> `Segment`."""
    base = name[:-3] if name.endswith("__c") else name
    base = base.replace("_", " ")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", base).strip()


def native(value: Any) -> Any:
    """A plain Python value for numpy scalars (`numpy.bool`, `numpy.int64`...) a generator may leave in."""
    if value is not None and not isinstance(value, (str, bytes, int, float, bool)) and hasattr(value, "item"):
        return value.item()
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        if _DATETIME_RE.match(value):
            return "datetime"
        if _DATE_RE.match(value):
            return "date"
        return "id" if _ID_RE.match(value) else "string"
    return "anyType"


def _infer_type(name: str, values: list[Any]) -> str:
    """The describe type of a field from a sample of its values: the most common kind wins, so one
    malformed value (as a test may plant) does not change the field's type."""
    if name == "Id":
        return "id"
    if name in _ANYTYPE_NAMES:
        return "anyType"
    if name in _CURRENCY_NAMES:
        return "currency"
    if name in _PERCENT_NAMES:
        return "percent"
    if not values:
        return "string"
    kinds = Counter(_kind(v) for v in values)
    if kinds["int"] and kinds["double"]:
        kinds["double"] += kinds.pop("int")
    kind = kinds.most_common(1)[0][0]
    if kind == "id":
        kind = "reference" if name.endswith("Id") else "string"
    if kind == "string":
        if name in _PICKLIST_NAMES:
            return "picklist"
        return {"Email": "email", "Phone": "phone", "Website": "url"}.get(name, "string")
    return kind


def derive_fields(
    records: list[dict[str, Any]], overrides: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Describe field entries for one object: every key seen in its records, then the overrides."""
    names: dict[str, None] = {"Id": None}
    for record in records:
        names.update(dict.fromkeys(record))
    samples: dict[str, list[Any]] = {name: [] for name in names}
    pending = set(names)
    for record in records:
        if not pending:
            break
        for name in list(pending):
            value = native(record.get(name))
            if value is not None:
                bucket = samples[name]
                bucket.append(value)
                if len(bucket) >= _SAMPLE:
                    pending.discard(name)
    fields = {
        name: _field_entry(name, _infer_type(name, samples[name]), samples[name], records) for name in names
    }
    for override in overrides or []:
        if not override.get("name"):
            continue
        name = str(override["name"])
        if override.get("hidden"):
            fields.pop(name, None)
            continue
        base = fields.get(name) or _field_entry(name, override.get("type", "string"), [], records)
        merged = {**base, **{k: v for k, v in override.items() if k != "hidden"}}
        merged["soapType"] = override.get("soapType", _SOAP_TYPES.get(merged["type"], "xsd:string"))
        fields[name] = merged
    return list(fields.values())


def _field_entry(name: str, ftype: str, sample: list[Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    reference_to: list[str] = []
    relationship = None
    if ftype == "reference":
        prefixes = {str(v)[:3] for v in sample}
        reference_to = sorted({_PREFIX_TO_OBJECT.get(p, p) for p in prefixes})
        relationship = name[:-2] if name.endswith("Id") else None
    picklist: list[dict[str, Any]] = []
    if ftype == "picklist":
        seen = sorted({str(r[name]) for r in records if r.get(name) is not None})[:500]
        picklist = [
            {"value": v, "label": v, "active": True, "defaultValue": False, "validFor": None} for v in seen
        ]
    return {
        "name": name,
        "label": label_of(name),
        "type": ftype,
        "soapType": _SOAP_TYPES.get(ftype, "xsd:string"),
        "nillable": name not in ("Id", "IsDeleted", "CreatedDate", "SystemModstamp"),
        "custom": name.endswith("__c"),
        "length": 255
        if ftype in ("string", "picklist", "email", "phone", "url", "textarea")
        else (18 if ftype in ("id", "reference") else 0),
        "precision": 18 if ftype in ("currency", "double", "percent") else 0,
        "scale": 2 if ftype in ("currency", "double", "percent") else 0,
        "digits": 9 if ftype == "int" else 0,
        "referenceTo": reference_to,
        "relationshipName": relationship,
        "picklistValues": picklist,
        "calculated": False,
        "filterable": ftype != "anyType",
        "sortable": ftype != "anyType",
        "groupable": ftype not in ("anyType", "double", "currency", "percent", "datetime"),
        "createable": name not in ("Id", "IsDeleted", "CreatedDate", "SystemModstamp"),
        "updateable": name not in ("Id", "IsDeleted", "CreatedDate", "SystemModstamp"),
        "idLookup": name == "Id",
        "externalId": False,
        "unique": False,
        "defaultValue": None,
        "deprecatedAndHidden": False,
    }


def field_index(fields: list[dict[str, Any]]) -> dict[str, FieldInfo]:
    """Lower-cased field name -> canonical name and type (SOQL names are case-insensitive)."""
    return {f["name"].lower(): FieldInfo(f["name"], f["type"]) for f in fields}


def key_prefix(sobject: str, records: list[dict[str, Any]]) -> str | None:
    """The object's id prefix: known for the standard objects, else taken from its first record."""
    if sobject in KEY_PREFIXES:
        return KEY_PREFIXES[sobject]
    for record in records:
        if isinstance(record.get("Id"), str):
            return str(record["Id"])[:3]
    return None


def load_describe_overrides(dataset_folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Read `<dataset>/salesforce/_describe.json` (empty when the file is absent)."""
    path = Path(dataset_folder) / "salesforce" / "_describe.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object mapping object names to lists of fields")
    return data
