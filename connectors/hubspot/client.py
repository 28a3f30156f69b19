"""The HubSpot API client wrapper: hubspot-api-client 12 with our retries, error mapping and budget.

Answers are read raw (`_preload_content=False`) and parsed here, so one malformed timestamp sends one
record to `_rejected_records` instead of failing a whole page in the library's deserialiser. The
library's own urllib3 retries are turned off: every retry (429 with `Retry-After`, 5xx, dropped or
truncated answers, POST search included) goes through `call_with_retry`, which can be counted and
tested. Requests are paced to the app's window, which HubSpot announces in its
`X-HubSpot-RateLimit-Max` / `-Remaining` / `-Interval-Milliseconds` headers, and searches to the
documented 5 per second (search answers carry no such headers), so the client may be used from
several threads at once without meeting 429s.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlsplit

from hubspot import HubSpot
from urllib3.util.retry import Retry

from connectors.common.errors import BudgetExhausted, ConnectorError, RateLimitError, TransientError
from connectors.common.pacing import RateHeaders, RatePacer
from connectors.common.retry import call_with_retry
from connectors.hubspot.errors import header, map_error
from connectors.hubspot.settings import (
    ASSOCIATION_BATCH_SIZE,
    BATCH_READ_SIZE,
    LIST_PAGE_SIZE,
    OWNERS_PAGE_SIZE,
    SEARCH_RATE_WINDOW,
    SOURCE,
    Settings,
)

Record = dict[str, Any]
# No retries inside urllib3, and a 429 comes back as an answer (not MaxRetryError) for us to map.
NO_LIBRARY_RETRY = Retry(total=0, respect_retry_after_header=False, raise_on_status=False)
DAILY_REMAINING = "x-hubspot-ratelimit-daily-remaining"
APP_WINDOW = RateHeaders(
    limit="x-hubspot-ratelimit-max",
    remaining="x-hubspot-ratelimit-remaining",
    window_ms="x-hubspot-ratelimit-interval-milliseconds",
)


def split_properties(names: Sequence[str], max_chars: int) -> list[list[str]]:
    """Property names in groups whose repeated `properties=` query stays within `max_chars`."""
    groups: list[list[str]] = []
    current: list[str] = []
    size = 0
    for name in names:
        cost = len(name) + len("&properties=")
        if current and size + cost > max_chars:
            groups.append(current)
            current, size = [], 0
        current.append(name)
        size += cost
    if current:
        groups.append(current)
    return groups


class Client:
    """One HubSpot account (private-app token) read through hubspot-api-client.

    `request_count` counts HTTP requests (retries included). `budget_exhausted` is set once the daily
    budget left falls to `settings.budget_reserve` or HubSpot refuses with its daily policy: later calls
    raise it at once, and the resources stop cleanly after landing what they fetched."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        self._lock = threading.Lock()
        self.request_count = 0
        self.retries = 0
        self.daily_remaining: int | None = None
        self.budget_exhausted: BudgetExhausted | None = None
        # the app's window depends on the account's tier: none until the first answer announces it
        self.pacer = RatePacer(None, 10.0, headers=APP_WINDOW)
        self.search_pacer = RatePacer(settings.search_rate_limit, SEARCH_RATE_WINDOW)
        crm = HubSpot(access_token=settings.access_token, host=settings.base_url, retry=NO_LIBRARY_RETRY).crm
        # Each discovery attribute builds a new API client and connection pool: build them once.
        self._objects = crm.objects.basic_api
        self._batch = crm.objects.batch_api
        self._search = crm.objects.search_api
        self._owners = crm.owners.owners_api
        self._pipelines = crm.pipelines.pipelines_api
        self._properties = crm.properties.core_api
        self._associations = crm.associations.v4.batch_api

    def __repr__(self) -> str:
        return f"Client(base_url={self.settings.base_url!r})"

    # -- one call ---------------------------------------------------------------------------------
    def call(self, obj: str | None, fn: Callable[..., Any], *args: Any, search: bool = False,
             **kwargs: Any) -> Record:
        """`fn(*args, **kwargs)` of the library, raw; the parsed JSON answer, paced, retried and
        mapped. `search`: the call is a CRM search (its own, tighter limit)."""

        def attempt() -> Record:
            if self.budget_exhausted is not None:
                raise self.budget_exhausted
            with self._lock:
                self.request_count += 1
            with ExitStack() as slots:
                if search:
                    slots.enter_context(self.search_pacer.slot())
                ticket = slots.enter_context(self.pacer.slot())
                try:
                    response = fn(*args, _preload_content=False, _request_timeout=self.settings.timeout,
                                  **kwargs)
                    try:
                        data = response.data
                    finally:
                        response.release_conn()
                    self._note_budget(response.headers, obj)
                    self.pacer.observe(response.headers, ticket)
                except ConnectorError:
                    raise
                except Exception as exc:
                    error = self._mapped(exc, obj)
                    if isinstance(error, RateLimitError):  # the other threads wait too
                        # HubSpot names the policy: the search limit is the "secondly" one
                        secondly = search and "your secondly limit" in error.message.lower()
                        (self.search_pacer if secondly else self.pacer).hold(
                            error.retry_after if error.retry_after is not None else 1.0)
                    raise error from None
            try:
                parsed = json.loads(data) if data else {}
            except ValueError:
                raise TransientError(SOURCE, obj, "truncated or non-JSON answer", "Retrying") from None
            if not isinstance(parsed, dict):
                raise TransientError(SOURCE, obj, "an answer that is not a JSON object", "Retrying")
            return parsed

        def count_retry(exc: Exception, attempt_no: int, delay: float) -> None:
            with self._lock:
                self.retries += 1

        return call_with_retry(
            attempt,
            source=SOURCE,
            obj=obj,
            max_attempts=self.settings.max_attempts,
            sleep=self._sleep,
            on_retry=count_retry,
        )

    def _note_budget(self, headers: Any, obj: str | None) -> None:
        raw = header(headers, DAILY_REMAINING)
        if raw is None:
            return
        try:
            self.daily_remaining = int(raw)
        except ValueError:
            return
        if self.daily_remaining <= self.settings.budget_reserve:
            self.budget_exhausted = BudgetExhausted(
                SOURCE,
                obj,
                f"{self.daily_remaining} requests left in the daily API budget, at or under the "
                f"reserve of {self.settings.budget_reserve}",
                "The sync stopped after landing what it had fetched and resumes from its cursors tomorrow; "
                "lower HUBSPOT_API_BUDGET_RESERVE to let it use more of the daily limit",
            )

    def _mapped(self, exc: Exception, obj: str | None) -> ConnectorError:
        err = map_error(exc, obj, secrets=[self.settings.access_token], host=self._host())
        if isinstance(err, BudgetExhausted):
            self.budget_exhausted = err
        return err

    def _host(self) -> str:
        return urlsplit(self.settings.base_url).netloc

    # -- endpoints --------------------------------------------------------------------------------
    def check_connection(self) -> str:
        """One cheap call (the first owner); a short description of the account reached."""
        self.call("owners", self._owners.get_page, limit=1)
        return f"HubSpot at {self._host()}: access token accepted"

    def properties(self, object_type: str) -> list[Record]:
        """Property definitions (name, type, fieldType, ...) of an object type."""
        return list(
            self.call(object_type, self._properties.get_all, object_type, archived=False).get("results", [])
        )

    def _list(
        self,
        object_type: str,
        properties: Sequence[str],
        after: str | None,
        limit: int,
        archived: bool,
        history: Sequence[str],
    ) -> Record:
        kwargs: dict[str, Any] = {"limit": limit, "archived": archived}
        if properties:
            kwargs["properties"] = list(properties)
        if history:
            kwargs["properties_with_history"] = list(history)
        if after:
            kwargs["after"] = after
        return self.call(object_type, self._objects.get_page, object_type, **kwargs)

    def list_page(
        self,
        object_type: str,
        properties: Sequence[str],
        *,
        after: str | None = None,
        limit: int = LIST_PAGE_SIZE,
        archived: bool = False,
        history: Sequence[str] = (),
    ) -> Record:
        """One page of an object list with every asked property. Long property lists are read in
        several requests at the same cursor and merged by id, so no URL grows too long; a record missing
        from a later request (changed in between) is completed by a batch read."""
        groups = split_properties(properties, self.settings.max_property_chars) or [[]]
        first = self._list(object_type, groups[0], after, limit, archived, history)
        results: list[Record] = list(first.get("results") or [])
        by_id = {str(r.get("id")): r for r in results}
        for group in groups[1:]:
            page = self._list(object_type, group, after, limit, archived, ())
            extra = {str(r.get("id")): r for r in page.get("results") or []}
            missing = [rid for rid in by_id if rid not in extra]
            if missing:
                extra.update(
                    {
                        str(r.get("id")): r
                        for r in self.batch_read(object_type, missing, group, archived=archived)
                    }
                )
            for rid, record in by_id.items():
                if rid in extra:
                    record.setdefault("properties", {}).update(extra[rid].get("properties") or {})
        return {"results": results, "paging": first.get("paging")}

    def iter_list(
        self,
        object_type: str,
        properties: Sequence[str],
        *,
        archived: bool = False,
        history: Sequence[str] = (),
        limit: int = LIST_PAGE_SIZE,
    ) -> Iterator[list[Record]]:
        """Every page of an object list, following `paging.next.after` until it is absent."""
        after: str | None = None
        while True:
            page = self.list_page(
                object_type, properties, after=after, limit=limit, archived=archived, history=history
            )
            yield list(page.get("results") or [])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        history: Sequence[str] = (),
        archived: bool = False,
    ) -> list[Record]:
        """Records by id (found ones only), in batches of the API maximum."""
        out: list[Record] = []
        for start in range(0, len(ids), BATCH_READ_SIZE):
            body: Record = {
                "inputs": [{"id": i} for i in ids[start : start + BATCH_READ_SIZE]],
                "properties": list(properties),
            }
            if history:
                body["propertiesWithHistory"] = list(history)
            answer = self.call(object_type, self._batch.read, object_type, body, archived=archived)
            out.extend(answer.get("results") or [])
        return out

    def search_page(self, object_type: str, body: Record) -> Record:
        """One page of `POST /crm/v3/objects/{type}/search`."""
        return self.call(object_type, self._search.do_search, object_type, body, search=True)

    def count(self, object_type: str) -> int:
        """Live (not archived) records of an object type, as search's `total` says."""
        return int(
            self.search_page(
                object_type, {"filterGroups": [], "limit": 1, "properties": ["hs_object_id"]}
            ).get("total", 0)
        )

    def latest_modified(self, object_type: str, cursor_property: str) -> str | None:
        """The newest value of the last-modified property among live records (None when empty)."""
        body = {
            "filterGroups": [],
            "limit": 1,
            "properties": [cursor_property],
            "sorts": [{"propertyName": cursor_property, "direction": "DESCENDING"}],
        }
        results = self.search_page(object_type, body).get("results") or []
        return (results[0].get("properties") or {}).get(cursor_property) if results else None

    def iter_owners(self, *, archived: bool = False) -> Iterator[list[Record]]:
        """Every page of owners (live, or archived only)."""
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": OWNERS_PAGE_SIZE, "archived": archived}
            if after:
                kwargs["after"] = after
            page = self.call("owners", self._owners.get_page, **kwargs)
            yield list(page.get("results") or [])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def deal_pipelines(self) -> list[Record]:
        """Deal pipelines with their stages."""
        return list(self.call("deal_pipelines", self._pipelines.get_all, "deals").get("results") or [])

    def associations(self, from_type: str, to_type: str, ids: Sequence[str]) -> dict[str, list[Record]]:
        """For each id, its associated records of `to_type` (`toObjectId`, `associationTypes`). Ids
        without associations are absent; HubSpot reports them as errors of a 207 answer."""
        out: dict[str, list[Record]] = {}
        pending: list[Record] = [{"id": i} for i in ids]
        while pending:  # a record with very many associations pages on with its own `after`
            more: list[Record] = []
            for start in range(0, len(pending), ASSOCIATION_BATCH_SIZE):
                body = {"inputs": pending[start : start + ASSOCIATION_BATCH_SIZE]}
                answer = self.call("associations", self._associations.get_page, from_type, to_type, body)
                for result in answer.get("results") or []:
                    from_id = str((result.get("from") or {}).get("id"))
                    out.setdefault(from_id, []).extend(result.get("to") or [])
                    after = ((result.get("paging") or {}).get("next") or {}).get("after")
                    if after:
                        more.append({"id": from_id, "after": str(after)})
            pending = more
        return out
