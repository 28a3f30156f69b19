"""The shared part of the sandbox HubSpot server: settings, auth, limits, errors and dataset access.

Route handlers live in `objects.py` and `metadata.py`; `server.py` puts them together.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.generator.rendering.lazy import LazyRecords
from sandbox.servers.common import CrmServer, Faults, Request, Response
from sandbox.servers.hubspot import catalogue
from sandbox.servers.hubspot.associations import Index, build_index
from sandbox.servers.hubspot.records import SortedIndex

DEFAULT_TOKEN = "pat-na1-sandbox-0000-0000-000000000000"
AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
OBJECT_TYPE_IDS = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-48": "calls",
    "0-47": "meetings",
    "0-49": "emails",
    "0-46": "notes",
    "0-27": "tasks",
}
SEARCH_DEFAULTS = {
    "deals": (
        "dealname",
        "amount",
        "closedate",
        "pipeline",
        "dealstage",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    ),
    "contacts": ("firstname", "lastname", "email", "lastmodifieddate", "hs_object_id", "createdate"),
}
_POLICY_MESSAGES = {"TEN_SECONDLY_ROLLING": "ten_secondly_rolling", "SECONDLY": "secondly", "DAILY": "daily"}


def error(status: int, message: str, category: str, **extra: Any) -> Response:
    """A response in HubSpot's error envelope."""
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category}
    body.update(extra)
    return Response(status, body)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class HubSpotBase(CrmServer):
    """Settings, hooks and dataset access of the sandbox HubSpot server (see `HubSpotServer`).

    `token` is the private-app token the server accepts; `search_cap` is the number of results one search query can page through (HubSpot: 10,000);
    `search_rate_limit` requests per `search_rate_window` seconds (HubSpot: 5 per second) and
    `daily_limit` requests a day apply on top of the app window in `faults` (default 190 per 10 s);
    None turns a limit off."""

    name = "hubspot"

    def __init__(
        self,
        dataset: Any,
        *,
        token: str = DEFAULT_TOKEN,
        faults: Faults | None = None,
        tls: tuple[Path, Path] | None = None,
        port: int = 0,
        search_cap: int = 10_000,
        search_rate_limit: int | None = 5,
        search_rate_window: float = 1.0,
        daily_limit: int | None = 1_000_000,
        portal_id: int = 24_681_357,
    ) -> None:
        self.token = token
        self.search_cap = search_cap
        self.search_limits = Faults(rate_limit=search_rate_limit, rate_window=search_rate_window)
        self.daily_limit = daily_limit
        self.daily_used = 0
        self.portal_id = portal_id
        self._counter_lock = threading.Lock()
        self._index = SortedIndex()
        # Caches keyed on the record list itself (a day step swaps the lists) and its length.
        self._catalogues: dict[str, tuple[list[dict[str, Any]], int, dict[str, dict[str, Any]]]] = {}
        self._associations: tuple[list[dict[str, Any]], int, int, Index] | None = None
        self._searches: dict[tuple[Any, ...], tuple[threading.Lock, list[list[dict[str, Any]]], Any]] = {}
        super().__init__(
            dataset,
            faults=faults if faults is not None else Faults(rate_limit=190, rate_window=10.0),
            tls=tls,
            port=port,
        )

    def reset_usage(self) -> None:
        """Start a new day: the daily request budget is whole again."""
        with self._counter_lock:
            self.daily_used = 0

    def authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self.token:
            return error(401, AUTH_MESSAGE, "INVALID_AUTHENTICATION")
        return None

    def dispatch(self, request: Request) -> Response:
        with self._counter_lock:
            self.daily_used += 1
            over_budget = self.daily_limit is not None and self.daily_used > self.daily_limit
        if over_budget:
            return self._rate_limited("DAILY", None)
        if request.method == "POST" and request.path.endswith("/search"):
            allowed, _remaining, wait = self.search_limits.take_rate_token()
            if not allowed:
                return self._rate_limited("SECONDLY", wait)
        with self.dataset.lock:
            return super().dispatch(request)

    def rate_limited_response(self, retry_after: float) -> Response:
        return self._rate_limited("TEN_SECONDLY_ROLLING", retry_after)

    def server_error_response(self, status: int) -> Response:
        return error(status, "An internal error occurred.", "INTERNAL_ERROR")

    def expired_session_response(self) -> Response:
        return error(
            401, "The OAuth token used to make this call expired 1 hour(s) ago.", "EXPIRED_AUTHENTICATION"
        )

    def not_found(self, request: Request) -> Response:
        return error(404, f"No route for {request.method} {request.path}", "OBJECT_NOT_FOUND")

    def decorate(self, request: Request, response: Response, remaining: int) -> None:
        # HubSpot leaves these headers off search answers and off rate-limit refusals.
        if response.status == 429 or request.path.endswith("/search"):
            return
        if self.daily_limit is not None:
            response.headers["X-HubSpot-RateLimit-Daily"] = str(self.daily_limit)
            response.headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(
                max(self.daily_limit - self.daily_used, 0)
            )
        if self.faults.rate_limit is not None:
            response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(
                int(self.faults.rate_window * 1000)
            )
            response.headers["X-HubSpot-RateLimit-Max"] = str(self.faults.rate_limit)
            response.headers["X-HubSpot-RateLimit-Remaining"] = str(max(remaining, 0))

    def _rate_limited(self, policy: str, retry_after: float | None) -> Response:
        body = {
            "status": "error",
            "message": f"You have reached your {_POLICY_MESSAGES[policy]} limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": str(uuid.uuid4()),
            "policyName": policy,
            "requestId": str(uuid.uuid4()),
        }
        headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if retry_after is not None else {}
        return Response(429, body, headers)

    # -- dataset access ---------------------------------------------------------------------------
    def _records(self, name: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.dataset.objects("hubspot", name)
        return records

    def _object_type(self, request: Request, group: str = "type") -> str | None:
        assert request.match is not None
        raw = request.match.group(group)
        name = OBJECT_TYPE_IDS.get(raw, raw.lower())
        return name if name in catalogue.OBJECT_TYPES else None

    def properties_of(self, object_type: str, fresh: bool = False) -> dict[str, dict[str, Any]]:
        """Property definitions of an object type (cached until its record list is swapped or grows)."""
        records = self._records(object_type)
        cached = self._catalogues.get(object_type)
        # `fresh` shows drift planted in records edited in place; a large company's lazily built
        # lists are read-only, and scanning one takes longer than a client waits.
        fresh = fresh and not isinstance(records, LazyRecords)
        if not fresh and cached and cached[0] is records and cached[1] == len(records):
            return cached[2]
        self._catalogues.pop(object_type, None)  # the stale catalogue holds the previous list
        del cached
        defs = catalogue.build_definitions(
            object_type,
            records,
            self._records("properties"),
            created_at=str(self.dataset.meta.get("created_at", "2020-01-01T00:00:00Z")),
        )
        self._catalogues[object_type] = (records, len(records), defs)
        return defs

    def _association_index(self) -> Index:
        lines = self._records("associations")
        # Lines removed, added or swapped in place change the sum of their identities. A large
        # company's lazily built lines are read-only (and new objects at every pass): the list and
        # its length say it all.
        stamp = 0 if isinstance(lines, LazyRecords) else sum(map(id, lines))
        cached = self._associations
        if cached is None or cached[0] is not lines or cached[1] != len(lines) or cached[2] != stamp:
            # Drop the stale index before building the new one (5.7 GB for a large company).
            self._associations = cached = None
            cached = self._associations = (lines, len(lines), stamp, build_index(lines))
        return cached[3]

    def _search_hits(self, object_type: str, body: Mapping[str, Any],
                     find: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """The sorted hits of one search. A large company's lists are read-only and scanning one takes
        longer than a client waits, so its hits are kept per query (every page of a search is the same
        query with another `after`), and a query being scanned is scanned once: a retry waits for it."""
        records = self._records(object_type)
        if not isinstance(records, LazyRecords):
            return find()
        import json

        query = json.dumps({k: v for k, v in body.items() if k not in ("after", "limit", "properties")},
                           sort_keys=True, default=str)
        key = (object_type, id(records), len(records), query)
        with self._counter_lock:
            entry = self._searches.get(key)
            if entry is None or entry[2] is not records:
                # Hits kept for a list that has since been swapped (a day step) are dropped; each entry
                # holds its list, so a new list cannot take a dropped one's identity and its hits.
                for stale in [k for k, e in self._searches.items() if k[0] == object_type and e[2] is not records]:
                    del self._searches[stale]
                entry = self._searches[key] = (threading.Lock(), [], records)
                while len(self._searches) > 32:
                    self._searches.pop(next(iter(self._searches)))
        lock, kept, _ = entry
        with lock:
            if not kept:
                kept.append(find())
            return kept[0]

    def release_stale(self) -> None:
        """Drop every cache built for a record list the dataset no longer holds (after a day step), so
        that the previous lists and their indexes are freed before the new ones are built."""
        current = {name: self._records(name) for name in (*catalogue.OBJECT_TYPES, "associations")}
        self._index.release(lambda name, records: current.get(name) is not records)
        for name in [n for n, c in self._catalogues.items() if current.get(n) is not c[0]]:
            del self._catalogues[name]
        if self._associations is not None and self._associations[0] is not current["associations"]:
            self._associations = None
        with self._counter_lock:
            for key in [k for k, e in self._searches.items() if current.get(k[0]) is not e[2]]:
                del self._searches[key]

    def warm(self) -> dict[str, float]:
        """Build what the first requests would otherwise build while a client waits (the id order of
        every object type, the property catalogues, the association index); seconds per part. For a
        large company this takes minutes, longer than a client's timeout."""
        import time

        self.release_stale()
        took: dict[str, float] = {}
        for object_type in catalogue.OBJECT_TYPES:
            t0 = time.perf_counter()
            records = self._records(object_type)
            if records:
                next(iter(self._index.walk(object_type, records, None)), None)  # builds the id order
                self.properties_of(object_type)
            took[object_type] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        self._association_index()
        took["associations"] = round(time.perf_counter() - t0, 2)
        return took

    def _bad_type(self, request: Request, group: str = "type") -> Response:
        assert request.match is not None
        return error(
            400, f"Unable to infer object type from: {request.match.group(group)}", "VALIDATION_ERROR"
        )

    def _int_arg(self, request: Request, name: str, default: int) -> int:
        raw = request.arg(name)
        if raw is None or raw == "":
            return default
        value = int(raw)  # ValueError -> 400 by the caller
        if value < 1:
            raise ValueError(f"{name} must be at least 1")
        return value

    def _shaper(self, object_type: str, record: Mapping[str, Any]) -> Callable[[str], bool]:
        defs = self.properties_of(object_type)
        own = record.get("properties") or {}
        return lambda name: name in defs or name in own
