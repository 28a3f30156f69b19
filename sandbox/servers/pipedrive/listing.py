"""Filtering, sorting and paging of Pipedrive list endpoints (v2 cursors and v1 offsets).

v2 cursors are keyset cursors: they carry the sort key of the last record served, so records that
change while a client pages are neither skipped nor served twice at the same position. They are
opaque to clients (base64 of a small JSON document).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.servers.pipedrive.shapes import Record, parse_time

MAX_LIMIT = 500
DEFAULT_LIMIT = 100

# Fields the v2 API only returns when named in `include_fields`.
V2_OPTIONAL_FIELDS: dict[str, frozenset[str]] = {
    "deals": frozenset({
        "next_activity_id", "last_activity_id", "first_won_time", "products_count", "files_count",
        "notes_count", "followers_count", "email_messages_count", "activities_count",
        "done_activities_count", "undone_activities_count", "participants_count",
        "last_incoming_mail_time", "last_outgoing_mail_time", "smart_bcc_email",
    }),
    "persons": frozenset({
        "next_activity_id", "last_activity_id", "open_deals_count", "closed_deals_count",
        "won_deals_count", "lost_deals_count", "email_messages_count", "activities_count",
        "done_activities_count", "undone_activities_count", "files_count", "notes_count",
        "followers_count", "last_incoming_mail_time", "last_outgoing_mail_time", "marketing_status",
    }),
    "organizations": frozenset({
        "next_activity_id", "last_activity_id", "open_deals_count", "closed_deals_count",
        "won_deals_count", "lost_deals_count", "people_count", "activities_count",
        "done_activities_count", "undone_activities_count", "files_count", "notes_count",
        "followers_count", "email_messages_count",
    }),
    "activities": frozenset({"attendees"}),
}

V2_SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "deals": ("id", "update_time", "add_time"),
    "persons": ("id", "update_time", "add_time"),
    "organizations": ("id", "update_time", "add_time"),
    "activities": ("id", "update_time", "add_time", "due_date"),
    "pipelines": ("id", "update_time", "add_time"),
    "stages": ("id", "update_time", "add_time", "order_nr"),
}

# Query parameter -> record field, per v2 object.
V2_ID_FILTERS: dict[str, tuple[str, ...]] = {
    "deals": ("owner_id", "person_id", "org_id", "pipeline_id", "stage_id"),
    "persons": ("owner_id", "org_id"),
    "organizations": ("owner_id",),
    "activities": ("owner_id", "deal_id", "person_id", "org_id"),
    "pipelines": (),
    "stages": ("pipeline_id",),
}

DEAL_STATUSES = ("open", "won", "lost", "deleted")
NUMERIC_SORT_FIELDS = frozenset({"order_nr", "value", "probability"})


class BadParameter(ValueError):
    """A query parameter the API would refuse with a 400."""


def parse_limit(raw: str | None) -> int:
    """The page size asked for, capped at the API maximum."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError as exc:
        raise BadParameter(f"limit: expected an integer, got {raw!r}") from exc
    if limit < 1:
        raise BadParameter(f"limit: must be at least 1, got {limit}")
    return min(limit, MAX_LIMIT)


def parse_start(raw: str | None) -> int:
    """The v1 offset asked for."""
    if raw is None or raw == "":
        return 0
    try:
        start = int(raw)
    except ValueError as exc:
        raise BadParameter(f"start: expected an integer, got {raw!r}") from exc
    if start < 0:
        raise BadParameter(f"start: must not be negative, got {start}")
    return start


def parse_rfc3339(name: str, raw: str | None) -> datetime | None:
    """An `updated_since`-style parameter (RFC 3339)."""
    if raw is None or raw == "":
        return None
    parsed = parse_time(raw)
    if parsed is None or "T" not in raw:
        raise BadParameter(f"{name}: expected an RFC 3339 timestamp such as 2025-01-01T10:20:00Z, "
                           f"got {raw!r}")
    return parsed


def sort_key(record: Mapping[str, Any], sort_by: str) -> tuple[Any, int]:
    """A totally ordered key (sort value, id) for one sort field; unreadable values sort first.

    The sort value is a float for ids, numbers and timestamps and a string for other fields (such
    as `due_date`), so keys of one listing always compare."""
    rid = record.get("id")
    rid_key = rid if isinstance(rid, int) and not isinstance(rid, bool) else -1
    if sort_by == "id":
        return (float(rid_key), rid_key)
    value = record.get(sort_by)
    if sort_by.endswith("_time"):
        moment = parse_time(value)
        return (moment.timestamp() if moment else -1e18, rid_key)
    if sort_by in NUMERIC_SORT_FIELDS:
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else -1e18
        return (float(number), rid_key)
    return ("" if value is None else str(value), rid_key)


