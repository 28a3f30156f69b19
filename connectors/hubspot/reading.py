"""What the resources share when reading: a record's cursor value, the cursor a full listing leaves
behind, and the pages changed since a cursor."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from connectors.hubspot.client import Client
from connectors.hubspot.incremental import modified_since
from connectors.hubspot.records import to_ms
from connectors.hubspot.settings import CURSOR_PROPERTY

Record = dict[str, Any]


def cursor_ms(record: Mapping[str, Any], cursor_property: str) -> int | None:
    """Epoch milliseconds of a record's last-modified property (None when unreadable)."""
    try:
        return to_ms((record.get("properties") or {}).get(cursor_property), field=cursor_property)
    except ValueError:
        return None


def start_ms(client: Client, object_type: str) -> int | None:
    """The newest last-modified time before a full listing starts: the cursor the listing leaves
    behind, so changes made while it runs are read by the next incremental run."""
    cursor_property = CURSOR_PROPERTY[object_type]
    try:
        return to_ms(client.latest_modified(object_type, cursor_property), field=cursor_property)
    except ValueError:
        return None


def changed(
    client: Client, object_type: str, since_ms: int, properties: Sequence[str]
) -> Iterator[list[Record]]:
    """Pages of records modified since `since_ms`, past the search cap."""
    return modified_since(
        client,
        object_type,
        CURSOR_PROPERTY[object_type],
        since_ms,
        properties,
        cap=client.settings.search_result_cap,
        page_size=client.settings.search_page_size,
    )
