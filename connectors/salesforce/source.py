"""The Salesforce dlt source: one merge resource per object, incremental on SystemModstamp
(CreatedDate for OpportunityFieldHistory) through queryAll, so deleted records arrive flagged.

Per object and run: describe gives the field list (custom fields included, removed fields simply
stop being asked for); COUNT() of the changed rows picks REST (below the bulk threshold, ordered by
the cursor so the cursor advances page by page) or Bulk API 2.0 (unordered, so the cursor moves only
when the job's last page has landed). The cursor lives in the resource's dlt state and commits with
the data. When the daily API budget falls to the reserve, resources stop yielding: what was fetched
lands, `client.budget_exhausted` is set, and `source_counts` raises it."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
from dlt.sources import DltResource, DltSource

from connectors.common.errors import AuthError, BudgetExhausted, ConfigError
from connectors.common.records import reject
from connectors.salesforce.client import Client
from connectors.salesforce.rows import arrow_schema, column_hints, cursor_value, to_arrow, to_row
from connectors.salesforce.settings import (
    MAX_REST_SOQL_LENGTH,
    OBJECTS,
    OPTIONAL_OBJECTS,
    SOURCE,
    TABLES,
    cursor_field,
    table_name,
)

log = logging.getLogger(__name__)


def resolve_objects(objects: Sequence[str] | None) -> list[str]:
    """Object API names from names or raw table names (`Opportunity` or `opportunity`)."""
    if objects is None:
        return list(OBJECTS)
    by_table = {t: o for o, t in TABLES.items()}
    out: list[str] = []
    for name in objects:
        sobject = name if name in TABLES else by_table.get(name)
        if sobject is None:
            raise ConfigError(
                SOURCE, name, "unknown object", f"Use one of {', '.join(OBJECTS)} (or their table names)"
            )
        if sobject not in out:
            out.append(sobject)
    return out


def soql_datetime(moment: datetime) -> str:
    """An unquoted SOQL datetime literal in UTC, whole seconds (rounded down: the filter is >=)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_object(
    client: Client, sobject: str, state: dict[str, Any], *, full_refresh: bool, overlap: timedelta
) -> Iterator[Any]:
    """Yield pages of rows (and rejected records) for one object, advancing `state["cursor"]`."""
    if client.budget_exhausted is not None:
        return
    try:
        reason = client.unavailable_reason(sobject)
        if reason is not None and sobject in OPTIONAL_OBJECTS:
            client.unavailable[sobject] = reason
            log.warning("salesforce %s: skipped, %s", sobject, reason)
            return
        if reason is not None:
            raise AuthError(
                SOURCE,
                sobject,
                reason,
                "Give the integration user read access to this object (profile or permission set), "
                "or leave it out of sources.salesforce.objects",
            )
        types = client.field_types(sobject)
        cursor = cursor_field(sobject)
        saved = None if full_refresh else state.get("cursor")
        where = None
        if cursor in types and saved:
            where = f"{cursor} >= {soql_datetime(datetime.fromisoformat(saved) - overlap)}"
        elif cursor not in types:
            log.warning("salesforce %s: no %s field, reading every record each run", sobject, cursor)
        changed = client.count(sobject, where, include_deleted=True)
        if changed == 0:
            return
        soql = f"SELECT {', '.join(types)} FROM {sobject}" + (f" WHERE {where}" if where else "")
        # Bulk API 2.0 for large reads, and for SELECT lists too long for a REST GET (wide orgs).
        use_bulk = changed >= client.settings.bulk_threshold or len(soql) > MAX_REST_SOQL_LENGTH
        ordered = not use_bulk and cursor in types  # REST pages in cursor order: the cursor moves per page
        pages: Iterator[list[dict[str, Any]]]
        if use_bulk:
            pages = client.bulk_pages(sobject, soql)
        else:
            pages = client.rest_pages(sobject, f"{soql} ORDER BY {cursor} ASC" if ordered else soql)
        latest = datetime.fromisoformat(saved) if saved else None
        hints = dlt.mark.make_hints(columns=column_hints(types, cursor))  # type: ignore[arg-type]
        schema = arrow_schema(types)
        first = True
        for page in pages:
            rows = []
            for record in page:
                row, problem = to_row(record, types, cursor)
                if row is None:
                    yield reject(SOURCE, sobject, record.get("Id"), problem, record)
                    continue
                rows.append(row)
                seen = cursor_value(row, cursor)
                if seen is not None and (latest is None or seen > latest):
                    latest = seen
            if rows:
                table, refused = to_arrow(rows, schema)
                for row, problem in refused:
                    yield reject(SOURCE, sobject, row.get("id"), problem, row)
                if table.num_rows:
                    yield dlt.mark.with_hints(table, hints) if first else table
                    first = False
            if ordered and latest is not None:
                state["cursor"] = latest.isoformat()
        if latest is not None and cursor in types:
            state["cursor"] = latest.isoformat()
    except BudgetExhausted as exc:
        client.budget_exhausted = client.budget_exhausted or exc
        log.warning("%s", exc)


def _resource(client: Client, sobject: str, full_refresh: bool, overlap: timedelta) -> DltResource:
    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        yield from read_object(client, sobject, state, full_refresh=full_refresh, overlap=overlap)

    return dlt.resource(rows, name=table_name(sobject), write_disposition="merge", primary_key="id")


def source(
    client: Client,
    *,
    objects: Sequence[str] | None = None,
    full_refresh: bool = False,
    overlap: timedelta = timedelta(minutes=10),
) -> DltSource:
    """The dlt source: one resource per object (raw table name), merged on `id`, incremental."""
    names = resolve_objects(objects)

    @dlt.source(name=SOURCE, max_table_nesting=0)
    def salesforce() -> list[DltResource]:
        return [_resource(client, o, full_refresh, overlap) for o in names]

    return salesforce()


def source_counts(client: Client, objects: Sequence[str] | None = None) -> dict[str, int]:
    """Non-deleted records per raw table, by SOQL `SELECT COUNT()` (objects the org lacks are left out).
    Raises BudgetExhausted when the sync stopped for the API budget: counting would spend past it."""
    if client.budget_exhausted is not None:
        raise client.budget_exhausted
    counts: dict[str, int] = {}
    for sobject in resolve_objects(objects):
        if client.unavailable_reason(sobject) is None:
            counts[table_name(sobject)] = client.count(sobject)
    return counts
