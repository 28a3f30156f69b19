"""Reading dataset records the way the HubSpot list endpoints do: keyset paging by id, property
selection, property history and v3 association summaries."""

from __future__ import annotations

import base64
import binascii
import bisect
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sandbox.servers.hubspot.associations import Index, targets, type_name

# Properties HubSpot returns when a request names none (the search defaults are a little longer).
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("firstname", "lastname", "email"),
    "companies": ("name", "domain"),
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
}
ALWAYS = ("createdate", "hs_lastmodifieddate", "hs_object_id")
CONTACT_ALWAYS = ("createdate", "lastmodifieddate", "hs_object_id")


def always_returned(object_type: str) -> tuple[str, ...]:
    """The properties every answer carries whatever was asked."""
    return CONTACT_ALWAYS if object_type == "contacts" else ALWAYS


def id_key(value: Any) -> tuple[int, str]:
    """Order of ids: numeric strings in numeric order (shorter first), then text."""
    text = str(value)
    return (len(text), text)


def encode_cursor(record_id: str) -> str:
    """The opaque `after` token: the id of the first record of the next page, base64-encoded."""
    return base64.urlsafe_b64encode(record_id.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> str:
    """The id inside an `after` token; raises ValueError for a token this server never handed out."""
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(f"invalid paging cursor {token!r}") from None
    if not text:
        raise ValueError(f"invalid paging cursor {token!r}")
    return text


class SortedIndex:
    """Positions of a record list sorted by id, rebuilt when the list is swapped or changes length.

    Records edited in place keep their position, so an edit needs no rebuild; a list whose ids were
    rewritten in place is detected on read and rebuilt."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # name -> (the list itself, its length, sorted keys, positions); holding the list keeps its
        # identity from being reused by another list.
        self._cache: dict[str, tuple[Sequence[Any], int, list[tuple[int, str]], list[int]]] = {}

    def release(self, stale: Callable[[str, Sequence[Any]], bool]) -> None:
        """Forget the orders of the lists `stale(name, records)` picks."""
        with self._lock:
            for name in [n for n, c in self._cache.items() if stale(n, c[0])]:
                del self._cache[name]

    def _keys(
        self,
        name: str,
        records: Sequence[Mapping[str, Any]],
        force: bool = False,
    ) -> tuple[list[tuple[int, str]], list[int]]:
        with self._lock:
            cached = self._cache.get(name)
            if force or cached is None or cached[0] is not records or cached[1] != len(records):
                # The previous list's order goes first: at a day step of a large company it is
                # gigabytes, and it would otherwise live on while the new one is built.
                self._cache.pop(name, None)
                del cached
                # one pass in storage order: a lazily built list renders each chunk once
                every = [id_key(r.get("id", "")) for r in records]
                order = sorted(range(len(every)), key=every.__getitem__)
                keys = [every[i] for i in order]
                self._cache[name] = (records, len(records), keys, order)
                return keys, order
            return cached[2], cached[3]

    def walk(
        self,
        name: str,
        records: Sequence[Mapping[str, Any]],
        start_id: str | None,
    ) -> Iterator[Mapping[str, Any]]:
        """Records with id >= start_id in id order."""
        keys, order = self._keys(name, records)
        i = bisect.bisect_left(keys, id_key(start_id)) if start_id is not None else 0
        last: tuple[int, str] | None = None
        while i < len(order):
            record = records[order[i]]
            if id_key(record.get("id", "")) != keys[i]:  # ids rewritten in place: rebuild, go on
                keys, order = self._keys(name, records, force=True)
                if last is not None:
                    i = bisect.bisect_right(keys, last)
                else:
                    i = bisect.bisect_left(keys, id_key(start_id)) if start_id is not None else 0
                continue
            last = keys[i]
            yield record
            i += 1

    def find(
        self, name: str, records: Sequence[Mapping[str, Any]], record_id: str
    ) -> Mapping[str, Any] | None:
        """The record with this id, or None."""
        for record in self.walk(name, records, record_id):
            return record if str(record.get("id")) == record_id else None
        return None


def page_by_id(
    index: SortedIndex,
    name: str,
    records: Sequence[Mapping[str, Any]],
    after: str | None,
    limit: int,
    keep: Callable[[Mapping[str, Any]], bool],
) -> tuple[list[Mapping[str, Any]], str | None]:
    """One page of kept records from the cursor on, and the cursor of the next page (None at the end)."""
    start = decode_cursor(after) if after else None
    page: list[Mapping[str, Any]] = []
    for record in index.walk(name, records, start):
        if not keep(record):
            continue
        if len(page) == limit:
            return page, encode_cursor(str(record["id"]))
        page.append(record)
    return page, None


def select_properties(
    object_type: str,
    record: Mapping[str, Any],
    wanted: Sequence[str] | None,
    defined: Callable[[str], bool],
    defaults: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The `properties` of an answer: the wanted names (or the defaults) plus the ones always returned;
    a name the object type does not define is left out, a defined one without a value is null."""
    props = record.get("properties") or {}
    names = (
        list(wanted)
        if wanted
        else list(defaults if defaults is not None else DEFAULT_PROPERTIES.get(object_type, ()))
    )
    names += [n for n in always_returned(object_type) if n not in names]
    out: dict[str, Any] = {}
    for name in names:
        if name in props:
            out[name] = props[name]
        elif name == "hs_object_id":
            out[name] = str(record.get("id"))
        elif defined(name):
            out[name] = None
    return out


def history_of(
    record: Mapping[str, Any],
    names: Sequence[str],
    defined: Callable[[str], bool],
) -> dict[str, list[dict[str, Any]]]:
    """`propertiesWithHistory` for the asked names, newest first. A property with a value but no stored
    history answers its current value, as HubSpot always has at least that version."""
    stored = record.get("propertiesWithHistory") or {}
    props = record.get("properties") or {}
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        if name in stored:
            out[name] = [dict(v) for v in stored[name]]
        elif props.get(name) not in (None, ""):
            out[name] = [
                {
                    "value": props[name],
                    "timestamp": record.get("updatedAt"),
                    "sourceType": "CRM_UI",
                    "sourceId": None,
                    "updatedByUserId": None,
                }
            ]
        elif defined(name):
            out[name] = []
    return out


def associations_of(
    index: Index,
    object_type: str,
    record_id: str,
    to_types: Sequence[str],
) -> dict[str, dict[str, list[dict[str, str]]]]:
    """The v3 `associations` block: per target type, one entry per associated id and type."""
    out: dict[str, dict[str, list[dict[str, str]]]] = {}
    for to_type in to_types:
        rows = [
            {"id": to_id, "type": type_name(object_type, to_type, type_id)}
            for to_id, kinds in targets(index, object_type, record_id, to_type)
            for _category, type_id in kinds
        ]
        if rows:
            out[to_type] = {"results": rows}
    return out


def shape(
    object_type: str,
    record: Mapping[str, Any],
    *,
    properties: Sequence[str] | None,
    defined: Callable[[str], bool],
    history: Sequence[str] = (),
    associations: Mapping[str, Any] | None = None,
    defaults: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One object as the v3 API answers it."""
    out: dict[str, Any] = {
        "id": str(record["id"]),
        "properties": select_properties(object_type, record, properties, defined, defaults),
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
        "archived": bool(record.get("archived", False)),
    }
    if record.get("archived") and record.get("archivedAt"):
        out["archivedAt"] = record["archivedAt"]
    if history:
        out["propertiesWithHistory"] = history_of(record, history, defined)
    if associations:
        out["associations"] = associations
    return out
