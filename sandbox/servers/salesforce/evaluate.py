"""Run a parsed SOQL query over a list of records: field checks, filter, order, limit, projection."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sandbox.servers.salesforce.schema import FieldInfo, native
from sandbox.servers.salesforce.soql import (
    BoolOp,
    Compare,
    Condition,
    InList,
    Like,
    Literal,
    Not,
    Query,
    SoqlError,
)

_NUMERIC = {"int", "double", "currency", "percent"}
_TEXT = {
    "id",
    "reference",
    "string",
    "picklist",
    "multipicklist",
    "textarea",
    "email",
    "phone",
    "url",
    "combobox",
    "anyType",
    "encryptedstring",
}
_TYPE_NAMES = {
    "datetime": "dateTime",
    "date": "date",
    "boolean": "boolean",
    "int": "int",
    "double": "double",
    "currency": "currency",
    "percent": "percent",
}


@lru_cache(maxsize=262144)
def _as_datetime(value: str) -> datetime | None:
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _as_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _normalise(ftype: str, value: Any) -> Any:
    """A record value in comparable form for its field type (None when absent or unreadable)."""
    value = native(value)
    if value is None:
        return None
    if ftype == "datetime":
        return _as_datetime(value) if isinstance(value, str) else None
    if ftype == "date":
        return _as_date(value)
    if ftype in _NUMERIC:
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if ftype == "boolean":
        return value if isinstance(value, bool) else None
    return str(value).casefold()


def _literal_for(info: FieldInfo, lit: Literal) -> Any:
    """Check the literal fits the field's type (as Salesforce does) and normalise it."""
    if lit.kind == "null":
        return None
    ftype = info.type
    ok = (
        (ftype == "datetime" and lit.kind == "datetime")
        or (ftype == "date" and lit.kind == "date")
        or (ftype in _NUMERIC and lit.kind == "number")
        or (ftype == "boolean" and lit.kind == "boolean")
        or (ftype in _TEXT and lit.kind == "string")
        or (ftype not in _TEXT | _NUMERIC | {"datetime", "date", "boolean"} and lit.kind == "string")
    )
    if not ok:
        wanted = _TYPE_NAMES.get(ftype, "string")
        quoted = "should not be enclosed in quotes" if ftype not in _TEXT else "should be enclosed in quotes"
        raise SoqlError(
            "INVALID_FIELD",
            f"value of filter criterion for field '{info.name}' must be of type {wanted} and {quoted}",
        )
    if lit.kind == "number":
        return float(lit.value)
    if lit.kind == "string":
        return str(lit.value).casefold()
    return lit.value


@dataclass
class Plan:
    """A query checked against the object's fields, ready to run."""

    query: Query
    columns: list[str]  # canonical names of the selected fields
    predicate: Callable[[dict[str, Any]], bool]
    order: list[tuple[str, str, bool, bool]]  # (name, type, descending, nulls_last)
    count_field: str | None

    def run(self, records: list[dict[str, Any]], include_deleted: bool) -> list[dict[str, Any]]:
        """Matching records (the dataset's own dicts), ordered, with OFFSET and LIMIT applied."""
        rows = [
            r for r in records if (include_deleted or not native(r.get("IsDeleted"))) and self.predicate(r)
        ]
        for name, ftype, descending, nulls_last in reversed(self.order):
            present = [r for r in rows if _normalise(ftype, r.get(name)) is not None]
            missing = [r for r in rows if _normalise(ftype, r.get(name)) is None]
            present.sort(key=lambda r: _normalise(ftype, r.get(name)), reverse=descending)
            rows = present + missing if nulls_last else missing + present
        start = self.query.offset or 0
        end = None if self.query.limit is None else start + self.query.limit
        return rows[start:end]

    def project(self, record: dict[str, Any]) -> dict[str, Any]:
        """The selected fields of one record, in the selected order, under their canonical names."""
        return {name: native(record.get(name)) for name in self.columns}


def plan(query: Query, fields: dict[str, FieldInfo]) -> Plan:
    """Check field names and literal types against describe; raises SoqlError like Salesforce."""

    def lookup(name: str) -> FieldInfo:
        if "." in name:
            raise SoqlError(
                "INVALID_FIELD",
                f"relationship field {name} on entity '{query.sobject}' is not supported by the sandbox "
                "server; select the reference id field instead",
            )
        info = fields.get(name.lower())
        if info is None:
            raise SoqlError(
                "INVALID_FIELD",
                f"No such column '{name}' on entity "
                f"'{query.sobject}'. If you are attempting to use a custom field, be sure to append the "
                "'__c' after the custom field name. Please reference your WSDL or the describe call for "
                "the appropriate names.",
            )
        return info

    columns = [lookup(name).name for name in query.fields]
    count_field = None
    if query.count is not None and query.count.field is not None:
        count_field = lookup(query.count.field).name
    predicate = _compile(query.where, lookup) if query.where is not None else (lambda r: True)
    order = []
    for item in query.order_by:
        info = lookup(item.field)
        order.append((info.name, info.type, item.descending, item.nulls_last))
    return Plan(query, columns, predicate, order, count_field)


def _compile(cond: Condition, lookup: Callable[[str], FieldInfo]) -> Callable[[dict[str, Any]], bool]:
    if isinstance(cond, BoolOp):
        parts = [_compile(c, lookup) for c in cond.items]
        if cond.op == "AND":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)
    if isinstance(cond, Not):
        inner = _compile(cond.item, lookup)
        return lambda r: not inner(r)
    if isinstance(cond, Like):
        info = lookup(cond.field)
        # SOQL LIKE: % any run, _ one character, case-insensitive.
        pattern = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in cond.pattern)
        rx = re.compile(pattern + r"\Z", re.I | re.S)
        return lambda r: r.get(info.name) is not None and rx.match(str(r.get(info.name))) is not None
    if isinstance(cond, InList):
        info = lookup(cond.field)
        values = {_literal_for(info, lit) for lit in cond.literals}
        if cond.negate:
            return lambda r: _normalise(info.type, r.get(info.name)) not in values
        return lambda r: _normalise(info.type, r.get(info.name)) in values
    if isinstance(cond, Compare):
        info = lookup(cond.field)
        target = _literal_for(info, cond.literal)
        op = cond.op
        if target is None:
            if op not in ("=", "!="):
                raise SoqlError("MALFORMED_QUERY", f"null can only be compared with = or != ({info.name})")
            if op == "=":
                return lambda r: _normalise(info.type, r.get(info.name)) is None
            return lambda r: _normalise(info.type, r.get(info.name)) is not None
        compare = _OPS[op]
        if op == "!=":
            return lambda r: _normalise(info.type, r.get(info.name)) != target
        return lambda r: _safe(compare, _normalise(info.type, r.get(info.name)), target)
    raise SoqlError("MALFORMED_QUERY", f"unsupported condition {cond!r}")


def _safe(compare: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    if left is None:
        return False
    try:
        return compare(left, right)
    except TypeError:
        return False


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
