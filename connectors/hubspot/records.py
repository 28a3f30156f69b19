"""Pure conversions from HubSpot answers to raw-table rows, with values cast by property type.

HubSpot sends every property value as a string; the properties API says what each one is. Numbers
become floats, booleans bools, datetimes timezone-aware timestamps and dates dates; a value that does
not parse raises `ValueError` naming the property and the value, and the caller quarantines the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.common.records import parse_bool, parse_date, parse_datetime, parse_float
from connectors.hubspot.settings import COLUMN_TYPES

Record = dict[str, Any]

# Columns every CRM object table starts with, before one column per property.
OBJECT_COLUMNS: list[dict[str, Any]] = [
    {"name": "id", "data_type": "text", "nullable": False},
    {"name": "created_at", "data_type": "timestamp", "nullable": True},
    {"name": "updated_at", "data_type": "timestamp", "nullable": True},
    {"name": "archived", "data_type": "bool", "nullable": True},
    {"name": "archived_at", "data_type": "timestamp", "nullable": True},
    {"name": "is_deleted", "data_type": "bool", "nullable": False},
]
_RESERVED = {c["name"] for c in OBJECT_COLUMNS}


def column_type(definition: Mapping[str, Any]) -> str:
    """The dlt data type a HubSpot property lands as."""
    if definition.get("name") == "hs_object_id":
        return "bigint"
    kind = str(definition.get("type") or "string")
    if kind == "enumeration" and definition.get("fieldType") == "booleancheckbox":
        return "bool"
    return COLUMN_TYPES.get(kind, "text")


def property_types(definitions: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Property name -> dlt data type, in the order the API lists them (reserved names skipped)."""
    return {
        str(d["name"]): column_type(d) for d in definitions if d.get("name") and d["name"] not in _RESERVED
    }


def object_columns(types: Mapping[str, str]) -> list[dict[str, Any]]:
    """Column hints of a CRM object table, so properties that are null everywhere still get a column."""
    return OBJECT_COLUMNS + [
        {"name": name, "data_type": kind, "nullable": True} for name, kind in types.items()
    ]


def cast_value(kind: str, value: Any, *, field: str) -> Any:
    """One property value as its column type (empty strings are null)."""
    if value is None or value == "":
        return None
    if kind == "double":
        return parse_float(value, field=field)
    if kind == "bigint":
        number = parse_float(value, field=field)
        if number is None or number != int(number):
            raise ValueError(f"{field}: {value!r} is not a whole number")
        return int(number)
    if kind == "bool":
        return parse_bool(value, field=field)
    if kind == "timestamp":
        return parse_datetime(value, field=field)
    if kind == "date":
        return parse_date(value, field=field)
    return value if isinstance(value, str) else str(value)


def flatten(record: Mapping[str, Any], types: Mapping[str, str]) -> Record:
    """A v3 object as a raw row: id, times, archive flags, then each property cast to its type.
    Properties the API lists but this record lacks are null; unknown ones land as text."""
    rid = record.get("id")
    if rid is None or str(rid).strip() == "":
        raise ValueError("id: the record has no id")
    archived = record.get("archived")
    if not isinstance(archived, bool):
        archived = parse_bool(archived, field="archived") or False
    row: Record = {
        "id": str(rid),
        "created_at": parse_datetime(record.get("createdAt"), field="createdAt"),
        "updated_at": parse_datetime(record.get("updatedAt"), field="updatedAt"),
        "archived": archived,
        "archived_at": parse_datetime(record.get("archivedAt"), field="archivedAt"),
        "is_deleted": archived,
    }
    props = record.get("properties") or {}
    for name, kind in types.items():
        row[name] = cast_value(kind, props.get(name), field=name)
    for name, value in props.items():
        if name not in types and name not in _RESERVED:
            row[name] = cast_value("text", value, field=name)
    return row


def to_ms(value: Any, *, field: str) -> int | None:
    """Epoch milliseconds of a HubSpot datetime value (None when empty)."""
    moment = parse_datetime(value, field=field)
    return None if moment is None else int(round(moment.timestamp() * 1000))


def history_rows(
    key: str,
    record_id: str,
    entries: Sequence[Mapping[str, Any]],
) -> tuple[list[Record], list[tuple[Mapping[str, Any], str]]]:
    """Rows of a property-history table for one record, and the entries that did not parse."""
    rows: list[Record] = []
    bad: list[tuple[Mapping[str, Any], str]] = []
    for entry in entries:
        try:
            when = parse_datetime(entry.get("timestamp"), field="timestamp")
            if when is None:
                raise ValueError("timestamp: missing")
            user = entry.get("updatedByUserId")
            rows.append(
                {
                    key: record_id,
                    "value": entry.get("value"),
                    "timestamp": when,
                    "source_type": entry.get("sourceType"),
                    "source_id": entry.get("sourceId"),
                    "updated_by_user_id": None if user is None or user == "" else int(user),
                    "is_deleted": False,
                }
            )
        except (ValueError, TypeError) as exc:
            bad.append((entry, str(exc)))
    return rows, bad