def encode_cursor(sort_by: str, direction: str, key: tuple[Any, int]) -> str:
    payload = json.dumps({"s": sort_by, "d": direction, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(raw: str, sort_by: str, direction: str) -> tuple[Any, int]:
    """The sort key stored in a cursor; 400 when it is malformed or was made for another sort."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        first = payload["k"][0]
        if not isinstance(first, str | int | float):
            raise TypeError("sort value")
        key = (first if isinstance(first, str) else float(first), int(payload["k"][1]))
        made_for = (payload["s"], payload["d"])
    except (binascii.Error, ValueError, KeyError, IndexError, TypeError) as exc:
        raise BadParameter(f"cursor: {raw!r} is not a cursor returned by this endpoint") from exc
    if made_for != (sort_by, direction):
        raise BadParameter("cursor: it was returned for another sort_by/sort_direction; "
                           "keep the sorting parameters while paging")
    return key


@dataclass
class V2Page:
    rows: list[Record]
    next_cursor: str | None


def v2_page(records: Iterable[Record], *, sort_by: str, direction: str, limit: int,
            cursor: str | None) -> V2Page:
    """One page of already filtered records, after the position a cursor points to."""
    reverse = direction == "desc"
    keyed = sorted(((sort_key(r, sort_by), r) for r in records), key=lambda kr: kr[0], reverse=reverse)
    if cursor:
        after = decode_cursor(cursor, sort_by, direction)
        keyed = [kr for kr in keyed if (kr[0] < after if reverse else kr[0] > after)]
    page = keyed[:limit]
    more = len(keyed) > limit
    next_cursor = encode_cursor(sort_by, direction, page[-1][0]) if more and page else None
    return V2Page([r for _, r in page], next_cursor)


def v2_sorted(records: Iterable[Record], sort_by: str) -> tuple[list[tuple[Any, int]], list[Record]]:
    """Filtered records in ascending sort-key order, with their keys, for `v2_page_of_sorted`."""
    keyed = sorted(((sort_key(r, sort_by), r) for r in records), key=lambda kr: kr[0])
    return [k for k, _ in keyed], [r for _, r in keyed]


def v2_page_of_sorted(keys: list[tuple[Any, int]], rows: list[Record], *, sort_by: str, direction: str,
                      limit: int, cursor: str | None) -> V2Page:
    """`v2_page` over records already sorted by `v2_sorted`: a page costs a binary search, not a sort
    of the whole list (keys are unique: the id breaks ties)."""
    if direction == "desc":
        end = bisect.bisect_left(keys, decode_cursor(cursor, sort_by, direction)) if cursor else len(keys)
        start = max(0, end - limit)
        page_keys, page = keys[start:end][::-1], rows[start:end][::-1]
        more = start > 0
    else:
        start = bisect.bisect_right(keys, decode_cursor(cursor, sort_by, direction)) if cursor else 0
        page_keys, page = keys[start:start + limit], rows[start:start + limit]
        more = start + limit < len(keys)
    next_cursor = encode_cursor(sort_by, direction, page_keys[-1]) if more and page else None
    return V2Page(page, next_cursor)


def v2_view(record: Mapping[str, Any], obj: str, include_fields: set[str],
            custom_keys: set[str] | None) -> Record:
    """A stored record as the v2 list returns it: optional fields only when asked for."""
    optional = V2_OPTIONAL_FIELDS.get(obj, frozenset())
    out = {k: v for k, v in record.items() if k not in optional or k in include_fields}
    if custom_keys is not None and isinstance(out.get("custom_fields"), Mapping):
        out["custom_fields"] = {k: v for k, v in out["custom_fields"].items() if k in custom_keys}
    return out


def in_window(record: Mapping[str, Any], since: datetime | None, until: datetime | None,
              field: str = "update_time") -> bool:
    """`since <= record[field] < until`; records with no readable time match only an open window."""
    if since is None and until is None:
        return True
    moment = parse_time(record.get(field))
    if moment is None:
        return False
    if since is not None and moment < since:
        return False
    return not (until is not None and moment >= until)


def v1_sorted(records: list[Record], sort: str | None) -> list[Record]:
    """Records ordered by a v1 `sort` parameter such as `update_time DESC, id ASC`."""
    rows = sorted(records, key=lambda r: sort_key(r, "id"))
    if not sort:
        return rows
    for part in reversed([p.strip() for p in sort.split(",") if p.strip()]):
        bits = part.split()
        field = bits[0]
        reverse = len(bits) > 1 and bits[1].upper() == "DESC"
        rows.sort(key=lambda r, f=field: sort_key(r, f)[0], reverse=reverse)  # type: ignore[misc]
    return rows


def v1_page(rows: list[Any], start: int, limit: int) -> tuple[list[Any], Record]:
    """A v1 offset page and its `pagination` block (no `next_start` on the last page)."""
    page = rows[start:start + limit]
    more = start + limit < len(rows)
    pagination: Record = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return page, pagination
