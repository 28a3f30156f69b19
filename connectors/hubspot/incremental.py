"""Records modified since a cursor, through CRM search, past search's 10,000-result cap.

Search filters `<last-modified> GTE since`, sorted ascending, 200 per page. One query pages through at
most `cap` results; at the cap a new query starts from the last timestamp seen, skipping the ids already
read at that instant. If a whole query's results share one timestamp, that instant is read by id
(`hs_object_id GT last id`) before moving on with `GT` the instant.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.common.errors import RequestError
from connectors.hubspot.records import to_ms
from connectors.hubspot.settings import SOURCE

Record = dict[str, Any]


class Searcher(Protocol):
    def search_page(self, object_type: str, body: Record) -> Record: ...


@dataclass
class _Window:
    """What one query has read: the last timestamp, the ids seen at it, the last id."""

    last_ms: int | None = None
    ids_at_last: set[str] = field(default_factory=set)
    last_id: str | None = None


def _query(
    client: Searcher,
    object_type: str,
    filters: list[Record],
    sort: str,
    properties: Sequence[str],
    cursor_property: str,
    cap: int,
    page_size: int,
    skip: set[str],
    window: _Window,
) -> Generator[list[Record], None, bool]:
    """Pages of one query; returns True when it stopped at the cap with more results left."""
    offset = 0
    while True:
        body = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "properties": list(properties),
            "limit": page_size,
            "after": str(offset),
        }
        page = client.search_page(object_type, body)
        out: list[Record] = []
        for record in page.get("results") or []:
            rid = str(record.get("id"))
            window.last_id = rid
            try:
                ms = to_ms((record.get("properties") or {}).get(cursor_property), field=cursor_property)
            except ValueError:
                ms = None  # the record is quarantined by the caller; it cannot move the window
            if ms is not None:
                if ms != window.last_ms:
                    window.last_ms, window.ids_at_last = ms, {rid}
                else:
                    window.ids_at_last.add(rid)
            if rid not in skip:
                out.append(record)
        if out:
            yield out
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return False
        offset = int(after)
        if offset + page_size > cap:
            return True


def modified_since(
    client: Searcher,
    object_type: str,
    cursor_property: str,
    since_ms: int,
    properties: Sequence[str],
    *,
    cap: int,
    page_size: int,
) -> Iterator[list[Record]]:
    """Pages of live records whose `cursor_property` is at or after `since_ms`, oldest first."""
    page_size = max(1, min(page_size, cap))
    lower, op = since_ms, "GTE"
    skip: set[str] = set()
    while True:
        window = _Window()
        filters = [{"propertyName": cursor_property, "operator": op, "value": str(lower)}]
        capped = yield from _query(
            client,
            object_type,
            filters,
            cursor_property,
            properties,
            cursor_property,
            cap,
            page_size,
            skip,
            window,
        )
        if not capped:
            return
        if window.last_ms is None:
            raise RequestError(
                SOURCE,
                object_type,
                f"search reached its cap of {cap} results without one readable {cursor_property}",
                "Check the property's values in HubSpot",
            )
        if window.last_ms == lower:
            yield from _one_instant(
                client,
                object_type,
                cursor_property,
                lower,
                properties,
                cap,
                page_size,
                skip | window.ids_at_last if op == "GTE" else set(),
            )
            lower, op, skip = lower, "GT", set()
        else:
            lower, op, skip = window.last_ms, "GTE", window.ids_at_last


def _one_instant(
    client: Searcher,
    object_type: str,
    cursor_property: str,
    instant: int,
    properties: Sequence[str],
    cap: int,
    page_size: int,
    seen: set[str],
) -> Iterator[list[Record]]:
    """Every record modified at exactly `instant`, by ascending id, except the ids already `seen`
    (those were yielded by the query that hit the cap)."""
    last_id = "0"
    while True:
        window = _Window()
        filters = [
            {"propertyName": cursor_property, "operator": "EQ", "value": str(instant)},
            {"propertyName": "hs_object_id", "operator": "GT", "value": last_id},
        ]
        capped = yield from _query(
            client,
            object_type,
            filters,
            "hs_object_id",
            properties,
            cursor_property,
            cap,
            page_size,
            seen,
            window,
        )
        if not capped or window.last_id is None:
            return
        last_id = window.last_id
