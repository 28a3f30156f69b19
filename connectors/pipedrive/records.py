"""Pure functions that turn Pipedrive API records into raw-table rows.

Each returns either a row or the reason the record cannot be loaded (the resource then yields it
through `reject`). Timestamps, dates and amounts are parsed strictly so the raw columns have one type.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.common.records import parse_date, parse_datetime, parse_float
from connectors.pipedrive.settings import (
    CUSTOM_FIELD_TYPES,
    DATE_FIELDS,
    DATETIME_FIELDS,
    DEAL_STANDARD_COLUMNS,
    FLOW_FIELD_KEYS,
    FLOW_ITEM_TYPE,
    NUMBER_FIELDS,
    is_custom_key,
)

Record = dict[str, Any]
# Letters that Unicode decomposition does not reduce to ASCII.
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
                          "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH"})


@dataclass(frozen=True)
class Outcome:
    """A loadable row, or the reason a record was rejected."""

    row: Record | None
    reason: str | None = None
    record_id: Any = None


def snake_case(name: str) -> str:
    """A field label as a column name: `Contract value (ARR)` -> `contract_value_arr`."""
    ascii_text = unicodedata.normalize("NFKD", name.translate(_LETTERS)).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_text).lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not text:
        return "custom_field"
    return f"field_{text}" if text[0].isdigit() else text


# Columns a custom field of some types adds next to its own (see `CustomFields.column_types`).
COMPANION_SUFFIXES: dict[str, tuple[str, ...]] = {"monetary": ("_currency",), "enum": ("_id",),
                                                   "set": ("_ids",)}
_ALL_SUFFIXES = ("", "_currency", "_id", "_ids")


def assign_columns(fields: Iterable[Mapping[str, Any]], known: Mapping[str, str],
                   standard: Collection[str] = DEAL_STANDARD_COLUMNS) -> dict[str, str]:
    """Column names for the custom fields of one object, stable across runs.

    A key seen before keeps its column (`known`); a new key takes the snake_case of its name, or that
    name plus the start of its key when the name, or a column the field adds next to it (`_currency`,
    `_id`, `_ids`), is taken by a standard column (`standard`) or by another custom field.
    """
    columns = dict(known)
    taken = set(standard) | {f"{c}{s}" for c in columns.values() for s in _ALL_SUFFIXES}
    for fld in sorted(fields, key=lambda f: (f.get("id") or 0, str(f.get("key")))):
        key = str(fld.get("key") or "")
        if not is_custom_key(key) or key in columns:
            continue
        column = snake_case(str(fld.get("name") or ""))
        suffixes = ("", "_currency", *COMPANION_SUFFIXES.get(str(fld.get("field_type")), ()))
        if any(f"{column}{s}" in taken for s in suffixes):
            column = f"{column}_{key[:8]}"
        columns[key] = column
        taken |= {f"{column}{s}" for s in _ALL_SUFFIXES}
    return columns


def record_id(record: Mapping[str, Any]) -> int | None:
    """The integer id of a record, or None when it has none."""
    rid = record.get("id")
    if isinstance(rid, bool):
        return None
    if isinstance(rid, int):
        return rid
    if isinstance(rid, str) and rid.strip().isdigit():
        return int(rid)
    return None


def _parse_fields(obj: str, row: Record) -> str | None:
    """Parse the typed fields of a row in place; the first problem found, if any."""
    try:
        for name in DATETIME_FIELDS.get(obj, ()):
            if name in row:
                row[name] = parse_datetime(row[name], field=name)
        for name in DATE_FIELDS.get(obj, ()):
            if name in row:
                row[name] = parse_date(row[name], field=name)
        for name in NUMBER_FIELDS.get(obj, ()):
            if name in row:
                row[name] = parse_float(row[name], field=name)
    except ValueError as exc:
        return str(exc)
    return None


def to_row(obj: str, record: Mapping[str, Any], *, deleted: bool | None = None) -> Outcome:
    """A v2 (or v1 metadata) record as a raw row with `is_deleted`; rejects bad ids and values."""
    rid = record_id(record)
    if rid is None:
        return Outcome(None, f"id: {record.get('id')!r} is missing or not an integer", record.get("id"))
    row = dict(record)
    row["id"] = rid
    problem = _parse_fields(obj, row)
    if problem:
        return Outcome(None, problem, rid)
    if obj in ("deals", "persons", "organizations", "activities", "pipelines", "stages"):
        if "update_time" not in record or row.get("update_time") is None:
            return Outcome(None, "update_time: missing; it is the sync cursor", rid)
    if deleted is None:
        deleted = bool(record.get("is_deleted")) or (obj == "deals" and record.get("status") == "deleted")
    row["is_deleted"] = deleted
    if obj == "persons":
        row["primary_email"] = primary_contact(row.get("emails"))
        row["primary_phone"] = primary_contact(row.get("phones"))
    elif obj == "organizations":
        flatten_address(row)
    return Outcome(row, None, rid)


@dataclass(frozen=True)
class CustomFields:
    """What is needed to land the custom fields of one object: column names, field types and option
    labels."""

    columns: Mapping[str, str]
    types: Mapping[str, str]
    options: Mapping[str, Mapping[str, str]]  # key -> option id (as text) -> label

    @classmethod
    def from_fields(cls, fields: Iterable[Mapping[str, Any]], columns: Mapping[str, str]) -> CustomFields:
        """From v1 field metadata (`dealFields`, `organizationFields`) and the assigned columns."""
        types: dict[str, str] = {}
        options: dict[str, dict[str, str]] = {}
        for fld in fields:
            key = str(fld.get("key"))
            types[key] = str(fld.get("field_type"))
            opts = fld.get("options")
            if isinstance(opts, list):
                options[key] = {str(o.get("id")): str(o.get("label")) for o in opts if isinstance(o, Mapping)}
        return cls(columns, types, options)

    def column_types(self) -> dict[str, str]:
        """Column -> dlt data type (unknown field types are left to dlt)."""
        out: dict[str, str] = {}
        for key, column in self.columns.items():
            kind = self.types.get(key)
            if kind is None or kind not in CUSTOM_FIELD_TYPES:
                continue
            out[column] = CUSTOM_FIELD_TYPES[kind]
            if kind == "monetary":
                out[f"{column}_currency"] = "text"
            elif kind == "enum":
                out[f"{column}_id"] = "bigint"
            elif kind == "set":
                out[f"{column}_ids"] = "text"
        return out

    def label(self, key: str, option_id: Any) -> str:
        """The label of an option (its id as text when the field no longer lists it)."""
        return self.options.get(key, {}).get(str(option_id), str(option_id))


def custom_row(obj: str, record: Mapping[str, Any], custom_fields: CustomFields) -> Outcome:
    """A v2 record (deal, organization) with its custom fields moved to named columns
    (`custom_fields` is dropped).

    Monetary values become `<column>` and `<column>_currency`; numeric ones are parsed as numbers (a
    bad one rejects the record); single options become their label in `<column>` and the option id
    in `<column>_id`; multiple options become labels and ids joined by commas (`<column>`,
    `<column>_ids`); other values are kept as the API sends them. A key without metadata lands as
    `custom_field_<key>`."""
    outcome = to_row(obj, record)
    if outcome.row is None:
        return outcome
    row = outcome.row
    custom = row.pop("custom_fields", None) or {}
    if not isinstance(custom, Mapping):
        return Outcome(None, f"custom_fields: expected an object, got {type(custom).__name__}", row["id"])
    for key, value in custom.items():
        column = custom_fields.columns.get(key) or f"custom_field_{key}"
        kind = custom_fields.types.get(key)
        try:
            row.update(_custom_values(key, column, kind, value, custom_fields))
        except ValueError as exc:
            return Outcome(None, str(exc), row["id"])
    return Outcome(row, None, row["id"])


def deal_row(record: Mapping[str, Any], custom_fields: CustomFields) -> Outcome:
    """A v2 deal with its custom fields under named columns (see `custom_row`)."""
    return custom_row("deals", record, custom_fields)


def _custom_values(key: str, column: str, kind: str | None, value: Any,
                   custom_fields: CustomFields) -> Record:
    if isinstance(value, Mapping) and ("currency" in value or kind == "monetary"):
        return {column: parse_float(value.get("value"), field=column),
                f"{column}_currency": value.get("currency")}
    if kind in ("double", "monetary"):
        return {column: parse_float(value, field=column)}
    if kind == "int":
        return {column: _whole_number(value, column)}
    if kind == "enum":
        option = None if value in (None, "") else value
        return {column: None if option is None else custom_fields.label(key, option),
                f"{column}_id": None if option is None else _int_or_text(option)}
    if kind == "set":
        ids = value if isinstance(value, list) else [v for v in str(value or "").split(",") if v]
        return {column: ", ".join(custom_fields.label(key, i) for i in ids) or None,
                f"{column}_ids": ",".join(str(i) for i in ids) or None}
    if kind == "date" and isinstance(value, str):
        return {column: _date_or_text(value, column)}
    return {column: value}


def _whole_number(value: Any, column: str) -> int | None:
    number = parse_float(value, field=column)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"{column}: {value!r} is not a whole number")
    return int(number)


def _int_or_text(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def primary_contact(items: Any) -> str | None:
    """The primary (else the first) value of a v2 `emails` or `phones` list."""
    if not isinstance(items, list):
        return None
    entries = [i for i in items if isinstance(i, Mapping) and i.get("value")]
    primary = [i for i in entries if i.get("primary")]
    chosen = primary or entries
    return str(chosen[0].get("value")) if chosen else None


def flatten_address(row: Record) -> None:
    """A v2 address object as `address` (the formatted text) and `address_<part>` columns."""
    address = row.get("address")
    if isinstance(address, Mapping):
        row["address"] = address.get("value")
        for part, value in address.items():
            if part != "value":
                row[f"address_{part}"] = value


def _date_or_text(value: str, column: str) -> Any:
    try:
        return parse_date(value, field=column)
    except ValueError:
        return value


def mapping_row(field: Mapping[str, Any], column: str, *, deleted: bool = False) -> Record:
    """A `deal_field_mapping` or `organization_field_mapping` row: hash key, field name, column in
    `deals` or `organizations`, field type."""
    return {"key": field.get("key"), "name": field.get("name"), "column_name": column,
            "field_type": field.get("field_type"), "is_deleted": deleted}


def flow_row(item: Mapping[str, Any], deal_id: int) -> Outcome:
    """A `deal_flow` row from one v1 flow item (None row and no reason: not a change we keep)."""
    data = item.get("data")
    if item.get("object") != FLOW_ITEM_TYPE or not isinstance(data, Mapping):
        return Outcome(None)
    if data.get("field_key") not in FLOW_FIELD_KEYS:
        return Outcome(None)
    rid = record_id(data)
    if rid is None:
        return Outcome(None, f"id: {data.get('id')!r} is missing or not an integer", None)
    try:
        log_time = parse_datetime(data.get("log_time") or item.get("timestamp"), field="log_time")
    except ValueError as exc:
        return Outcome(None, str(exc), rid)
    if log_time is None:
        return Outcome(None, "log_time: missing", rid)
    extra_data = data.get("additional_data")
    extra: Mapping[str, Any] = extra_data if isinstance(extra_data, Mapping) else {}
    return Outcome({
        "id": rid,
        "deal_id": deal_id,
        "field_key": data.get("field_key"),
        "old_value": _text(data.get("old_value")),
        "new_value": _text(data.get("new_value")),
        "old_value_formatted": _text(extra.get("old_value_formatted")),
        "new_value_formatted": _text(extra.get("new_value_formatted")),
        "log_time": log_time,
        "user_id": data.get("user_id"),
        "change_source": data.get("change_source"),
        "is_bulk_update": bool(data.get("is_bulk_update_flag")),
        "is_deleted": False,
    }, None, rid)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
