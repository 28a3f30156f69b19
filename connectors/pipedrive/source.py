"""The Pipedrive dlt source: one merge resource per raw table, cursors in dlt state.

- v2 lists (deals, persons, organizations, activities, pipelines, stages) are read with
  `updated_since` = saved cursor - overlap, sorted by `update_time`, 500 per page. Deleted deals are
  read in a second pass with `status=deleted`; other objects carry `is_deleted` themselves.
- v1 metadata (users, activity types, deal and organization fields, and the custom-field mappings
  derived from them) is small and read in full each run; a record that vanished from the list is
  landed once more with `is_deleted = true`, from the copy kept in resource state.
- Deal flow: for every deal updated since the flow cursor, `GET /v1/deals/{id}/flow` newest first,
  stopping at the first change older than the cursor minus the overlap; several deals at once, paced
  to the rate window by the client.
- Deal and organization custom fields land under column names derived from their labels, kept
  stable in source state (a renamed field keeps its column).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import dlt
from dlt.sources import DltResource, DltSource

from connectors.common.errors import BudgetExhausted, ConfigError, RequestError
from connectors.common.records import parse_datetime, reject
from connectors.pipedrive.client import Client
from connectors.pipedrive.records import (
    CustomFields,
    Outcome,
    assign_columns,
    custom_row,
    flow_row,
    mapping_row,
    record_id,
    to_row,
)
from connectors.pipedrive.settings import (
    COLUMN_TYPES,
    CURSOR_FIELD,
    CUSTOM_FIELD_SETS,
    FIELD_SETS_BY_TABLE,
    FLOW_ITEM_TYPE,
    FLOW_WORKERS,
    OBJECTS,
    PRIMARY_KEYS,
    SOURCE,
    V1_OBJECTS,
    V2_OBJECTS,
    CustomFieldSet,
    is_custom_key,
)

Record = dict[str, Any]


log = logging.getLogger(__name__)

def select_objects(objects: Sequence[str] | None) -> list[str]:
    """The raw tables asked for, in the order of `OBJECTS`; unknown names are a `ConfigError`."""
    if objects is None:
        return list(OBJECTS)
    unknown = sorted(set(objects) - set(OBJECTS))
    if unknown:
        raise ConfigError(SOURCE, None, f"unknown object(s) {', '.join(unknown)}",
                          f"Choose among {', '.join(OBJECTS)}")
    return [name for name in OBJECTS if name in objects]


def _v2_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _since(state: Mapping[str, Any], full_refresh: bool, overlap: timedelta) -> datetime | None:
    cursor = None if full_refresh else parse_datetime(state.get("cursor"), field="cursor")
    return cursor - overlap if cursor is not None else None


def _later(current: str | None, moment: datetime | None) -> str | None:
    """The later of a stored ISO cursor and a new timestamp, as an ISO string."""
    if moment is None:
        return current
    if current is None or moment > (parse_datetime(current, field="cursor") or moment):
        return moment.isoformat()
    return current


class FieldMetadata:
    """The field metadata of one object with custom fields (deals, organizations), fetched once per
    run and shared by the resources that need it."""

    def __init__(self, client: Client, field_set: CustomFieldSet) -> None:
        self.client = client
        self.field_set = field_set
        self._fields: list[Record] | None = None

    def fields(self) -> list[Record]:
        """Every field of the object, standard and custom, as the v1 fields list gives them."""
        if self._fields is None:
            table = self.field_set.fields
            self._fields = self.client.list_v1(V1_OBJECTS[table], obj=table)
        return self._fields

    def custom_keys(self) -> list[Record]:
        """The custom fields only (40-hex keys)."""
        return [f for f in self.fields() if is_custom_key(str(f.get("key") or ""))]

    def custom(self) -> CustomFields:
        """Column names, types and option labels of the custom fields, for the object's resource."""
        return CustomFields.from_fields(self.fields(), self.columns())

    def columns(self) -> dict[str, str]:
        """Hash key -> column name; names once given are kept in source state for good."""
        state_key = self.field_set.state_key
        known: dict[str, str] = dlt.current.source_state().setdefault(state_key, {})
        columns = assign_columns(self.fields(), known, self.field_set.standard)
        known.update(columns)
        return columns


