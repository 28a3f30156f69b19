"""The HubSpot dlt source: one merge resource per raw table, cursors in dlt resource state.

- CRM objects (deals, companies, contacts, calls, meetings, emails, notes, tasks): every property the
  properties API lists, values cast by type. The first run (or a full refresh) lists everything; later
  runs search `<last-modified> GTE cursor - overlap` (see `incremental.py`). Archived records come from
  `archived=true` lists on every run and land with `is_deleted = true`.
- Property history: `deal_stage_history` (`dealstage`), `deal_amount_history` (`amount`),
  `deal_close_date_history` (`closedate`) and `contact_lifecycle_history` (`lifecyclestage`), read for
  the records modified since the table's own cursor.
- Associations between deals, contacts, companies and engagements (v4), re-read for records modified
  since the table's cursor; a re-read record's rows replace its earlier ones.
- Owners (with teams) and deal pipelines (with stages) are small and read in full on every run; one
  that vanished from the API is landed once more with `is_deleted = true`.
Every resource stops cleanly, keeping the data and cursor it reached, when the daily budget runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import dlt
from dlt.sources import DltResource, DltSource

from connectors.common.errors import ConfigError
from connectors.hubspot.client import Client
from connectors.hubspot.metadata import owner_teams_resource, owners_resource, pipelines_resource
from connectors.hubspot.objects import object_resource
from connectors.hubspot.related import associations_resource, history_resource
from connectors.hubspot.settings import CRM_OBJECTS, HISTORY_OBJECTS, OBJECTS, SOURCE


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
            resources.append(object_resource(client, name, full_refresh, overlap_ms))
        elif name in HISTORY_OBJECTS:
            resources.append(history_resource(client, name, full_refresh, overlap_ms))
        elif name == "associations":
            resources.append(associations_resource(client, full_refresh, overlap_ms))
        elif name == "owners":
            resources.append(owners_resource(client))
        elif name == "owner_teams":
            resources.append(owner_teams_resource(client))
        else:
            resources.append(pipelines_resource(client, stages=name == "deal_stages"))

    # Each resource reads its own chain of pages; several chains at once keep the app's window full
    # (the client paces them) instead of leaving it to one request at a time.
    resources = [resource.parallelize() for resource in resources]

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
