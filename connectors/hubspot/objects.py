"""The CRM object resources (deals, companies, contacts, calls, meetings, emails, notes, tasks):
every property the properties API lists, cast by type; a full listing on the first run (or a full
refresh), CRM search since the cursor afterwards, and the archived records on every run. Pages go to
dlt as Arrow tables (built while the next page is awaited, instead of normalized row by row after the
last one)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from connectors.common.arrow import arrow_schema, to_arrow
from connectors.common.errors import BudgetExhausted
from connectors.common.records import reject
from connectors.hubspot.client import Client
from connectors.hubspot.reading import changed, cursor_ms, start_ms
from connectors.hubspot.records import flatten, latest, object_columns, property_types, to_ms
from connectors.hubspot.settings import CURSOR_PROPERTY, SOURCE

Record = dict[str, Any]


def object_resource(client: Client, object_type: str, full_refresh: bool, overlap_ms: int) -> DltResource:
    """The resource of one CRM object type (see the module docstring)."""
    cursor_property = CURSOR_PROPERTY[object_type]

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        try:
            types = property_types(client.properties(object_type))
        except BudgetExhausted:
            return
        names = list(types)
        columns = object_columns(types)
        hints: list[Any] = [dlt.mark.make_hints(columns=columns)]  # type: ignore[arg-type]
        schema = arrow_schema({c["name"]: c["data_type"] for c in columns}, required=("id", "is_deleted"))

        def emit(records: Iterable[Mapping[str, Any]]) -> Iterator[Any]:
            good: list[Record] = []
            for record in records:
                try:
                    good.append(flatten(record, types))
                except (ValueError, TypeError) as exc:
                    yield reject(
                        SOURCE,
                        object_type,
                        record.get("id"),
                        f"{object_type} {record.get('id')}: {exc}; the record lands once the value is "
                        "fixed in HubSpot",
                        record,
                    )
            if good:
                table, refused = to_arrow(good, schema)
                for row, reason in refused:
                    rid = row.get("id")
                    yield reject(SOURCE, object_type, rid, f"{object_type} {rid}: {reason}", row)
                if table.num_rows:
                    yield dlt.mark.with_hints(table, hints.pop()) if hints else table

        saved = None if full_refresh else state.get("cursor_ms")
        try:
            if saved is None:
                start = start_ms(client, object_type)
                for page in client.iter_list(object_type, names):
                    yield from emit(page)
                if start is not None:
                    state["cursor_ms"] = start
            else:
                for page in changed(client, object_type, int(saved) - overlap_ms, names):
                    yield from emit(page)
                    for record in page:
                        state["cursor_ms"] = latest(
                            state.get("cursor_ms"), cursor_ms(record, cursor_property)
                        )
            yield from _archived(client, object_type, names, state, full_refresh, overlap_ms, emit)
        except BudgetExhausted:
            return

    return dlt.resource(
        rows, name=object_type, primary_key="id", write_disposition="merge", file_format="parquet"
    )


def _archived(
    client: Client,
    object_type: str,
    names: Sequence[str],
    state: dict[str, Any],
    full_refresh: bool,
    overlap_ms: int,
    emit: Callable[[Iterable[Mapping[str, Any]]], Iterator[Any]],
) -> Iterator[Any]:
    """Archived records: every one on a full run, else those archived since the last run's newest."""
    saved = None if full_refresh else state.get("archived_ms")
    cutoff = None if saved is None else int(saved) - overlap_ms
    newest = saved
    for page in client.iter_list(object_type, names, archived=True):
        keep = []
        for record in page:
            try:
                when = to_ms(record.get("archivedAt"), field="archivedAt")
            except ValueError:
                when = None  # flatten() quarantines it
            newest = latest(newest, when)
            if cutoff is None or when is None or when >= cutoff:
                keep.append(record)
        yield from emit(keep)
    if newest is not None:
        state["archived_ms"] = newest
