"""Compare a warehouse's raw tables with the sandbox dataset they were synced from, record by record.

`compare_warehouse(dataset, warehouse_path, crm)` reads `raw_<crm>` and checks, per object: the set of
keys (every record of the dataset is in the table once, with no key the dataset lacks), no duplicate
keys, the deleted flag (`IsDeleted` / `archived` / `is_deleted` in the dataset, `is_deleted` in the
table) and the modified timestamp per record (`SystemModstamp` / `updatedAt` / `update_time`, or the
object's own equivalent) equal to the microsecond. It is an oracle for the tests and benchmarks: it
reads the dataset in the API's own shape and knows nothing of the connectors' code.

Objects derived from others are compared by their natural keys: HubSpot deal stages (pipeline, stage),
owner teams (owner, team), property histories (record, timestamp, value) and associations (stored in
the direction the connector reads them); Pipedrive's custom-field mapping (hash key) and deal flow
(change id). Child rows of a deleted parent (the history, associations or flow of an archived deal)
are left out on both sides and counted as `ignored`: the APIs only show children of live records, so
the warehouse keeps what it read before the parent went, and the parent's own flag says it is gone.
Where the API itself never shows a record, the expectation follows the API (rules written inline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from sandbox.dataset import Dataset

Key = tuple[str, ...]
Expected = dict[Key, tuple[bool, datetime | None]]  # key -> (deleted, modified)
MAX_LISTED = 20  # mismatching keys listed per object and kind


def moment(value: Any) -> datetime | None:
    """A timestamp from the dataset or the warehouse as an aware UTC datetime (None when empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":" and ("T" in text or " " in text):
        text = text[:-2] + ":" + text[-2:]  # Salesforce's +0000
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def source_moment(value: Any) -> datetime | None:
    """A dataset timestamp, or None when it does not parse (a planted malformed record: it cannot be
    matched by time, only by being quarantined)."""
    try:
        return moment(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ObjectSpec:
    """How one dataset object maps to a raw table: its key columns, its timestamp column (None: keys
    and flags only) and the expected rows computed from the dataset."""

    name: str
    table: str
    key_columns: tuple[str, ...]
    stamp_column: str | None
    expected: Callable[[Dataset], Expected]
    # keys of child rows whose parent is deleted in the dataset (left out on both sides)
    orphaned: Callable[[Dataset], Callable[[Key], bool]] | None = None
    # the modified timestamp of one raw record (to match a quarantined payload with its version)
    stamp_of: Callable[[Mapping[str, Any]], Any] | None = None
    # what the API counts as live when that differs from the distinct live keys
    source_count: Callable[[Dataset], int] | None = None


@dataclass
class ObjectComparison:
    """The result for one object: counts on both sides and every kind of mismatch found."""

    name: str
    table: str
    source_total: int = 0
    source_live: int = 0  # distinct live keys in the dataset
    source_reported: int = 0  # what the API reports as live (differs when the source lists a key twice)
    warehouse_total: int = 0
    warehouse_live: int = 0
    records_compared: int = 0
    ignored: int = 0  # warehouse child rows of parents deleted in the dataset
    missing: list[Key] = field(default_factory=list)  # in the dataset, not in the table
    extra: list[Key] = field(default_factory=list)  # in the table, not in the dataset
    duplicates: list[Key] = field(default_factory=list)
    wrong_deleted: list[Key] = field(default_factory=list)
    wrong_stamp: list[tuple[Key, str, str]] = field(default_factory=list)
    table_missing: bool = False
    quarantined: list[Key] = field(default_factory=list)  # absent or stale, their current version rejected
    vanished: int = 0  # rows of records gone from the source entirely, flagged deleted
    behind: int = 0  # records still at their previous version (only when a previous dataset is given)

    @property
    def mismatch_count(self) -> int:
        return (len(self.missing) + len(self.extra) + len(self.duplicates) + len(self.wrong_deleted)
                + len(self.wrong_stamp) + (1 if self.table_missing and self.source_total else 0))

    def problems(self) -> list[str]:
        """One line per kind of mismatch, naming up to MAX_LISTED keys."""
        out: list[str] = []
        where = f"{self.name} -> {self.table}"

        def keys(items: list[Any]) -> str:
            shown = ", ".join("/".join(k) if isinstance(k, tuple) else str(k) for k in items[:MAX_LISTED])
            return shown + (f" (+{len(items) - MAX_LISTED} more)" if len(items) > MAX_LISTED else "")

        if self.table_missing and self.source_total:
            out.append(f"{where}: table does not exist, dataset has {self.source_total} records")
        if self.missing:
            out.append(f"{where}: {len(self.missing)} record(s) missing from the warehouse: {keys(self.missing)}")
        if self.extra:
            out.append(f"{where}: {len(self.extra)} record(s) not in the dataset: {keys(self.extra)}")
        if self.duplicates:
            out.append(f"{where}: {len(self.duplicates)} duplicated key(s): {keys(self.duplicates)}")
        if self.wrong_deleted:
            out.append(f"{where}: {len(self.wrong_deleted)} deleted flag(s) differ: {keys(self.wrong_deleted)}")
        if self.wrong_stamp:
            listed = "; ".join(f"{'/'.join(k)} dataset {a} warehouse {b}"
                               for k, a, b in self.wrong_stamp[:MAX_LISTED])
            out.append(f"{where}: {len(self.wrong_stamp)} modified timestamp(s) differ: {listed}")
        return out


@dataclass
class Comparison:
    """The whole CRM: per-object results, `ok` when nothing differs, `mismatches` as readable lines."""

    crm: str
    warehouse_path: Path
    objects: list[ObjectComparison] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.mismatch_count == 0

    @property
    def mismatch_count(self) -> int:
        return sum(o.mismatch_count for o in self.objects)

    @property
    def records_compared(self) -> int:
        return sum(o.records_compared for o in self.objects)

    @property
    def mismatches(self) -> list[str]:
        return [line for o in self.objects for line in o.problems()]

    @property
    def quarantined(self) -> dict[str, list[Key]]:
        """Raw table -> keys of records whose current version is in `_rejected_records`."""
        return {o.table: o.quarantined for o in self.objects if o.quarantined}

    @property
    def behind(self) -> int:
        return sum(o.behind for o in self.objects)

    def summary(self) -> str:
        """One line when equal; the mismatch lines otherwise (for assertion messages)."""
        head = (f"{self.crm}: {self.records_compared} records compared over {len(self.objects)} objects, "
                f"{self.mismatch_count} mismatch(es)")
        extra = [f"{n} {what}" for n, what in (
            (sum(len(v) for v in self.quarantined.values()), "quarantined"), (self.behind, "behind"),
            (sum(o.vanished for o in self.objects), "vanished and flagged"),
            (sum(o.ignored for o in self.objects), "children of deleted parents ignored")) if n]
        if extra:
            head += f" ({', '.join(extra)})"
        return "\n".join([head, *self.mismatches])


# -- expected rows per CRM ---------------------------------------------------------------------------
def _flat_spec(crm: str, obj: str, table: str, key: str, column: str,
               deleted: Callable[[Mapping[str, Any]], bool],
               stamp: Callable[[Mapping[str, Any]], Any]) -> ObjectSpec:
    """A spec for an object whose records map one to one to rows keyed by one column."""
    return ObjectSpec(obj, table, ("id",), column, _flat(crm, obj, key, deleted, stamp), stamp_of=stamp)


def _flat(crm: str, obj: str, key: str, deleted: Callable[[Mapping[str, Any]], bool],
          stamp: Callable[[Mapping[str, Any]], Any] | None) -> Callable[[Dataset], Expected]:
    def expected(ds: Dataset) -> Expected:
        return {(str(r[key]),): (deleted(r), source_moment(stamp(r)) if stamp else None)
                for r in ds.objects(crm, obj) if r.get(key) not in (None, "")}
    return expected


def _salesforce_specs() -> list[ObjectSpec]:
    tables = {
        "User": "user", "UserRole": "user_role", "Account": "account", "Contact": "contact",
        "Lead": "lead", "Opportunity": "opportunity", "OpportunityStage": "opportunity_stage",
        "OpportunityHistory": "opportunity_history", "OpportunityFieldHistory": "opportunity_field_history",
        "Task": "task", "Event": "event", "ForecastingQuota": "forecasting_quota",
        "CurrencyType": "currency_type", "DatedConversionRate": "dated_conversion_rate",
    }
    specs = []
    for obj, table in tables.items():
        # OpportunityFieldHistory rows are never edited: CreatedDate is their only timestamp
        stamp_field = "CreatedDate" if obj == "OpportunityFieldHistory" else "SystemModstamp"
        column = "created_date" if obj == "OpportunityFieldHistory" else "system_modstamp"
        specs.append(_flat_spec("salesforce", obj, table, "Id", column, lambda r: bool(r.get("IsDeleted")),
                                lambda r, f=stamp_field: r.get(f)))  # type: ignore[misc]
    return specs


# HubSpot associations land in the direction the connector reads them (from the first type).
HUBSPOT_READ_PAIRS = frozenset({
    ("deals", "contacts"), ("deals", "companies"), ("contacts", "companies"),
    *((e, t) for e in ("calls", "meetings", "emails", "notes", "tasks")
      for t in ("deals", "contacts", "companies")),
})
HUBSPOT_CRM_OBJECTS = ("deals", "companies", "contacts", "calls", "meetings", "emails", "notes", "tasks")


def _hubspot_archived(r: Mapping[str, Any]) -> bool:
    return r.get("archived") is True or str(r.get("archived")).lower() == "true"


def _hubspot_stages(ds: Dataset) -> Expected:
    out: Expected = {}
    for p in ds.objects("hubspot", "pipelines_deals"):
        for s in p.get("stages") or []:
            gone = _hubspot_archived(p) or _hubspot_archived(s)
            out[(str(p["id"]), str(s["id"]))] = (gone, source_moment(s.get("updatedAt")))
    return out


def _hubspot_archived_ids(obj: str, position: int = 0) -> Callable[[Dataset], Callable[[Key], bool]]:
    """Keys whose `position`-th part is the id of an archived record of `obj` (for child rows)."""
    def orphaned(ds: Dataset) -> Callable[[Key], bool]:
        gone = {str(r["id"]) for r in ds.objects("hubspot", obj) if _hubspot_archived(r)}
        return lambda key: key[position] in gone
    return orphaned


def _hubspot_association_orphans(ds: Dataset) -> Callable[[Key], bool]:
    gone = {(obj, str(r["id"])) for obj in HUBSPOT_CRM_OBJECTS for r in ds.objects("hubspot", obj)
            if _hubspot_archived(r)}
    return lambda key: (key[0], key[1]) in gone


def _hubspot_history(obj: str, prop: str) -> Callable[[Dataset], Expected]:
    # The API gives property history of live records only (lists and batch reads skip archived ones).
    def expected(ds: Dataset) -> Expected:
        out: Expected = {}
        for r in ds.objects("hubspot", obj):
            if _hubspot_archived(r):
                continue
            for e in (r.get("propertiesWithHistory") or {}).get(prop) or []:
                when = source_moment(e.get("timestamp"))
                if when is not None:  # an entry without a readable time is quarantined, not landed
                    out[(str(r["id"]), when.isoformat(), str(e.get("value") or ""))] = (False, None)
        return out
    return expected


def _hubspot_associations(ds: Dataset) -> Expected:
    from sandbox.servers.hubspot.associations import reverse_type_id

    live = {(obj, str(r["id"])) for obj in HUBSPOT_CRM_OBJECTS for r in ds.objects("hubspot", obj)
            if not _hubspot_archived(r)}
    out: Expected = {}
    for line in ds.objects("hubspot", "associations"):
        a, a_id, b, b_id = (str(line["fromObjectType"]), str(line["fromId"]), str(line["toObjectType"]),
                            str(line["toId"]))
        type_id = int(line.get("typeId", 0))
        if (a, b) not in HUBSPOT_READ_PAIRS and (b, a) in HUBSPOT_READ_PAIRS:
            type_id = reverse_type_id(a, b, type_id)
            a, a_id, b, b_id = b, b_id, a, a_id
        if (a, b) not in HUBSPOT_READ_PAIRS:
            continue  # a pair the connector does not read
        # associations are read for live records only (the lists skip archived ones)
        if (a, a_id) in live:
            out[(a, a_id, b, b_id, str(type_id))] = (False, None)
    return out


def _hubspot_owner_teams(ds: Dataset) -> Expected:
    # An archived owner's team rows are removed from the warehouse (the connector lands a tombstone).
    return {(str(o["id"]), str(t.get("id"))): (False, None) for o in ds.objects("hubspot", "owners")
            if not _hubspot_archived(o) for t in o.get("teams") or []}


def _hubspot_team_entries(ds: Dataset) -> int:
    # the owners API lists an owner's teams as they are, a team listed twice included
    return sum(len(o.get("teams") or []) for o in ds.objects("hubspot", "owners") if not _hubspot_archived(o))


def _hubspot_specs() -> list[ObjectSpec]:
    def updated(r: Mapping[str, Any]) -> Any:
        return r.get("updatedAt")

    specs = [_flat_spec("hubspot", obj, obj, "id", "updated_at", _hubspot_archived, updated)
             for obj in HUBSPOT_CRM_OBJECTS]
    specs += [
        _flat_spec("hubspot", "owners", "owners", "id", "updated_at", _hubspot_archived, updated),
        ObjectSpec("owners.teams", "owner_teams", ("owner_id", "team_id"), None, _hubspot_owner_teams,
                   source_count=_hubspot_team_entries),
        ObjectSpec("pipelines_deals", "deal_pipelines", ("id",), "updated_at",
                   _flat("hubspot", "pipelines_deals", "id", _hubspot_archived, lambda r: r.get("updatedAt"))),
        ObjectSpec("pipelines_deals.stages", "deal_stages", ("pipeline_id", "stage_id"), "updated_at",
                   _hubspot_stages),
        ObjectSpec("deals.propertiesWithHistory.dealstage", "deal_stage_history",
                   ("deal_id", "timestamp", "value"), None, _hubspot_history("deals", "dealstage"),
                   _hubspot_archived_ids("deals")),
        ObjectSpec("deals.propertiesWithHistory.amount", "deal_amount_history",
                   ("deal_id", "timestamp", "value"), None, _hubspot_history("deals", "amount"),
                   _hubspot_archived_ids("deals")),
        ObjectSpec("deals.propertiesWithHistory.closedate", "deal_close_date_history",
                   ("deal_id", "timestamp", "value"), None, _hubspot_history("deals", "closedate"),
                   _hubspot_archived_ids("deals")),
        ObjectSpec("contacts.propertiesWithHistory.lifecyclestage", "contact_lifecycle_history",
                   ("contact_id", "timestamp", "value"), None, _hubspot_history("contacts", "lifecyclestage"),
                   _hubspot_archived_ids("contacts")),
        ObjectSpec("associations", "associations",
                   ("from_object_type", "from_id", "to_object_type", "to_id", "type_id"), None,
                   _hubspot_associations, lambda ds: _hubspot_association_orphans(ds)),
    ]
    return specs


def _pd_deleted(obj: str) -> Callable[[Mapping[str, Any]], bool]:
    def deleted(r: Mapping[str, Any]) -> bool:
        if obj == "deals" and r.get("status") == "deleted":
            return True
        if obj == "activityTypes":  # an inactive activity type is what the API shows for a removed one
            return bool(r.get("is_deleted")) or r.get("active_flag") is False
        return bool(r.get("is_deleted"))
    return deleted


def _pd_field_mapping(fields_obj: str) -> Callable[[Dataset], Expected]:
    """The custom keys (40 hex characters) of a field list: one mapping row each."""
    import re

    def expected(ds: Dataset) -> Expected:
        return {(str(f["key"]),): (False, None) for f in ds.objects("pipedrive", fields_obj)
                if re.fullmatch(r"[0-9a-f]{40}", str(f.get("key") or ""))}
    return expected


PIPEDRIVE_FLOW_KEYS = frozenset({"stage_id", "status", "pipeline_id", "user_id", "value", "currency",
                                 "probability", "expected_close_date", "lost_reason"})


def _pd_flow_orphans(ds: Dataset) -> Callable[[Key], bool]:
    # Flow is read per deal the deal list shows, so the changes of deleted deals are not expected.
    live = {str(d["id"]) for d in ds.objects("pipedrive", "deals") if not _pd_deleted("deals")(d)}
    gone_changes = {str((i.get("data") or {}).get("id")) for i in ds.objects("pipedrive", "dealFlow")
                    if str(i.get("deal_id")) not in live}
    return lambda key: key[0] in gone_changes


def _pd_flow(ds: Dataset) -> Expected:
    live = {str(d["id"]) for d in ds.objects("pipedrive", "deals") if not _pd_deleted("deals")(d)}
    out: Expected = {}
    for item in ds.objects("pipedrive", "dealFlow"):
        data = item.get("data") or {}
        if item.get("object") != "dealChange" or data.get("field_key") not in PIPEDRIVE_FLOW_KEYS:
            continue
        if str(item.get("deal_id")) in live:
            out[(str(data["id"]),)] = (False, source_moment(data.get("log_time") or item.get("timestamp")))
    return out


def _pipedrive_specs() -> list[ObjectSpec]:
    def updated(r: Mapping[str, Any]) -> Any:
        return r.get("update_time")

    specs = [_flat_spec("pipedrive", obj, obj, "id", "update_time", _pd_deleted(obj), updated)
             for obj in ("deals", "persons", "organizations", "activities", "pipelines", "stages")]
    specs += [
        _flat_spec("pipedrive", "users", "users", "id", "modified", lambda r: bool(r.get("is_deleted")),
                   lambda r: r.get("modified")),
        _flat_spec("pipedrive", "activityTypes", "activity_types", "id", "update_time",
                   _pd_deleted("activityTypes"), updated),
        _flat_spec("pipedrive", "dealFields", "deal_fields", "id", "update_time",
                   lambda r: bool(r.get("is_deleted")), updated),
        ObjectSpec("dealFields (custom keys)", "deal_field_mapping", ("key",), None,
                   _pd_field_mapping("dealFields")),
        _flat_spec("pipedrive", "organizationFields", "organization_fields", "id", "update_time",
                   lambda r: bool(r.get("is_deleted")), updated),
        ObjectSpec("organizationFields (custom keys)", "organization_field_mapping", ("key",), None,
                   _pd_field_mapping("organizationFields")),
        ObjectSpec("dealFlow", "deal_flow", ("id",), "log_time", _pd_flow, _pd_flow_orphans),
    ]
    return specs


SPECS: dict[str, Callable[[], list[ObjectSpec]]] = {
    "salesforce": _salesforce_specs, "hubspot": _hubspot_specs, "pipedrive": _pipedrive_specs,
}


def object_specs(crm: str) -> list[ObjectSpec]:
    """The objects compared for one CRM, with their raw tables."""
    if crm not in SPECS:
        raise ValueError(f"unknown CRM {crm!r}; allowed: {', '.join(SPECS)}")
    return SPECS[crm]()


# -- the comparison ----------------------------------------------------------------------------------
REJECTED_TABLE = "_rejected_records"


def _warehouse_key(value: Any) -> str:
    if isinstance(value, datetime):
        return moment(value).isoformat()  # type: ignore[union-attr]
    return "" if value is None else str(value)


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table]).fetchall()}


