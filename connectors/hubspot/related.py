"""Resources read for the records changed since their own cursor: property history (deal stages,
contact lifecycle stages) and the v4 associations between deals, contacts, companies and engagements.
Pages go to dlt as Arrow tables (see `connectors.common.arrow`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from connectors.common.arrow import arrow_schema, to_arrow
from connectors.common.errors import BudgetExhausted
from connectors.common.records import reject
from connectors.hubspot.client import Client
from connectors.hubspot.columns import ASSOCIATION_COLUMNS, REPLACE_CHILDREN, history_columns
from connectors.hubspot.reading import changed, cursor_ms, start_ms
from connectors.hubspot.records import history_rows, latest, split_associations
from connectors.hubspot.settings import (
    ASSOCIATION_BATCH_SIZE,
    ASSOCIATION_PAIRS,
    CURSOR_PROPERTY,
    HISTORY_BATCH_SIZE,
    HISTORY_OBJECTS,
    HISTORY_PAGE_SIZE,
    SOURCE,
)

Record = dict[str, Any]


def history_resource(client: Client, table: str, full_refresh: bool, overlap_ms: int) -> DltResource:
    """A property-history table (`deal_stage_history`, `deal_amount_history`, ...): one row per change."""
    object_type, prop, key = HISTORY_OBJECTS[table]
    cursor_property = CURSOR_PROPERTY[object_type]

    schema = arrow_schema(_types(history_columns(key)))

    def emit(records: Iterable[Mapping[str, Any]]) -> Iterator[Any]:
        out: list[Record] = []
        for record in records:
            rid = str(record.get("id"))
            entries = (record.get("propertiesWithHistory") or {}).get(prop) or []
            good, bad = history_rows(key, rid, [{**e, "value": e.get("value") or ""} for e in entries])
            out.extend(good)
            for entry, reason in bad:
                yield reject(SOURCE, table, rid, f"{prop} history of {object_type} {rid}: {reason}", entry)
        yield from _arrow_page(table, key, out, schema)

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        saved = None if full_refresh else state.get("cursor_ms")
        try:
            if saved is None:
                start = start_ms(client, object_type)
                for page in client.iter_list(
                    object_type, [cursor_property], history=[prop], limit=HISTORY_PAGE_SIZE
                ):
                    yield from emit(page)
                if start is not None:
                    state["cursor_ms"] = start
                return
            for page in changed(client, object_type, int(saved) - overlap_ms, [cursor_property]):
                ids = [str(r["id"]) for r in page if r.get("id")]
                for i in range(0, len(ids), HISTORY_BATCH_SIZE):
                    yield from emit(
                        client.batch_read(
                            object_type, ids[i : i + HISTORY_BATCH_SIZE], [cursor_property], history=[prop]
                        )
                    )
                for record in page:
                    state["cursor_ms"] = latest(state.get("cursor_ms"), cursor_ms(record, cursor_property))
        except BudgetExhausted:
            return

    return dlt.resource(
        rows,
        name=table,
        file_format="parquet",
        primary_key=(key, "timestamp", "value"),
        write_disposition="merge",
        columns=history_columns(key),
    )


def _types(columns: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(hint["data_type"]) for name, hint in columns.items()}


def _arrow_page(table: str, key: str, rows: list[Record], schema: pa.Schema) -> Iterator[Any]:
    """A page of rows as one Arrow table (the rows Arrow refuses, normally none, quarantined)."""
    if not rows:
        return
    page, refused = to_arrow(rows, schema)
    for row, reason in refused:
        yield reject(SOURCE, table, row.get(key), reason, row)
    if page.num_rows:
        yield page


def _batches(pages: Iterable[list[Record]], size: int) -> Iterator[list[Record]]:
    """Pages regrouped into batches of about `size` records (v4 reads up to 1,000 ids per call)."""
    batch: list[Record] = []
    for page in pages:
        batch.extend(page)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def associations_resource(client: Client, full_refresh: bool, overlap_ms: int) -> DltResource:
    """The `associations` table; a re-read record's rows replace its earlier ones."""
    from_types = list(dict.fromkeys(a for a, _ in ASSOCIATION_PAIRS))

    schema = arrow_schema(_types(ASSOCIATION_COLUMNS))

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        cursors: dict[str, int] = state.setdefault("cursors", {})
        try:
            for from_type in from_types:
                to_types = [b for a, b in ASSOCIATION_PAIRS if a == from_type]
                cursor_property = CURSOR_PROPERTY[from_type]
                saved = None if full_refresh else cursors.get(from_type)
                start = start_ms(client, from_type) if saved is None else None
                pages = (
                    client.iter_list(from_type, [cursor_property])
                    if saved is None
                    else changed(client, from_type, int(saved) - overlap_ms, [cursor_property])
                )
                for batch in _batches(pages, ASSOCIATION_BATCH_SIZE):
                    ids = list(dict.fromkeys(str(r["id"]) for r in batch if r.get("id")))
                    found = {to: client.associations(from_type, to, ids) for to in to_types}
                    out: list[Record] = []
                    for rid in ids:
                        good, bad = split_associations(
                            from_type, rid, {to: found[to].get(rid, []) for to in to_types}
                        )
                        out.extend(good)
                        for entry, reason in bad:
                            yield reject(SOURCE, "associations", f"{from_type}/{rid}", reason, entry)
                    yield from _arrow_page("associations", "from_id", out, schema)
                    if saved is not None:  # the batch has landed: the cursor may pass it
                        for record in batch:
                            moved = latest(cursors.get(from_type), cursor_ms(record, cursor_property))
                            if moved is not None:
                                cursors[from_type] = moved
                if saved is None and start is not None:
                    cursors[from_type] = start
        except BudgetExhausted:
            return

    return dlt.resource(
        rows,
        name="associations",
        file_format="parquet",
        write_disposition=REPLACE_CHILDREN,
        columns=ASSOCIATION_COLUMNS,
        primary_key=("from_object_type", "from_id", "to_object_type", "to_id", "type_id"),
        merge_key=("from_object_type", "from_id"),
    )
