"""Pure conversions from HubSpot answers to raw-table rows, with values cast by property type.

HubSpot sends every property value as a string; the properties API says what each one is. Numbers
become floats, booleans bools, datetimes timezone-aware timestamps and dates dates; a value that does
not parse raises `ValueError` naming the property and the value, and the caller quarantines the record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.common.records import parse_bool, parse_date, parse_datetime, parse_float
from connectors.hubspot.settings import COLUMN_TYPES

Record = dict[str, Any]
# An entry of an API answer that did not convert, with the reason (for `reject`).
Refused = tuple[Any, str]

log = logging.getLogger(__name__)

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
    """Rows of a property-history table for one record, and the entries that did not parse
    (with the reason). Never raises: the caller quarantines the second list."""
    rows: list[Record] = []
    bad: list[tuple[Mapping[str, Any], str]] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            bad.append((entry, f"history entry of {key} {record_id}: {entry!r} is not a JSON object"))
            continue
        try:
            when = parse_datetime(entry.get("timestamp"), field="timestamp")
            if when is None:
                raise ValueError("timestamp: missing")
            rows.append(
                {
                    key: record_id,
                    "value": _text(entry.get("value"), field="value"),
                    "timestamp": when,
                    "source_type": _text(entry.get("sourceType"), field="sourceType"),
                    "source_id": _text(entry.get("sourceId"), field="sourceId"),
                    "updated_by_user_id": _whole(entry.get("updatedByUserId"), field="updatedByUserId"),
                    "is_deleted": False,
                }
            )
        except (ValueError, TypeError) as exc:
            bad.append((entry, str(exc)))
    return rows, bad


def _text(value: Any, *, field: str) -> str | None:
    """A scalar as text (None stays None); a list or object is refused: it belongs in no text column."""
    if value is None:
        return None
    if isinstance(value, Mapping | list | tuple):
        raise TypeError(f"{field}: {value!r} is not a single value")
    return value if isinstance(value, str) else str(value)


def _flag(value: Any, *, field: str) -> bool:
    """An archived-style flag: a JSON boolean, or a string such as "false" read as what it says
    (`bool("false")` would be true); missing means false."""
    if isinstance(value, bool):
        return value
    return bool(parse_bool(value, field=field))


def _whole(value: Any, *, field: str) -> int | None:
    """A whole number that fits a bigint column (an int, or a float or string holding one);
    ValueError naming the field otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        whole = value
    else:
        number = parse_float(value, field=field)
        if number is None or number != int(number):
            raise ValueError(f"{field}: {value!r} is not a whole number")
        whole = int(number)
    if not -(2**63) <= whole < 2**63:
        raise ValueError(f"{field}: {value!r} is too large for a 64-bit integer")
    return whole