def _rejections(con: duckdb.DuckDBPyConnection, schema: str) -> dict[tuple[str, str], list[Any]]:
    """(object, record id) -> the rejected payloads, parsed back from JSON."""
    import json

    if "record_id" not in _table_columns(con, schema, REJECTED_TABLE):
        return {}
    out: dict[tuple[str, str], list[Any]] = {}
    for obj, rid, payload in con.execute(
            f"select object, record_id, payload from {schema}.{REJECTED_TABLE} where record_id is not null"
    ).fetchall():
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = None
        out.setdefault((str(obj), str(rid)), []).append(parsed)
    return out


def _quarantined(spec: ObjectSpec, key: Key, want_stamp: datetime | None,
                 rejections: Mapping[tuple[str, str], list[Any]]) -> bool:
    """Whether the record's current version sits in `_rejected_records` (same object, id and stamp)."""
    if len(key) != 1:
        return False
    payloads = rejections.get((spec.name, key[0])) or rejections.get((spec.table, key[0])) or []
    for payload in payloads:
        if want_stamp is None or spec.stamp_of is None or not isinstance(payload, Mapping):
            return True
        try:
            if moment(spec.stamp_of(payload)) == want_stamp:
                return True
        except (TypeError, ValueError):
            return True  # the stamp itself is what could not be read
    return False


