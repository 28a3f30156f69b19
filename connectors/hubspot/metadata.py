"""Owners (with their teams) and deal pipelines (with their stages): small, read in full on every run;
one that vanished from the API is landed once more with `is_deleted = true`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from connectors.common.errors import BudgetExhausted
from connectors.common.records import reject
from connectors.hubspot.client import Client
from connectors.hubspot.columns import (
    OWNER_COLUMNS,
    PIPELINE_COLUMNS,
    REPLACE_CHILDREN,
    STAGE_COLUMNS,
    TEAM_COLUMNS,
)
from connectors.hubspot.records import owner_row, pipeline_row, stage_rows, team_rows
from connectors.hubspot.settings import SOURCE

Record = dict[str, Any]


def _all_owners(client: Client) -> Iterator[Record]:
    for archived in (False, True):
        for page in client.iter_owners(archived=archived):
            yield from page


def owners_resource(client: Client) -> DltResource:
    """The `owners` table: live and archived owners, and vanished ones flagged."""

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
        for oid, o in known.items():
            if oid not in current:
                try:
                    out.append(owner_row(o, vanished=True))
                except (ValueError, TypeError, KeyError):
                    continue  # it was quarantined when it was last read; nothing valid to flag
        # Keep what `owner_row` needs to flag an owner that vanishes later (teams are not needed).
        state["known"] = {
            oid: {k: v for k, v in o.items() if k != "teams"} for oid, o in current.items() if "id" in o
        }
        if out:
            yield out

    return dlt.resource(
        rows,
        name="owners",
        primary_key="id",
        write_disposition="merge",
        columns=OWNER_COLUMNS,
        file_format="parquet",
    )


def owner_teams_resource(client: Client) -> DltResource:
    """The `owner_teams` table; an owner's rows are replaced each run."""

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
                try:
                    out += team_rows(owner)
                except (ValueError, TypeError, KeyError, AttributeError) as exc:
                    yield reject(
                        SOURCE,
                        "owner_teams",
                        owner.get("id"),
                        f"teams of owner {owner.get('id')}: {exc}",
                        owner,
                    )
        except BudgetExhausted:
            return
        out += [team_rows({"id": oid, "archived": True})[0] for oid in known if oid not in seen]
        state["owner_ids"] = seen
        if out:
            yield out

    return dlt.resource(
        rows,
        name="owner_teams",
        file_format="parquet",
        write_disposition=REPLACE_CHILDREN,
        columns=TEAM_COLUMNS,
        primary_key=("owner_id", "team_id"),
        merge_key="owner_id",
    )


def pipelines_resource(client: Client, stages: bool) -> DltResource:
    """The `deal_pipelines` table, or `deal_stages` with `stages=True`."""
    name = "deal_stages" if stages else "deal_pipelines"

    def convert(pipeline: Record, vanished: bool) -> Iterator[Any]:
        if not stages:
            yield pipeline_row(pipeline, vanished=vanished)
            return
        for stage in pipeline.get("stages") or []:
            try:
                yield from stage_rows({**pipeline, "stages": [stage]}, vanished=vanished)
            except (ValueError, TypeError, KeyError) as exc:
                stage_id = stage.get("id") if isinstance(stage, dict) else stage
                yield reject(SOURCE, name, f"{pipeline.get('id')}/{stage_id}", f"stage: {exc}", stage)

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        known: dict[str, Record] = state.get("known", {})
        try:
            pipelines = client.deal_pipelines()
        except BudgetExhausted:
            return
        out: list[Any] = []
        for bad in [p for p in pipelines if not isinstance(p, dict)]:
            out.append(
                reject(SOURCE, name, None, f"pipeline: expected an object, got {type(bad).__name__}", bad)
            )
        pipelines = [p for p in pipelines if isinstance(p, dict)]
        current = {str(p.get("id")): p for p in pipelines}
        for pipeline in pipelines:
            try:
                out += list(convert(pipeline, False))
            except (ValueError, TypeError, KeyError) as exc:
                out.append(reject(SOURCE, name, pipeline.get("id"), f"pipeline: {exc}", pipeline))
        for pid, old in known.items():
            if pid not in current:
                out += list(convert(old, True))
            elif stages:  # stages removed from a pipeline that still exists
                live = {str(s.get("id")) for s in current[pid].get("stages") or [] if isinstance(s, dict)}
                gone = [
                    s for s in old.get("stages") or [] if isinstance(s, dict) and str(s.get("id")) not in live
                ]
                out += list(convert({**old, "stages": gone}, True))
        state["known"] = current
        yield from out

    keys = ("pipeline_id", "stage_id") if stages else "id"
    return dlt.resource(
        rows,
        name=name,
        file_format="parquet",
        primary_key=keys,
        write_disposition="merge",
        columns=STAGE_COLUMNS if stages else PIPELINE_COLUMNS,
    )