def owner_row(owner: Mapping[str, Any], *, vanished: bool = False) -> Record:
    """An owner as a raw row (`vanished`: no longer listed at all, so flagged deleted). A malformed
    owner raises ValueError or TypeError naming the field; the caller quarantines it."""
    if not isinstance(owner, Mapping):
        raise TypeError(f"owner: {owner!r} is not a JSON object")
    oid = _text(owner.get("id"), field="id")
    if oid is None or oid.strip() == "":
        raise ValueError("id: the owner has no id")
    archived = _flag(owner.get("archived"), field="archived")
    return {
        "id": oid,
        "email": _text(owner.get("email"), field="email"),
        "type": _text(owner.get("type"), field="type"),
        "first_name": _text(owner.get("firstName"), field="firstName"),
        "last_name": _text(owner.get("lastName"), field="lastName"),
        "user_id": _whole(owner.get("userId"), field="userId"),
        "user_id_including_inactive": _whole(
            owner.get("userIdIncludingInactive"), field="userIdIncludingInactive"
        ),
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
    """The stages of a deal pipeline, with probability (0-1) and the closed flag cast from strings.
    A malformed pipeline or stage (not a JSON object, no id, a value that does not parse) raises
    ValueError or TypeError naming the pipeline, the stage and the field; the caller quarantines it."""
    if not isinstance(pipeline, Mapping):
        raise TypeError(f"pipeline: {pipeline!r} is not a JSON object")
    pid = _text(pipeline.get("id"), field="pipeline id")
    if pid is None or pid.strip() == "":
        raise ValueError("pipeline id: the pipeline has no id")
    stages = pipeline.get("stages") or []
    if not isinstance(stages, list):
        raise TypeError(f"pipeline {pid} stages: {stages!r} is not a list")
    pipeline_archived = _flag(pipeline.get("archived"), field=f"pipeline {pid} archived")
    rows = []
    for stage in stages:
        if not isinstance(stage, Mapping):
            raise TypeError(f"pipeline {pid}: the stage {stage!r} is not a JSON object")
        stage_id = _text(stage.get("id"), field=f"pipeline {pid} stage id")
        if stage_id is None or stage_id.strip() == "":
            raise ValueError(f"pipeline {pid}: a stage has no id")
        sid = f"{pid}/{stage_id}"
        meta = stage.get("metadata") or {}
        if not isinstance(meta, Mapping):
            raise TypeError(f"stage {sid} metadata: {meta!r} is not a JSON object")
        archived = _flag(stage.get("archived"), field=f"stage {sid} archived")
        rows.append(
            {
                "pipeline_id": pid,
                "stage_id": stage_id,
                "label": _text(stage.get("label"), field=f"stage {sid} label"),
                "display_order": _whole(stage.get("displayOrder"), field=f"stage {sid} displayOrder"),
                "probability": parse_float(
                    meta.get("probability"), field=f"stage {sid} metadata.probability"
                ),
                "is_closed": parse_bool(meta.get("isClosed"), field=f"stage {sid} metadata.isClosed"),
                "created_at": parse_datetime(stage.get("createdAt"), field=f"stage {sid} createdAt"),
                "updated_at": parse_datetime(stage.get("updatedAt"), field=f"stage {sid} updatedAt"),
                "archived": archived,
                "is_deleted": archived or vanished or pipeline_archived,
            }
        )
    return rows


def split_associations(
    from_type: str,
    from_id: str,
    found: Mapping[str, Sequence[Mapping[str, Any]]],
) -> tuple[list[Record], list[Refused]]:
    """The associations of one record (per target type, v4 `to` entries) as rows, and the entries
    that do not convert with the reason (to quarantine). Never raises.

    With no entries at all, one row flagged deleted that clears the record's earlier associations on
    merge and is itself not stored. With only malformed entries, no row: the earlier associations
    stay until the record is read correctly."""
    rows: list[Record] = []
    bad: list[Refused] = []
    where = f"{from_type} {from_id}"
    for to_type, targets in found.items():
        if not isinstance(targets, list | tuple):
            bad.append((targets, f"association of {where} to {to_type}: {targets!r} is not a list"))
            continue
        for target in targets:
            rows_of_target, refused = _target_rows(from_type, from_id, str(to_type), target)
            rows += rows_of_target
            bad += refused
    if rows or bad:
        return rows, bad
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
    ], []


def _target_rows(
    from_type: str, from_id: str, to_type: str, target: Any
) -> tuple[list[Record], list[Refused]]:
    """One v4 `to` entry: a row per association type, or the reasons it cannot be one."""
    where = f"association of {from_type} {from_id} to {to_type}"
    if not isinstance(target, Mapping):
        return [], [(target, f"{where}: {target!r} is not a JSON object")]
    to_id = target.get("toObjectId")
    if isinstance(to_id, bool) or not isinstance(to_id, int | str) or str(to_id).strip() == "":
        return [], [(target, f"{where}: toObjectId {to_id!r} is not a record id")]
    kinds = target.get("associationTypes")
    if not isinstance(kinds, list) or not kinds:
        return [], [(target, f"{where} {to_id}: associationTypes {kinds!r} is not a non-empty list")]
    rows: list[Record] = []
    bad: list[Refused] = []
    for kind in kinds:
        try:
            if not isinstance(kind, Mapping):
                raise TypeError(f"{kind!r} is not a JSON object")
            type_id = kind.get("typeId")
            if type_id is None or type_id == "":
                raise ValueError("typeId: missing")
            rows.append(
                {
                    "from_object_type": from_type,
                    "from_id": from_id,
                    "to_object_type": to_type,
                    "to_id": str(to_id),
                    "type_id": _whole(type_id, field="typeId"),
                    "category": _text(kind.get("category"), field="category"),
                    "label": _text(kind.get("label"), field="label"),
                    "is_deleted": False,
                }
            )
        except (ValueError, TypeError) as exc:
            bad.append(({"toObjectId": to_id, "associationType": kind}, f"{where} {to_id}: {exc}"))
    return rows, bad


def association_rows(
    from_type: str,
    from_id: str,
    found: Mapping[str, Sequence[Mapping[str, Any]]],
) -> list[Record]:
    """The rows of `split_associations`; never raises. The entries that do not convert are logged as
    warnings here: a resource that can quarantine them should call `split_associations` and `reject`
    each one instead."""
    rows, bad = split_associations(from_type, from_id, found)
    for _entry, reason in bad:
        log.warning("hubspot associations: %s; the entry is skipped", reason)
    return rows


def latest(current: int | None, moment: datetime | int | None) -> int | None:
    """The later of a cursor in epoch ms and a new moment."""
    if moment is None:
        return current
    ms = moment if isinstance(moment, int) else int(round(moment.timestamp() * 1000))
    return ms if current is None or ms > current else current