def compare_object(con: duckdb.DuckDBPyConnection, ds: Dataset, crm: str, spec: ObjectSpec, *,
                   previous: Dataset | None = None,
                   rejections: Mapping[tuple[str, str], list[Any]] | None = None) -> ObjectComparison:
    """Compare one object of the dataset with its raw table (see `compare_warehouse`)."""
    out = ObjectComparison(spec.name, spec.table)
    with ds.lock:
        expected = spec.expected(ds)
        orphaned = spec.orphaned(ds) if spec.orphaned else (lambda _key: False)
    before: Expected = {}
    if previous is not None:
        with previous.lock:
            before = spec.expected(previous)
    expected = {k: v for k, v in expected.items() if not orphaned(k)}
    out.source_total = len(expected)
    out.source_live = sum(1 for deleted, _ in expected.values() if not deleted)
    with ds.lock:
        out.source_reported = spec.source_count(ds) if spec.source_count else out.source_live
    schema = f"raw_{crm}"
    columns = _table_columns(con, schema, spec.table)
    seen: dict[Key, tuple[bool, datetime | None]] = {}
    if not columns:
        out.table_missing = bool(expected) and previous is None
    else:
        # a table without its timestamp column compares as null timestamps, so every record shows up
        stamp = spec.stamp_column if spec.stamp_column in columns else None
        select = [f'"{c}"' for c in spec.key_columns]
        select.append('"is_deleted"' if "is_deleted" in columns else "false")
        select.append(f'"{stamp}"' if stamp else "null")
        rows = con.execute(f'select {", ".join(select)} from {schema}."{spec.table}"').fetchall()
        n = len(spec.key_columns)
        dupes: set[Key] = set()
        for row in rows:
            key = tuple(_warehouse_key(v) for v in row[:n])
            if orphaned(key):
                out.ignored += 1
                continue
            if key in seen:
                dupes.add(key)
            seen[key] = (bool(row[n]), moment(row[n + 1]))
            out.warehouse_total += 1
            out.warehouse_live += 0 if row[n] else 1
        out.duplicates = sorted(dupes)
    rejections = rejections or {}
    for key in sorted(set(seen) - set(expected)):
        if seen[key][0]:
            out.vanished += 1  # gone from the source entirely: kept and flagged, as the contract says
        elif key in before and previous is not None:
            out.behind += 1
        else:
            out.extra.append(key)
    for key in sorted(expected):
        want = expected[key]
        if key not in seen:
            if _quarantined(spec, key, want[1], rejections):
                out.quarantined.append(key)
            elif previous is not None and key not in before:
                out.behind += 1  # new since the previous day: an interrupted sync may stop before it
            # a record the warehouse held the day before must still be there, at either version
            else:
                out.missing.append(key)
            continue
        out.records_compared += 1
        got = seen[key]
        stamp_differs = bool(spec.stamp_column) and want[1] is not None and want[1] != got[1]
        if not stamp_differs and want[0] == got[0]:
            continue
        if previous is not None and key in before and (before[key][0], before[key][1] if spec.stamp_column
                                                       else got[1]) == got:
            out.behind += 1
        elif _quarantined(spec, key, want[1], rejections):
            out.quarantined.append(key)
        else:
            if want[0] != got[0]:
                out.wrong_deleted.append(key)
            if stamp_differs:
                out.wrong_stamp.append((key, want[1].isoformat() if want[1] else "null",
                                        got[1].isoformat() if got[1] else "null"))
    return out


def compare_warehouse(dataset: Dataset, warehouse_path: Path | str, crm: str,
                      objects: Iterable[str] | None = None, *, previous: Dataset | None = None) -> Comparison:
    """Compare the raw tables of one CRM in the warehouse with the dataset (see the module docstring).

    Records whose current version was quarantined (in `_rejected_records` with the same timestamp) are
    listed as `quarantined`, not as mismatches. `previous` (the dataset before its latest changes) is for
    interrupted syncs: a record may then still hold its previous version, or be absent if it is new,
    counted as `behind`; anything else is a mismatch. `objects` limits the comparison to these raw
    tables. The warehouse is opened read-only."""
    wanted = set(objects) if objects is not None else None
    result = Comparison(crm, Path(warehouse_path))
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        rejections = _rejections(con, f"raw_{crm}")
        for spec in object_specs(crm):
            if wanted is None or spec.table in wanted:
                result.objects.append(compare_object(con, dataset, crm, spec, previous=previous,
                                                     rejections=rejections))
    return result
