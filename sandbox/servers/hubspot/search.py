"""The CRM search language of `POST /crm/v3/objects/{type}/search`: validation, filters and sorts.

Pure functions over records in the dataset shape; the server wraps them with paging and limits.
Filter groups are OR-ed, the filters of one group AND-ed; values compare by the property's type
(numbers as numbers, datetimes as epoch milliseconds whether sent as milliseconds or ISO 8601,
strings case-insensitively).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS_TOTAL = 25


class SearchError(ValueError):
    """The search request is malformed; the message is what HubSpot would say in a 400."""


def to_epoch_ms(value: Any) -> int:
    """Epoch milliseconds from an int, a digit string, an ISO datetime or an ISO date."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a timestamp")
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    if len(text) == 10:
        d = date.fromisoformat(text)
        return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() * 1000)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(round(parsed.timestamp() * 1000))


def typed(kind: str, value: Any) -> Any:
    """A comparable form of a value for a property of HubSpot type `kind`; raises ValueError."""
    if kind == "number":
        return float(value)
    if kind in ("datetime", "date"):
        return to_epoch_ms(value)
    return str(value).lower()


def record_value(record: Mapping[str, Any], name: str) -> Any:
    """A property value of a record (`hs_object_id` falls back to the record id)."""
    props = record.get("properties") or {}
    value = props.get(name)
    if value is None and name == "hs_object_id":
        value = record.get("id")
    return value


def validate(body: Mapping[str, Any], known: Callable[[str], str]) -> None:
    """Raise SearchError when the filter groups break HubSpot's rules or hold unparseable values."""
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list):
        raise SearchError("filterGroups must be a list")
    if len(groups) > MAX_GROUPS:
        raise SearchError(f"Too many filter groups ({len(groups)}); the maximum is {MAX_GROUPS}")
    total = 0
    for group in groups:
        filters = (group or {}).get("filters") or []
        total += len(filters)
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise SearchError(
                f"Too many filters in a group ({len(filters)}); the maximum is {MAX_FILTERS_PER_GROUP}"
            )
        for f in filters:
            op = str(f.get("operator", "")).upper()
            if op not in OPERATORS:
                raise SearchError(f"Unknown filter operator {f.get('operator')!r}")
            if not f.get("propertyName"):
                raise SearchError("A filter has no propertyName")
            kind = known(str(f["propertyName"]))
            try:
                if op in ("IN", "NOT_IN"):
                    if not isinstance(f.get("values"), list):
                        raise SearchError(f"Operator {op} needs a list in 'values'")
                    for v in f["values"]:
                        typed(kind, v)
                elif op == "BETWEEN":
                    if f.get("value") is None or f.get("highValue") is None:
                        raise SearchError("Operator BETWEEN needs 'value' and 'highValue'")
                    typed(kind, f["value"])
                    typed(kind, f["highValue"])
                elif op not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
                    if f.get("value") is None:
                        raise SearchError(f"Operator {op} needs a 'value'")
                    typed(kind, f["value"])
            except (ValueError, TypeError) as exc:
                if isinstance(exc, SearchError):
                    raise
                raise SearchError(
                    f"Invalid value for property {f['propertyName']} of type {kind}: {exc}"
                ) from None
    if total > MAX_FILTERS_TOTAL:
        raise SearchError(f"Too many filters ({total}); the maximum is {MAX_FILTERS_TOTAL}")


def _tokens(text: str) -> list[str]:
    return [t for t in "".join(c.lower() if c.isalnum() else " " for c in text).split() if t]


def _match_filter(record: Mapping[str, Any], f: Mapping[str, Any], kind: str) -> bool:
    op = str(f["operator"]).upper()
    raw = record_value(record, str(f["propertyName"]))
    present = raw is not None and raw != ""
    if op == "HAS_PROPERTY":
        return present
    if op == "NOT_HAS_PROPERTY":
        return not present
    if op in ("NEQ", "NOT_IN") and not present:
        return True
    if not present:
        return False
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(f["value"]).lower().strip("*")
        words = _tokens(str(raw))
        wildcard = str(f["value"]).endswith("*")
        hit = any(w.startswith(token) if wildcard else w == token for w in words)
        return hit if op == "CONTAINS_TOKEN" else not hit
    try:
        value = typed(kind, raw)
    except (ValueError, TypeError):
        return False
    if op == "IN":
        return value in {typed(kind, v) for v in f["values"]}
    if op == "NOT_IN":
        return value not in {typed(kind, v) for v in f["values"]}
    if op == "BETWEEN":
        return bool(typed(kind, f["value"]) <= value <= typed(kind, f["highValue"]))
    target = typed(kind, f["value"])
    return bool(
        {
            "EQ": value == target,
            "NEQ": value != target,
            "LT": value < target,
            "LTE": value <= target,
            "GT": value > target,
            "GTE": value >= target,
        }[op]
    )


def matches(
    record: Mapping[str, Any], groups: Sequence[Mapping[str, Any]], known: Callable[[str], str]
) -> bool:
    """Whether a record passes the filter groups (no groups: everything passes)."""
    if not groups:
        return True
    for group in groups:
        filters = (group or {}).get("filters") or []
        if all(_match_filter(record, f, known(str(f["propertyName"]))) for f in filters):
            return True
    return False


def parse_sorts(sorts: Any) -> list[tuple[str, bool]]:
    """(property, descending) pairs from strings (`"-name"` is descending) or `{propertyName,
    direction}` objects."""
    out: list[tuple[str, bool]] = []
    for item in sorts or []:
        if isinstance(item, str):
            out.append((item.lstrip("-"), item.startswith("-")))
        elif isinstance(item, Mapping) and item.get("propertyName"):
            out.append(
                (str(item["propertyName"]), str(item.get("direction", "ASCENDING")).upper() == "DESCENDING")
            )
        else:
            raise SearchError(f"A sort must be a property name or {{propertyName, direction}}, not {item!r}")
    return out


def sort_records(
    records: list[dict[str, Any]], sorts: list[tuple[str, bool]], known: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Records in sort order; ties (and the unsorted case) by numeric id so offsets are stable.
    Records without a value sort last in either direction."""

    def id_key(r: Mapping[str, Any]) -> tuple[int, str]:
        text = str(r.get("id", ""))
        return (int(text), "") if text.isdigit() else (0, text)

    out = sorted(records, key=id_key)
    for name, descending in reversed(sorts):
        kind = known(name)

        def key(r: Mapping[str, Any], name: str = name, kind: str = kind) -> Any:
            raw = record_value(r, name)
            try:
                return typed(kind, raw) if raw not in (None, "") else None
            except (ValueError, TypeError):
                return None

        present = [r for r in out if key(r) is not None]
        missing = [r for r in out if key(r) is None]
        present.sort(key=key, reverse=descending)
        out = present + missing
    return out
