"""The HubSpot dlt source: one merge resource per raw table, cursors in dlt resource state.

- CRM objects (deals, companies, contacts, calls, meetings, emails, notes, tasks): every property the
  properties API lists, values cast by type. The first run (or a full refresh) lists everything; later
  runs search `<last-modified> GTE cursor - overlap` (see `incremental.py`). Archived records come from
  `archived=true` lists on every run and land with `is_deleted = true`.
- Property history: `deal_stage_history` (`dealstage`) and `contact_lifecycle_history`
  (`lifecyclestage`), read for the records modified since the table's own cursor.
- Associations between deals, contacts, companies and engagements (v4), re-read for records modified
  since the table's cursor; a re-read record's rows replace its earlier ones.
- Owners (with teams) and deal pipelines (with stages) are small and read in full on every run; one
  that vanished from the API is landed once more with `is_deleted = true`.
Every resource stops cleanly, keeping the data and cursor it reached, when the daily budget runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

import dlt
from dlt.common.schema.typing import TColumnSchema, TDeleteInsertStrategyDict
from dlt.sources import DltResource, DltSource

from connectors.common.errors import BudgetExhausted, ConfigError
from connectors.common.records import reject
from connectors.hubspot.client import Client
from connectors.hubspot.incremental import modified_since
from connectors.hubspot.records import (
    association_rows,
    flatten,
    history_rows,
    latest,
    object_columns,
    owner_row,
    pipeline_row,
    property_types,
    stage_rows,
    team_rows,
    to_ms,
)
from connectors.hubspot.settings import (
    ASSOCIATION_PAIRS,
    CRM_OBJECTS,
    CURSOR_PROPERTY,
    HISTORY_BATCH_SIZE,
    HISTORY_OBJECTS,
    HISTORY_PAGE_SIZE,
    OBJECTS,
    SOURCE,
)

Record = dict[str, Any]
# Child rows of a re-read parent replace its earlier ones: rows sharing the merge key are deleted first,
# and a row with `is_deleted = true` only deletes (it is not stored).
REPLACE_CHILDREN: TDeleteInsertStrategyDict = {"disposition": "merge", "strategy": "delete-insert"}
TOMBSTONE: TColumnSchema = {"data_type": "bool", "hard_delete": True}


def _columns(spec: str, **special: TColumnSchema) -> dict[str, TColumnSchema]:
    """Column hints from "name:type ..." so columns that are null in every row still exist."""
    out: dict[str, TColumnSchema] = {}
    for item in spec.split():
        name, kind = item.split(":")
        out[name] = {"data_type": kind, "nullable": True}  # type: ignore[typeddict-item]
    for name, hint in special.items():
        out[name] = {**out.get(name, {}), **hint}
    return out


OWNER_COLUMNS = _columns(
    "id:text email:text type:text first_name:text last_name:text user_id:bigint "
    "user_id_including_inactive:bigint created_at:timestamp updated_at:timestamp "
    "archived:bool is_deleted:bool"
)
TEAM_COLUMNS = _columns(
    "owner_id:text team_id:text team_name:text primary:bool is_deleted:bool", is_deleted=TOMBSTONE
)
PIPELINE_COLUMNS = _columns(
    "id:text label:text display_order:bigint created_at:timestamp updated_at:timestamp "
    "archived:bool is_deleted:bool"
)
STAGE_COLUMNS = _columns(
    "pipeline_id:text stage_id:text label:text display_order:bigint probability:double "
    "is_closed:bool created_at:timestamp updated_at:timestamp archived:bool is_deleted:bool"
)
ASSOCIATION_COLUMNS = _columns(
    "from_object_type:text from_id:text to_object_type:text to_id:text type_id:bigint "
    "category:text label:text is_deleted:bool",
    is_deleted=TOMBSTONE,
)


def _history_columns(key: str) -> dict[str, TColumnSchema]:
    return _columns(
        f"{key}:text value:text timestamp:timestamp source_type:text source_id:text "
        "updated_by_user_id:bigint is_deleted:bool"
    )


def select_objects(objects: Sequence[str] | None) -> list[str]:
    """The raw tables asked for, in the order of `OBJECTS`; unknown names are a `ConfigError`."""
    if objects is None:
        return list(OBJECTS)
    unknown = sorted(set(objects) - set(OBJECTS))
    if unknown:
        raise ConfigError(
            SOURCE, None, f"unknown object(s) {', '.join(unknown)}", f"Choose among {', '.join(OBJECTS)}"
        )
    return [name for name in OBJECTS if name in objects]


def _cursor_ms(record: Mapping[str, Any], cursor_property: str) -> int | None:
    try:
        return to_ms((record.get("properties") or {}).get(cursor_property), field=cursor_property)
    except ValueError:
        return None


def _start_ms(client: Client, object_type: str) -> int | None:
    """The newest last-modified time before a full listing starts: the cursor the listing leaves
    behind, so changes made while it runs are read by the next incremental run."""
    cursor_property = CURSOR_PROPERTY[object_type]
    try:
        return to_ms(client.latest_modified(object_type, cursor_property), field=cursor_property)
    except ValueError:
        return None


def _changed(
    client: Client, object_type: str, since_ms: int, properties: Sequence[str]
) -> Iterator[list[Record]]:
    return modified_since(
        client,
        object_type,
        CURSOR_PROPERTY[object_type],
        since_ms,
        properties,
        cap=client.settings.search_result_cap,
        page_size=client.settings.search_page_size,
    )


# -- CRM objects -----------------------------------------------------------------------------------
def _object_resource(client: Client, object_type: str, full_refresh: bool, overlap_ms: int) -> DltResource:
    cursor_property = CURSOR_PROPERTY[object_type]

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        try:
            types = property_types(client.properties(object_type))
        except BudgetExhausted:
            return
        names = list(types)
        hints: list[Any] = [dlt.mark.make_hints(columns=object_columns(types))]  # type: ignore[arg-type]

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
                yield dlt.mark.with_hints(good, hints.pop()) if hints else good

        saved = None if full_refresh else state.get("cursor_ms")
        try:
            if saved is None:
                start = _start_ms(client, object_type)
                for page in client.iter_list(object_type, names):
                    yield from emit(page)
                if start is not None:
                    state["cursor_ms"] = start
            else:
                for page in _changed(client, object_type, int(saved) - overlap_ms, names):
                    yield from emit(page)
                    for record in page:
                        state["cursor_ms"] = latest(
                            state.get("cursor_ms"), _cursor_ms(record, cursor_property)
                        )
            yield from _archived(client, object_type, names, state, full_refresh, overlap_ms, emit)
        except BudgetExhausted:
            return

    return dlt.resource(rows, name=object_type, primary_key="id", write_disposition="merge")


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


# -- property history ------------------------------------------------------------------------------
def _history_resource(client: Client, table: str, full_refresh: bool, overlap_ms: int) -> DltResource:
    object_type, prop, key = HISTORY_OBJECTS[table]
    cursor_property = CURSOR_PROPERTY[object_type]

    def emit(records: Iterable[Mapping[str, Any]]) -> Iterator[Any]:
        out: list[Record] = []
        for record in records:
            rid = str(record.get("id"))
            entries = (record.get("propertiesWithHistory") or {}).get(prop) or []
            good, bad = history_rows(key, rid, [{**e, "value": e.get("value") or ""} for e in entries])
            out.extend(good)
            for entry, reason in bad:
                yield reject(SOURCE, table, rid, f"{prop} history of {object_type} {rid}: {reason}", entry)
        if out:
            yield out

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        saved = None if full_refresh else state.get("cursor_ms")
        try:
            if saved is None:
                start = _start_ms(client, object_type)
                for page in client.iter_list(
                    object_type, [cursor_property], history=[prop], limit=HISTORY_PAGE_SIZE
                ):
                    yield from emit(page)
                if start is not None:
                    state["cursor_ms"] = start
                return
            for page in _changed(client, object_type, int(saved) - overlap_ms, [cursor_property]):
                ids = [str(r["id"]) for r in page if r.get("id")]
                for i in range(0, len(ids), HISTORY_BATCH_SIZE):
                    yield from emit(
                        client.batch_read(
                            object_type, ids[i : i + HISTORY_BATCH_SIZE], [cursor_property], history=[prop]
                        )
                    )
                for record in page:
                    state["cursor_ms"] = latest(state.get("cursor_ms"), _cursor_ms(record, cursor_property))
        except BudgetExhausted:
            return

    return dlt.resource(
        rows,
        name=table,
        primary_key=(key, "timestamp", "value"),
        write_disposition="merge",
        columns=_history_columns(key),
    )


# -- associations ----------------------------------------------------------------------------------
def _associations_resource(client: Client, full_refresh: bool, overlap_ms: int) -> DltResource:
    from_types = list(dict.fromkeys(a for a, _ in ASSOCIATION_PAIRS))

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        cursors: dict[str, int] = state.setdefault("cursors", {})
        try:
            for from_type in from_types:
                to_types = [b for a, b in ASSOCIATION_PAIRS if a == from_type]
                cursor_property = CURSOR_PROPERTY[from_type]
                saved = None if full_refresh else cursors.get(from_type)
                start = _start_ms(client, from_type) if saved is None else None
                pages = (
                    client.iter_list(from_type, [cursor_property])
                    if saved is None
                    else _changed(client, from_type, int(saved) - overlap_ms, [cursor_property])
                )
                for page in pages:
                    ids = [str(r["id"]) for r in page if r.get("id")]
                    found = {to: client.associations(from_type, to, ids) for to in to_types} if ids else {}
                    yield [
                        row
                        for rid in ids
                        for row in association_rows(
                            from_type, rid, {to: found[to].get(rid, []) for to in to_types}
                        )
                    ]
                    if saved is not None:
                        for record in page:
                            moved = latest(cursors.get(from_type), _cursor_ms(record, cursor_property))
                            if moved is not None:
                                cursors[from_type] = moved
                if saved is None and start is not None:
                    cursors[from_type] = start
        except BudgetExhausted:
            return

    return dlt.resource(
        rows,
        name="associations",
        write_disposition=REPLACE_CHILDREN,
        columns=ASSOCIATION_COLUMNS,
        primary_key=("from_object_type", "from_id", "to_object_type", "to_id", "type_id"),
        merge_key=("from_object_type", "from_id"),
    )


# -- owners and pipelines --------------------------------------------------------------------------
def _all_owners(client: Client) -> Iterator[Record]:
    for archived in (False, True):
        for page in client.iter_owners(archived=archived):
            yield from page


def _owners_resource(client: Client) -> DltResource:
    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        known: dict[str, Record] = state.get("known", {})
        current: dict[str, Record] = {}
        out: list[Record] = []
        try:
            for owner in _all_owners(client):
                current[str(owner.get("id"))] = owner
                try:
                    out.append(owner_row(owner))
                except (ValueError, TypeError, KeyError) as exc:
                    yield reject(SOURCE, "owners", owner.get("id"), f"owner {owner.get('id')}: {exc}", owner)
        except BudgetExhausted:
            return
        out += [owner_row(o, vanished=True) for oid, o in known.items() if oid not in current]
        # Keep what `owner_row` needs to flag an owner that vanishes later (teams are not needed).
        state["known"] = {
            oid: {k: v for k, v in o.items() if k != "teams"} for oid, o in current.items() if "id" in o
        }
        if out:
            yield out

    return dlt.resource(
        rows, name="owners", primary_key="id", write_disposition="merge", columns=OWNER_COLUMNS
    )


def _owner_teams_resource(client: Client) -> DltResource:
    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        known: list[str] = state.get("owner_ids", [])
        seen: list[str] = []
        out: list[Record] = []
        try:
            for owner in _all_owners(client):
                if owner.get("id") is None:
                    continue
                seen.append(str(owner["id"]))
                out += team_rows(owner)
        except BudgetExhausted:
            return
        out += [team_rows({"id": oid, "archived": True})[0] for oid in known if oid not in seen]
        state["owner_ids"] = seen
        if out:
            yield out

    return dlt.resource(
        rows,
        name="owner_teams",
        write_disposition=REPLACE_CHILDREN,
        columns=TEAM_COLUMNS,
        primary_key=("owner_id", "team_id"),
        merge_key="owner_id",
    )


def _pipelines_resource(client: Client, stages: bool) -> DltResource:
    name = "deal_stages" if stages else "deal_pipelines"

    def convert(pipeline: Record, vanished: bool) -> Iterator[Any]:
        if not stages:
            yield pipeline_row(pipeline, vanished=vanished)
            return
        for stage in pipeline.get("stages") or []:
            try:
                yield from stage_rows({**pipeline, "stages": [stage]}, vanished=vanished)
            except (ValueError, TypeError, KeyError) as exc:
                yield reject(SOURCE, name, f"{pipeline.get('id')}/{stage.get('id')}", f"stage: {exc}", stage)

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        known: dict[str, Record] = state.get("known", {})
        try:
            pipelines = client.deal_pipelines()
        except BudgetExhausted:
            return
        current = {str(p.get("id")): p for p in pipelines}
        out: list[Any] = []
        for pipeline in pipelines:
            try:
                out += list(convert(pipeline, False))
            except (ValueError, TypeError, KeyError) as exc:
                out.append(reject(SOURCE, name, pipeline.get("id"), f"pipeline: {exc}", pipeline))
        for pid, old in known.items():
            if pid not in current:
                out += list(convert(old, True))
            elif stages:  # stages removed from a pipeline that still exists
                live = {str(s.get("id")) for s in current[pid].get("stages") or []}
                gone = [s for s in old.get("stages") or [] if str(s.get("id")) not in live]
                out += list(convert({**old, "stages": gone}, True))
        state["known"] = current
        yield from out

    keys = ("pipeline_id", "stage_id") if stages else "id"
    return dlt.resource(
        rows,
        name=name,
        primary_key=keys,
        write_disposition="merge",
        columns=STAGE_COLUMNS if stages else PIPELINE_COLUMNS,
    )


# -- the source ------------------------------------------------------------------------------------
def source(
    client: Client,
    *,
    objects: Sequence[str] | None = None,
    full_refresh: bool = False,
    overlap: timedelta = timedelta(minutes=10),
) -> DltSource:
    """The HubSpot dlt source with one resource per asked raw table (all by default)."""
    names = select_objects(objects)
    overlap_ms = int(overlap.total_seconds() * 1000)
    resources: list[DltResource] = []
    for name in names:
        if name in CRM_OBJECTS:
            resources.append(_object_resource(client, name, full_refresh, overlap_ms))
        elif name in HISTORY_OBJECTS:
            resources.append(_history_resource(client, name, full_refresh, overlap_ms))
        elif name == "associations":
            resources.append(_associations_resource(client, full_refresh, overlap_ms))
        elif name == "owners":
            resources.append(_owners_resource(client))
        elif name == "owner_teams":
            resources.append(_owner_teams_resource(client))
        else:
            resources.append(_pipelines_resource(client, stages=name == "deal_stages"))

    @dlt.source(name=SOURCE, max_table_nesting=0)
    def hubspot() -> Any:
        return resources

    return hubspot()


def source_counts(client: Client, objects: Sequence[str] | None = None) -> dict[str, int]:
    """What HubSpot says it holds per raw table, archived records excluded: search `total` for CRM
    objects, a count of the listed owners, teams, pipelines and stages. Associations and property
    histories have no count in the API and are left out."""
    if client.budget_exhausted is not None:
        raise client.budget_exhausted
    out: dict[str, int] = {}
    names = select_objects(objects)
    owners = (
        [o for page in client.iter_owners() for o in page] if {"owners", "owner_teams"} & set(names) else []
    )
    pipelines = (
        [p for p in client.deal_pipelines() if not p.get("archived")]
        if {"deal_pipelines", "deal_stages"} & set(names)
        else []
    )
    for name in names:
        if name in CRM_OBJECTS:
            out[name] = client.count(name)
        elif name == "owners":
            out[name] = len(owners)
        elif name == "owner_teams":
            out[name] = sum(len(o.get("teams") or []) for o in owners)
        elif name == "deal_pipelines":
            out[name] = len(pipelines)
        elif name == "deal_stages":
            out[name] = sum(1 for p in pipelines for s in p.get("stages") or [] if not s.get("archived"))
    return out