def field_metadata(client: Client) -> dict[str, FieldMetadata]:
    """Object (`deals`, `organizations`) -> its field metadata, for one run."""
    return {obj: FieldMetadata(client, fs) for obj, fs in CUSTOM_FIELD_SETS.items()}


def column_hints(obj: str, extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    """dlt column hints of a raw table: `is_deleted` and the declared types."""
    hints: dict[str, Any] = {"is_deleted": {"data_type": "bool", "nullable": False}}
    for name, data_type in {**COLUMN_TYPES.get(obj, {}), **(extra or {})}.items():
        hints[name] = {"data_type": data_type, "nullable": True}
    return hints


def _emit(obj: str, outcomes: Iterable[tuple[Outcome, Any]],
          hints: dict[str, Any] | None = None) -> Iterator[Any]:
    """One list of good rows (with column hints when given), then one `reject` item per bad record."""
    rows: list[Record] = []
    rejected: list[Any] = []
    for outcome, payload in outcomes:
        if outcome.row is not None:
            rows.append(outcome.row)
        elif outcome.reason is not None:
            rejected.append(reject(SOURCE, obj, outcome.record_id, outcome.reason, payload))
    if rows and hints:
        yield dlt.mark.with_hints(rows, dlt.mark.make_hints(columns=hints))
    elif rows:
        yield rows
    yield from rejected


def _stopped(client: Client, exc: BudgetExhausted) -> None:
    client.budget_exhausted = client.budget_exhausted or exc
    log.warning("%s", exc)


def v2_rows(client: Client, obj: str, metadata: Mapping[str, FieldMetadata], *, full_refresh: bool,
            overlap: timedelta) -> Iterator[Any]:
    """Pages of one v2 object changed since the cursor (deleted deals in a second pass). When the daily
    budget runs out, the pages read so far land and the cursor stays where it was (the deleted deals'
    pass shares it), so the next sync reads them again rather than skipping any."""
    if client.budget_exhausted is not None:
        return
    try:
        yield from _v2_pages(client, obj, metadata, full_refresh=full_refresh, overlap=overlap)
    except BudgetExhausted as exc:
        _stopped(client, exc)


def _v2_pages(client: Client, obj: str, metadata: Mapping[str, FieldMetadata], *, full_refresh: bool,
              overlap: timedelta) -> Iterator[Any]:
    state = dlt.current.resource_state()
    since = _since(state, full_refresh, overlap)
    newest: str | None = None if full_refresh else state.get("cursor")
    convert: Callable[[Record], Outcome] = lambda r: to_row(obj, r)  # noqa: E731
    hints: dict[str, Any] | None = None
    if obj in metadata:
        custom = metadata[obj].custom()
        convert = lambda r: custom_row(obj, r, custom)  # noqa: E731
        # Custom fields are typed from their metadata, so even an unused one has its column.
        hints = column_hints(obj, custom.column_types())
    passes: list[dict[str, Any]] = [{}, {"status": "deleted"}] if obj == "deals" else [{}]
    for extra in passes:
        params: dict[str, Any] = {"sort_by": CURSOR_FIELD, "sort_direction": "asc", **extra}
        if since is not None:
            params["updated_since"] = _v2_time(since)
        for page in client.iter_v2(V2_OBJECTS[obj], params, obj=obj):
            outcomes = [(convert(r), r) for r in page]
            for outcome, _ in outcomes:
                if outcome.row is not None:
                    newest = _later(newest, outcome.row.get(CURSOR_FIELD))
            yield from _emit(obj, outcomes, hints)
            hints = None
    if newest is not None:
        state["cursor"] = newest


def snapshot_rows(obj: str, records: list[Record], key: Callable[[Record], Any],
                  convert: Callable[[Record, bool], Outcome]) -> Iterator[Any]:
    """A full list, plus the records that vanished since the last run landed as deleted."""
    state = dlt.current.resource_state()
    known: dict[str, Record] = state.get("known") or {}
    current: dict[str, Record] = {}
    outcomes: list[tuple[Outcome, Any]] = []
    for record in records:
        outcome = convert(record, False)
        outcomes.append((outcome, record))
        if outcome.row is not None:
            current[str(key(record))] = record
    for old_key, old in known.items():
        if old_key not in current:
            outcomes.append((convert(old, True), old))
    yield from _emit(obj, outcomes)
    state["known"] = current


def flow_rows(client: Client, *, full_refresh: bool, overlap: timedelta) -> Iterator[Any]:
    """Stage, status and other tracked changes of the deals updated since the flow cursor.

    One request per deal: the flows of a page of deals are read by `FLOW_WORKERS` threads at once
    (the client paces them to the rate window) and landed in the deals' order, so the cursor only
    passes deals whose changes are in the load. When the daily budget runs out, the flows read so far
    land and the cursor keeps the last deal they cover: a company with more deals than a day's budget
    allows is read over several days instead of starting again each day. The deals not reached yet
    still need their flow from where the stopped sync began (from the start, for a full sync), not
    from the new cursor: that beginning is kept in state (`resume_since`) until a sync finishes."""
    if client.budget_exhausted is not None:
        return
    state = dlt.current.resource_state()
    since = _since(state, full_refresh, overlap)
    newest: str | None = None if full_refresh else state.get("cursor")
    # how far back each deal's flow is read: from the deals' lower bound, or from where an
    # interrupted sync began
    item_since = since
    if not full_refresh and "resume_since" in state:
        item_since = parse_datetime(state["resume_since"], field="resume_since") if state["resume_since"] else None
    stopped = False
    params: dict[str, Any] = {"sort_by": CURSOR_FIELD, "sort_direction": "asc"}
    if since is not None:
        params["updated_since"] = _v2_time(since)
    pool = ThreadPoolExecutor(max_workers=FLOW_WORKERS, thread_name_prefix="pipedrive-flow")
    try:
        for page in client.iter_v2(V2_OBJECTS["deals"], params, obj="deal_flow"):
            # a deal without an id has no flow to read: the deals resource rejects it
            reads = [(deal, pool.submit(_all_deal_changes, client, deal_id, item_since))
                     for deal in page if (deal_id := record_id(deal)) is not None]
            for deal, read in reads:
                yield from _emit("deal_flow", read.result())
                try:
                    newest = _later(newest, parse_datetime(deal.get(CURSOR_FIELD), field=CURSOR_FIELD))
                except ValueError:
                    pass  # the deals resource rejects it
    except BudgetExhausted as exc:
        _stopped(client, exc)
        stopped = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on an error, the reads not started are dropped
    if newest is not None:
        state["cursor"] = newest
    if stopped:
        state["resume_since"] = item_since.isoformat() if item_since is not None else None
    else:
        state.pop("resume_since", None)


def _all_deal_changes(client: Client, deal_id: int, since: datetime | None) -> list[tuple[Outcome, Any]]:
    return list(_deal_changes(client, deal_id, since))


def _deal_changes(client: Client, deal_id: int, since: datetime | None) -> Iterator[tuple[Outcome, Any]]:
    params = {"items": FLOW_ITEM_TYPE, "all_changes": 1}
    try:
        for page in client.iter_v1(f"deals/{deal_id}/flow", params, obj="deal_flow"):
            for item in page:
                outcome = flow_row(item, deal_id)
                log_time = outcome.row.get("log_time") if outcome.row else None
                if since is not None and log_time is not None and log_time < since:
                    return  # newest first: everything after this is older
                yield outcome, item
    except RequestError as exc:
        if not exc.message.startswith("404"):
            raise  # a deal deleted and purged meanwhile has no flow any more: 404 is expected


def _metadata_resource(client: Client, obj: str, metadata: Mapping[str, FieldMetadata]) -> Iterator[Any]:
    if obj == "users":
        records = client.list_v1(V1_OBJECTS[obj], obj=obj)
        return snapshot_rows(obj, records, lambda r: r.get("id"),
                             lambda r, gone: to_row(obj, r, deleted=gone))
    if obj == "activity_types":
        records = client.list_v1(V1_OBJECTS[obj], obj=obj)
        return snapshot_rows(obj, records, lambda r: r.get("id"),
                             lambda r, gone: to_row(obj, r, deleted=gone or not r.get("active_flag", True)))
    fields = metadata[FIELD_SETS_BY_TABLE[obj].obj]
    if obj == fields.field_set.fields:  # deal_fields, organization_fields
        return snapshot_rows(obj, fields.fields(), lambda r: r.get("id"),
                             lambda r, gone: to_row(obj, r, deleted=gone))
    columns = fields.columns()  # deal_field_mapping, organization_field_mapping
    return snapshot_rows(obj, fields.custom_keys(), lambda r: r.get("key"),
                         lambda r, gone: Outcome(mapping_row(r, columns.get(str(r.get("key")), ""),
                                                             deleted=gone)))


def _lazy(client: Client, factory: Callable[[], Iterator[Any]]) -> Iterator[Any]:
    # Defer the first API call until dlt extracts the resource (and has its state in context). A
    # snapshot that could not be read whole is not landed (its missing records would count as deleted).
    if client.budget_exhausted is not None:
        return
    try:
        rows = factory()
    except BudgetExhausted as exc:
        _stopped(client, exc)
        return
    yield from rows


def source(client: Client, *, objects: Sequence[str] | None = None, full_refresh: bool = False,
           overlap: timedelta = timedelta(minutes=10)) -> DltSource:
    """The Pipedrive dlt source: one merge resource per raw table in `objects` (default: all)."""
    selected = select_objects(objects)
    metadata = field_metadata(client)

    def make(obj: str) -> DltResource:
        data: Iterator[Any]
        if obj in V2_OBJECTS:
            data = v2_rows(client, obj, metadata, full_refresh=full_refresh, overlap=overlap)
        elif obj == "deal_flow":
            data = flow_rows(client, full_refresh=full_refresh, overlap=overlap)
        else:
            data = _lazy(client, lambda: _metadata_resource(client, obj, metadata))
        # Parquet loads into DuckDB several times faster than SQL inserts of the same rows
        resource = dlt.resource(data, name=obj, primary_key=PRIMARY_KEYS[obj], write_disposition="merge",
                                file_format="parquet")
        # dlt starts a table variant from a copy of the resource's hints; set up the variant for
        # `_rejected_records` first so our column hints (a NOT NULL `is_deleted`) stay out of it.
        template = reject(SOURCE, obj, None, "", None)
        resource.merge_hints(template.meta.hints, create_table_variant=True)
        resource.apply_hints(columns=column_hints(obj))
        return resource

    @dlt.source(name=SOURCE, max_table_nesting=0)
    def pipedrive() -> list[DltResource]:
        return [make(obj) for obj in selected]

    return pipedrive()


def source_counts(client: Client, objects: Sequence[str] | None = None) -> dict[str, int]:
    """Non-deleted records per object, counted by listing them (Pipedrive lists give no totals).

    `deal_flow` is not counted: it would take one request per deal."""
    if client.budget_exhausted is not None:
        raise client.budget_exhausted
    counts: dict[str, int] = {}
    metadata = field_metadata(client)
    for obj in select_objects(objects):
        if obj in V2_OBJECTS:
            counts[obj] = sum(1 for page in client.iter_v2(V2_OBJECTS[obj], obj=obj) for r in page
                              if not r.get("is_deleted") and r.get("status") != "deleted")
        elif obj == "users":
            counts[obj] = len(client.list_v1(V1_OBJECTS[obj], obj=obj))
        elif obj == "activity_types":
            counts[obj] = sum(1 for r in client.list_v1(V1_OBJECTS[obj], obj=obj) if r.get("active_flag", True))
        elif obj in FIELD_SETS_BY_TABLE:
            fields = metadata[FIELD_SETS_BY_TABLE[obj].obj]
            counts[obj] = len(fields.fields() if obj == fields.field_set.fields else fields.custom_keys())
    return counts