def owner_row(owner: Mapping[str, Any], *, vanished: bool = False) -> Record:
    """An owner as a raw row (`vanished`: no longer listed at all, so flagged deleted)."""
    archived = bool(owner.get("archived", False))
    user_id = owner.get("userId")
    inactive_id = owner.get("userIdIncludingInactive")
    return {
        "id": str(owner["id"]),
        "email": owner.get("email"),
        "type": owner.get("type"),
        "first_name": owner.get("firstName"),
        "last_name": owner.get("lastName"),
        "user_id": None if user_id is None else int(user_id),
        "user_id_including_inactive": None if inactive_id is None else int(inactive_id),
        "created_at": parse_datetime(owner.get("createdAt"), field="createdAt"),
        "updated_at": parse_datetime(owner.get("updatedAt"), field="updatedAt"),
        "archived": archived,
        "is_deleted": archived or vanished,
    }


def team_rows(owner: Mapping[str, Any]) -> list[Record]:
    """The teams of a live owner; for an owner without teams (or archived) one row flagged deleted,
    which removes the owner's earlier team rows on merge and is itself not stored."""
    teams = owner.get("teams") or []
    if owner.get("archived") or not teams:
        return [
            {
                "owner_id": str(owner["id"]),
                "team_id": "",
                "team_name": None,
                "primary": None,
                "is_deleted": True,
            }
        ]
    return [
        {
            "owner_id": str(owner["id"]),
            "team_id": str(t.get("id")),
            "team_name": t.get("name"),
            "primary": bool(t.get("primary", False)),
            "is_deleted": False,
        }
        for t in teams
    ]


def pipeline_row(pipeline: Mapping[str, Any], *, vanished: bool = False) -> Record:
    """A deal pipeline as a raw row."""
    archived = bool(pipeline.get("archived", False))
    return {
        "id": str(pipeline["id"]),
        "label": pipeline.get("label"),
        "display_order": pipeline.get("displayOrder"),
        "created_at": parse_datetime(pipeline.get("createdAt"), field="createdAt"),
        "updated_at": parse_datetime(pipeline.get("updatedAt"), field="updatedAt"),
        "archived": archived,
        "is_deleted": archived or vanished,
    }


def stage_rows(pipeline: Mapping[str, Any], *, vanished: bool = False) -> list[Record]:
    """The stages of a deal pipeline, with probability (0-1) and the closed flag cast from strings."""
    rows = []
    for stage in pipeline.get("stages") or []:
        meta = stage.get("metadata") or {}
        sid = f"{pipeline['id']}/{stage.get('id')}"
        archived = bool(stage.get("archived", False))
        rows.append(
            {
                "pipeline_id": str(pipeline["id"]),
                "stage_id": str(stage["id"]),
                "label": stage.get("label"),
                "display_order": stage.get("displayOrder"),
                "probability": parse_float(
                    meta.get("probability"), field=f"stage {sid} metadata.probability"
                ),
                "is_closed": parse_bool(meta.get("isClosed"), field=f"stage {sid} metadata.isClosed"),
                "created_at": parse_datetime(stage.get("createdAt"), field="createdAt"),
                "updated_at": parse_datetime(stage.get("updatedAt"), field="updatedAt"),
                "archived": archived,
                "is_deleted": archived or vanished or bool(pipeline.get("archived", False)),
            }
        )
    return rows


def association_rows(
    from_type: str,
    from_id: str,
    found: Mapping[str, Sequence[Mapping[str, Any]]],
) -> list[Record]:
    """The associations of one record (per target type, v4 `to` entries). With none at all, one row
    flagged deleted that clears the record's earlier associations on merge and is itself not stored."""
    rows = [
        {
            "from_object_type": from_type,
            "from_id": from_id,
            "to_object_type": to_type,
            "to_id": str(target.get("toObjectId")),
            "type_id": int(kind.get("typeId") or 0),
            "category": kind.get("category"),
            "label": kind.get("label"),
            "is_deleted": False,
        }
        for to_type, targets in found.items()
        for target in targets
        for kind in target.get("associationTypes") or []
    ]
    if rows:
        return rows
    return [
        {
            "from_object_type": from_type,
            "from_id": from_id,
            "to_object_type": "",
            "to_id": "",
            "type_id": 0,
            "category": None,
            "label": None,
            "is_deleted": True,
        }
    ]


def latest(current: int | None, moment: datetime | int | None) -> int | None:
    """The later of a cursor in epoch ms and a new moment."""
    if moment is None:
        return current
    ms = moment if isinstance(moment, int) else int(round(moment.timestamp() * 1000))
    return ms if current is None or ms > current else current
