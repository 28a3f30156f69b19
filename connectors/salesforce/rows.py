"""Turn Salesforce records (REST JSON or Bulk CSV text) into typed rows for the raw tables.

Values are cast by the field's describe type, so REST and Bulk reads land the same columns and
types. Column names are snake_cased with dlt's own naming rules (`Segment__c` -> `segment_c`:
dlt would otherwise keep the double underscore, which it reserves for nested paths)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import pyarrow as pa
from dlt.common.normalizers.naming.snake_case import NamingConvention

from connectors.common.arrow import ARROW_TYPES, table_or_refused
from connectors.common.records import parse_bool, parse_date, parse_datetime, parse_float

_NAMING = NamingConvention()
_FLOAT_TYPES = frozenset({"double", "currency", "percent"})
DLT_TYPES = {
    "boolean": "bool",
    "int": "bigint",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "date": "date",
    "datetime": "timestamp",
}


@lru_cache(maxsize=4096)
def column_name(field: str) -> str:
    """The raw-table column of a Salesforce field (`StageName` -> `stage_name`)."""
    return str(_NAMING.normalize_identifier(field))


def _with_flag(types: Mapping[str, str]) -> dict[str, str]:
    """Field types with `IsDeleted` always a boolean: every raw table has an `is_deleted` flag."""
    return {**types, "IsDeleted": "boolean"}


def column_hints(types: Mapping[str, str], cursor: str) -> list[dict[str, Any]]:
    """dlt column hints for every field: types from describe, and the cursor as the merge tie-breaker."""
    hints: list[dict[str, Any]] = []
    for name, ftype in _with_flag(types).items():
        hint: dict[str, Any] = {
            "name": column_name(name),
            "data_type": DLT_TYPES.get(ftype, "text"),
            "nullable": name != "Id",
        }
        if name == cursor:
            hint["dedup_sort"] = "desc"  # if one load holds a record twice, keep its latest version
        hints.append(hint)
    return hints


def arrow_schema(types: Mapping[str, str]) -> pa.Schema:
    """The Arrow schema of a page: one column per field (first wins if two fields share a column name)."""
    fields: dict[str, pa.Field] = {}
    for name, ftype in _with_flag(types).items():
        column = column_name(name)
        if column not in fields:
            fields[column] = pa.field(
                column, ARROW_TYPES[DLT_TYPES.get(ftype, "text")], nullable=name != "Id"
            )
    return pa.schema(list(fields.values()))


def to_arrow(
    rows: list[dict[str, Any]], schema: pa.Schema
) -> tuple[pa.Table, list[tuple[dict[str, Any], str]]]:
    """A page of typed rows as an Arrow table (dlt loads these as Parquet, far faster than dicts),
    and the rows Arrow refused with the reason (values are cast beforehand, so normally none)."""
    return table_or_refused(rows, schema)


def _cast(ftype: str, value: Any, field: str) -> Any:
    if value is None or value == "":
        return None
    if ftype == "datetime":
        return parse_datetime(value, field=field)
    if ftype == "date":
        return parse_date(value, field=field)
    if ftype in _FLOAT_TYPES:
        return parse_float(value, field=field)
    if ftype == "int":
        number = parse_float(value, field=field)
        if number is None or number != int(number):
            raise ValueError(f"{field}: {value!r} is not an integer")
        return int(number)
    if ftype == "boolean":
        return parse_bool(value, field=field)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, str) else (json.dumps(value) if isinstance(value, bool) else str(value))


def to_row(
    record: Mapping[str, Any], types: Mapping[str, str], cursor: str
) -> tuple[dict[str, Any] | None, str]:
    """(row, "") for a good record, or (None, reason) when it must be rejected: no Id, no cursor
    value, or a date, datetime, number or flag that does not parse."""
    if not record.get("Id"):
        return None, "missing Id"
    row: dict[str, Any] = {}
    for name, value in record.items():
        ftype = "boolean" if name == "IsDeleted" else types.get(name, "string")
        try:
            row[column_name(name)] = _cast(ftype, value, name)
        except ValueError as exc:
            return None, str(exc)
    if cursor in types and row.get(column_name(cursor)) is None:
        return None, f"{cursor}: missing, so the record cannot be placed in incremental order"
    row["is_deleted"] = row.get("is_deleted") is True
    return row, ""


def cursor_value(row: Mapping[str, Any], cursor: str) -> datetime | None:
    """The cursor value of a typed row (None when absent)."""
    value = row.get(column_name(cursor))
    return value if isinstance(value, datetime) else None
