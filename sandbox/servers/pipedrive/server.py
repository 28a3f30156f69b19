"""`PipedriveServer`: the Pipedrive v1 and v2 REST API over plain http on 127.0.0.1.

Serves `dataset.records["pipedrive"]`. v2 endpoints (`/api/v2/...`) answer from the stored records
as they are; v1 endpoints (`/v1/...` and `/api/v1/...`) answer with the v1 shape derived in
`shapes.py`. Authentication accepts the configured token as an `x-api-token` header, an
`api_token` query parameter or an `Authorization: Bearer` header.

Limits: a burst window (80 requests per 2 s unless the `Faults` passed in say otherwise) answered
with Pipedrive's 429 body and `Retry-After`, and an optional daily token budget charged with the
documented costs (v1 list 20, v1 single record 2, v2 list 10, v2 single record 1). Every response
carries the rate-limit headers.

Field metadata (`/v1/dealFields`, `/v1/organizationFields`) is paged like the other v1 lists; the
custom fields of deals and organizations are in `custom_fields` by hash key in v2 and at the top
level in v1.

Deleted persons, organizations, activities, stages and pipelines stay in v2 lists flagged
`is_deleted: true` (with the update time of the deletion, so `updated_since` finds them); whether
the live API lists them is not confirmed. Deleted deals are listed only when `status` names
`deleted`. v1 lists hide deleted records (deals: unless `status=deleted`).

`/v1/recents` only looks back `recents_window` (30 days by default) from the dataset's `as_of`
(`meta.json`) or the wall clock: an older `since_timestamp` is silently moved forward, which is how
the live endpoint is reported to behave and why a sync must not depend on it.
"""

from __future__ import annotations

import hmac
import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.generator.rendering.lazy import LazyRecords
from sandbox.servers.common import CrmServer, Faults, Request, Response
from sandbox.servers.pipedrive import listing
from sandbox.servers.pipedrive.listing import BadParameter
from sandbox.servers.pipedrive.shapes import (
    Lookups,
    Record,
    is_deleted,
    parse_time,
    related_objects,
    to_v1,
)

DEFAULT_TOKEN = "sandbox-pipedrive-token"
ERROR_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."
UNAUTHORIZED_BODY = {"success": False, "error": "unauthorized access", "errorCode": 401,
                     "error_info": "Please check developers.pipedrive.com"}
RATE_LIMITED_BODY = {"success": False, "error": "Request over limit", "errorCode": 429}
NO_LIMIT_HEADER = 1_000_000  # what the limit headers report when a limit is switched off
V1 = r"(?:/api)?/v1"
V2_OBJECTS = ("deals", "persons", "organizations", "activities", "pipelines", "stages")
SINGULAR = {"deals": "Deal", "persons": "Person", "organizations": "Organization",
            "activities": "Activity", "pipelines": "Pipeline", "stages": "Stage", "users": "User",
            "dealFields": "Field", "organizationFields": "Field"}
# v1 field metadata lists (offset paging), served from the dataset file of the same name.
FIELD_LISTS = ("dealFields", "organizationFields")
RECENT_ITEMS = {"deal": "deals", "person": "persons", "organization": "organizations",
                "activity": "activities", "user": "users", "stage": "stages", "pipeline": "pipelines"}


LOOKUP_LISTS = ("users", "persons", "organizations", "stages", "pipelines", "deals", "dealFields",
                "organizationFields")

def error_body(message: str) -> Record:
    """Pipedrive's error envelope."""
    return {"success": False, "error": message, "error_info": ERROR_INFO, "data": None,
            "additional_data": None}


def token_cost(path: str) -> int:
    """Daily-budget tokens one GET costs: lists cost ten times a single record."""
    single = path.rstrip("/").split("/")[-1].isdigit() or path.endswith("/users/me")
    if path.startswith("/api/v2/"):
        return 1 if single else 10
    return 2 if single else 20


def _int_arg(request: Request, name: str) -> int | None:
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise BadParameter(f"{name}: expected an integer, got {raw!r}") from exc


def _int_list(request: Request, name: str) -> set[int] | None:
    values = request.args(name)
    if not values:
        return None
    try:
        return {int(v) for v in values}
    except ValueError as exc:
        raise BadParameter(f"{name}: expected comma-separated integers, got {values!r}") from exc


def _ok(body: Record) -> Response:
    return Response(200, body)


class PipedriveServer(CrmServer):
    """The Pipedrive sandbox; `dataset.records["pipedrive"]` is read on every request."""

    name = "pipedrive"

    def __init__(self, dataset: Any, *, token: str = DEFAULT_TOKEN, faults: Faults | None = None,
                 tls: tuple[Path, Path] | None = None, port: int = 0,
                 company_domain: str = "sandbox", daily_token_budget: int | None = None,
                 recents_window: timedelta = timedelta(days=30)) -> None:
        self.token = token
        self.company_domain = company_domain
        self.daily_token_budget = daily_token_budget
        self.recents_window = recents_window
        self.tokens_used = 0
        self._budget_day = datetime.now(UTC).date()
        self._budget_lock = threading.Lock()
        self._flow_index: tuple[list[Record], int, dict[Any, list[Record]]] | None = None
        self._index_lock = threading.Lock()
        self._views: dict[tuple[Any, ...], tuple[LazyRecords, list[Any], list[Record]]] = {}
        self._lookups: tuple[tuple[tuple[int, int], ...], Lookups] | None = None
        super().__init__(dataset, faults=faults or Faults(rate_limit=80, rate_window=2.0), tls=tls,
                         port=port)

    def start(self) -> PipedriveServer:
        super().start()
        # Headers and body leave in separate writes; with Nagle's algorithm on, a keep-alive client
        # waits for its delayed ACK (about 40 ms) on every request.
        assert self._httpd is not None
        self._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        return self

    def __enter__(self) -> PipedriveServer:
        return self.start()

    # -- data ------------------------------------------------------------------------------------
    def objects(self, name: str) -> list[Record]:
        records: list[Record] = self.dataset.records.get("pipedrive", {}).get(name, [])
        return records

    def flow_of(self, deal_id: int) -> list[Record]:
        """The stored flow items of one deal, through an index rebuilt when the list changes.

        A sync asks for the flow of every changed deal; scanning the whole list each time would
        make large datasets slow. Flow items are only ever appended, so identity and length tell
        whether the index is current."""
        items = self.objects("dealFlow")
        with self._index_lock:
            cached = self._flow_index
            if cached is None or cached[0] is not items or cached[1] != len(items):
                index: dict[Any, list[Record]] = {}
                for item in items:
                    index.setdefault(item.get("deal_id"), []).append(item)
                cached = self._flow_index = (items, len(items), index)
            return cached[2].get(deal_id, [])

    def warm(self) -> dict[str, float]:
        """Build the deal-flow index and the lookups before the first client waits for them; seconds
        per part."""
        import time

        t0 = time.perf_counter()
        self.flow_of(-1)
        flow = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        self.lookups()
        return {"deal_flow_index": flow, "lookups": round(time.perf_counter() - t0, 2)}

    def lookups(self) -> Lookups:
        """Indexes of the related records. For a large company (read-only lazy lists) they are kept
        until a list they come from is swapped or changes length."""
        records = self.dataset.records.get("pipedrive", {})
        if not any(isinstance(v, LazyRecords) for v in records.values()):
            return Lookups.build(records)  # small companies: always current, even after in-place swaps
        stamp = tuple((id(records.get(n)), len(records.get(n) or ())) for n in LOOKUP_LISTS)
        with self._index_lock:
            if self._lookups is not None and self._lookups[0] == stamp:
                return self._lookups[1]
        built = Lookups.build(records)
        with self._index_lock:
            self._lookups = (stamp, built)
        return built

    def now(self) -> datetime:
        """The dataset's `as_of` when it has one (the sandbox company's today), else the clock."""
        as_of = parse_time(str(getattr(self.dataset, "meta", {}).get("as_of", "")))
        return as_of or datetime.now(UTC)

    def me(self) -> Record:
        """The user the token belongs to: `is_you`, else the first admin, else the first user."""
        users = self.objects("users")
        for test in (lambda u: u.get("is_you"), lambda u: u.get("is_admin"), lambda u: True):
            for user in users:
                if test(user):
                    return user
        return {"id": 1, "name": "Sandbox Admin", "email": "admin@sandbox.invalid", "active_flag": True,
                "is_admin": True}

    # -- routes ----------------------------------------------------------------------------------
    def register_routes(self) -> None:
        for obj in V2_OBJECTS:
            self.route("GET", f"/api/v2/{obj}", self._guard(self._v2_list_handler(obj)))
            self.route("GET", rf"/api/v2/{obj}/(?P<id>\d+)", self._guard(self._single_handler(obj, 2)))
        self.route("GET", rf"{V1}/deals", self._guard(self._v1_deals))
        self.route("GET", rf"{V1}/deals/(?P<id>\d+)/flow", self._guard(self._v1_deal_flow))
        for obj in ("persons", "organizations"):
            self.route("GET", rf"{V1}/{obj}", self._guard(self._v1_owned_list_handler(obj)))
        self.route("GET", rf"{V1}/activities", self._guard(self._v1_activities))
        self.route("GET", rf"{V1}/stages", self._guard(self._v1_stages))
        self.route("GET", rf"{V1}/pipelines", self._guard(self._v1_pipelines))
        for obj in FIELD_LISTS:
            self.route("GET", rf"{V1}/{obj}", self._guard(self._v1_fields_handler(obj)))
        self.route("GET", rf"{V1}/users", self._guard(self._v1_unpaged_handler("users")))
        self.route("GET", rf"{V1}/activityTypes", self._guard(self._v1_unpaged_handler("activityTypes")))
        self.route("GET", rf"{V1}/users/me", self._guard(self._v1_me))
        self.route("GET", rf"{V1}/recents", self._guard(self._v1_recents))
        for obj in (*V2_OBJECTS, "users", *FIELD_LISTS):
            self.route("GET", rf"{V1}/{obj}/(?P<id>\d+)", self._guard(self._single_handler(obj, 1)))

    def _guard(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Answer bad parameters with a 400 and read the dataset under its lock."""
        def guarded(request: Request) -> Response:
            try:
                with self.dataset.lock:
                    return handler(request)
            except BadParameter as exc:
                return Response(400, error_body(f"Validation failed: {exc}"))
        return guarded

    # -- v2 --------------------------------------------------------------------------------------
    def _v2_list_handler(self, obj: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            limit = listing.parse_limit(request.arg("limit"))
            since = listing.parse_rfc3339("updated_since", request.arg("updated_since"))
            until = listing.parse_rfc3339("updated_until", request.arg("updated_until"))
            sort_by = request.arg("sort_by") or "id"
            if sort_by not in listing.V2_SORT_FIELDS[obj]:
                raise BadParameter(f"sort_by: must be one of {', '.join(listing.V2_SORT_FIELDS[obj])}")
            direction = (request.arg("sort_direction") or "asc").lower()
            if direction not in ("asc", "desc"):
                raise BadParameter("sort_direction: must be asc or desc")
            keep = self._v2_filter(obj, request)
            records = self.objects(obj)
            if isinstance(records, LazyRecords):
                # a large company's lists are read-only: filter and sort once per query, then page
                keys, rows = self._sorted_view(obj, records, request, sort_by, lambda r: bool(
                    keep(r) and listing.in_window(r, since, until)))
                page = listing.v2_page_of_sorted(keys, rows, sort_by=sort_by, direction=direction, limit=limit,
                                                 cursor=request.arg("cursor"))
            else:
                rows = [r for r in records if keep(r) and listing.in_window(r, since, until)]
                page = listing.v2_page(rows, sort_by=sort_by, direction=direction, limit=limit,
                                       cursor=request.arg("cursor"))
            include = set(request.args("include_fields"))
            custom = set(request.args("custom_fields")) if "custom_fields" in request.query else None
            data = [listing.v2_view(r, obj, include, custom) for r in page.rows]
            return _ok({"success": True, "data": data,
                        "additional_data": {"next_cursor": page.next_cursor}})
        return handler

    def _sorted_view(self, obj: str, records: LazyRecords, request: Request, sort_by: str,
                     keep: Callable[[Record], bool]) -> tuple[list[Any], list[Record]]:
        """The filtered, sorted records of one query (every parameter but the page's), kept for the
        list object they came from; the few most recent queries are kept."""
        query = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in request.query.items()
                             if k not in ("cursor", "limit", "sort_direction", "api_token")))
        key = (obj, id(records), len(records), sort_by, query)
        with self._index_lock:
            view = self._views.get(key)
            if view is not None and view[0] is records:
                return view[1], view[2]
        keys, rows = listing.v2_sorted((r for r in records if keep(r)), sort_by)
        with self._index_lock:
            self._views[key] = (records, keys, rows)
            while len(self._views) > 16:
                self._views.pop(next(iter(self._views)))
        return keys, rows

    def _v2_filter(self, obj: str, request: Request) -> Callable[[Record], bool]:
        ids = _int_list(request, "ids")
        wanted = {name: _int_arg(request, name) for name in listing.V2_ID_FILTERS[obj]}
        wanted = {k: v for k, v in wanted.items() if v is not None}
        statuses: set[str] | None = None
        if obj == "deals":
            statuses = set(request.args("status")) or {"open", "won", "lost"}
            unknown = statuses - set(listing.DEAL_STATUSES)
            if unknown:
                raise BadParameter(f"status: unknown value(s) {sorted(unknown)}; use "
                                   f"{', '.join(listing.DEAL_STATUSES)}")
        done = request.arg("done") if obj == "activities" else None

        def keep(record: Record) -> bool:
            if ids is not None and record.get("id") not in ids:
                return False
            if any(record.get(k) != v for k, v in wanted.items()):
                return False
            if statuses is not None:
                status = "deleted" if is_deleted("deals", record) else record.get("status")
                if status not in statuses:
                    return False
            return done is None or bool(record.get("done")) == (done.lower() in ("1", "true"))
        return keep

    def _single_handler(self, obj: str, version: int) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            assert request.match is not None
            wanted = int(request.match.group("id"))
            for record in self.objects(obj):
                if record.get("id") == wanted:
                    data = dict(record) if version == 2 else to_v1(obj, record, self.lookups())
                    return _ok({"success": True, "data": data})
            return Response(404, error_body(f"{SINGULAR.get(obj, 'Item')} not found"))
        return handler

    # -- v1 lists --------------------------------------------------------------------------------
    def _v1_list(self, request: Request, obj: str, rows: list[Record], *,
                 related: bool = False) -> Response:
        """Sort, page and shape stored records as a v1 list answer."""
        rows = listing.v1_sorted(rows, request.arg("sort"))
        page, pagination = listing.v1_page(rows, listing.parse_start(request.arg("start")),
                                           listing.parse_limit(request.arg("limit")))
        lk = self.lookups()
        data = [to_v1(obj, r, lk) for r in page]
        body: Record = {"success": True, "data": data or None,
                        "additional_data": {"pagination": pagination}}
        if related:
            body["related_objects"] = related_objects(data, lk)
        return _ok(body)

    def _v1_deals(self, request: Request) -> Response:
        status = request.arg("status") or "all_not_deleted"
        allowed = (*listing.DEAL_STATUSES, "all_not_deleted")
        if status not in allowed:
            raise BadParameter(f"status: must be one of {', '.join(allowed)}")
        filters = {f: _int_arg(request, p) for p, f in (("user_id", "owner_id"), ("person_id", "person_id"),
                   ("org_id", "org_id"), ("stage_id", "stage_id"), ("pipeline_id", "pipeline_id"))}

        def keep(deal: Record) -> bool:
            actual = "deleted" if is_deleted("deals", deal) else deal.get("status")
            if status == "all_not_deleted" and actual == "deleted":
                return False
            if status != "all_not_deleted" and actual != status:
                return False
            return all(v is None or deal.get(f) == v for f, v in filters.items())
        return self._v1_list(request, "deals", [d for d in self.objects("deals") if keep(d)], related=True)

    def _v1_owned_list_handler(self, obj: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            owner = _int_arg(request, "user_id")
            first = (request.arg("first_char") or "").lower()
            rows = [r for r in self.objects(obj) if not is_deleted(obj, r)
                    and (owner is None or r.get("owner_id") == owner)
                    and str(r.get("name") or "").lower().startswith(first)]
            return self._v1_list(request, obj, rows, related=True)
        return handler

    def _v1_activities(self, request: Request) -> Response:
        # user_id omitted: the token's own activities; 0: everyone's.
        user_id = _int_arg(request, "user_id")
        owner = self.me().get("id") if user_id is None else (None if user_id == 0 else user_id)
        types = set(request.args("type"))
        done = request.arg("done")
        start_date, end_date = request.arg("start_date"), request.arg("end_date")

        def keep(a: Record) -> bool:
            if is_deleted("activities", a) or (owner is not None and a.get("owner_id") != owner):
                return False
            if types and a.get("type") not in types:
                return False
            if done not in (None, "") and bool(a.get("done")) != (done == "1"):
                return False
            due = str(a.get("due_date") or "")
            return not ((start_date and due < start_date) or (end_date and due > end_date))
        return self._v1_list(request, "activities", [a for a in self.objects("activities") if keep(a)],
                             related=True)

    def _v1_stages(self, request: Request) -> Response:
        pipeline = _int_arg(request, "pipeline_id")
        rows = [s for s in self.objects("stages") if not is_deleted("stages", s)
                and (pipeline is None or s.get("pipeline_id") == pipeline)]
        return self._v1_list(request, "stages", rows)

    def _v1_pipelines(self, request: Request) -> Response:
        rows = [p for p in self.objects("pipelines") if not is_deleted("pipelines", p)]
        return self._v1_list(request, "pipelines", rows)

    def _v1_fields_handler(self, obj: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            return self._v1_list(request, obj, list(self.objects(obj)))
        return handler

    def _v1_unpaged_handler(self, obj: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            data = [dict(r) for r in self.objects(obj)]
            return _ok({"success": True, "data": data or None})
        return handler

    def _v1_me(self, request: Request) -> Response:
        data = dict(self.me())
        data.update({"company_domain": self.company_domain, "company_name": f"{self.company_domain} (sandbox)",
                     "company_id": 1, "is_you": True})
        return _ok({"success": True, "data": data})

    # -- v1 deal flow and recents -----------------------------------------------------------------
    def _v1_deal_flow(self, request: Request) -> Response:
        assert request.match is not None
        deal_id = int(request.match.group("id"))
        items = self.flow_of(deal_id)
        if not items and not any(d.get("id") == deal_id for d in self.objects("deals")):
            return Response(404, error_body("Deal not found"))
        kinds = set(request.args("items"))
        items = [e for e in items if not kinds or e.get("object") in kinds]
        items.sort(key=lambda e: (str(e.get("timestamp") or ""), (e.get("data") or {}).get("id") or 0),
                   reverse=True)
        page, pagination = listing.v1_page(items, listing.parse_start(request.arg("start")),
                                           listing.parse_limit(request.arg("limit")))
        data = [{k: v for k, v in e.items() if k != "deal_id"} for e in page]
        return _ok({"success": True, "data": data or None, "additional_data": {"pagination": pagination}})

    def _v1_recents(self, request: Request) -> Response:
        raw = request.arg("since_timestamp")
        since = parse_time(raw) if raw else None
        if since is None:
            raise BadParameter("since_timestamp: required, format YYYY-MM-DD HH:MM:SS (UTC)")
        names = request.args("items") or list(RECENT_ITEMS)
        unknown = [n for n in names if n not in RECENT_ITEMS]
        if unknown:
            raise BadParameter(f"items: unknown item type(s) {unknown}")
        effective = max(since, self.now() - self.recents_window)
        found: list[tuple[datetime, str, Record]] = []
        for name in names:
            obj = RECENT_ITEMS[name]
            for record in self.objects(obj):
                moment = parse_time(record.get("update_time") or record.get("modified"))
                if moment is not None and moment >= effective:
                    found.append((moment, name, record))
        found.sort(key=lambda f: (f[0], f[1], listing.sort_key(f[2], "id")))
        page, pagination = listing.v1_page(found, listing.parse_start(request.arg("start")),
                                           listing.parse_limit(request.arg("limit")))
        lk = self.lookups()
        data = [{"item": name, "id": rec.get("id"), "data": to_v1(RECENT_ITEMS[name], rec, lk)}
                for _, name, rec in page]
        last = page[-1][0] if page else since
        return _ok({"success": True, "data": data or None, "additional_data": {
            "since_timestamp": since.strftime("%Y-%m-%d %H:%M:%S"),
            "last_timestamp_on_page": last.strftime("%Y-%m-%d %H:%M:%S"),
            "pagination": pagination}})

    # -- auth, limits, errors ----------------------------------------------------------------------
    def _token_of(self, request: Request) -> str | None:
        header = request.headers.get("x-api-token")
        if header:
            return header
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            return bearer[7:].strip()
        return request.arg("api_token")

    def reset_usage(self) -> None:
        """Start a new day: the daily token budget is whole again (the real one resets at midnight)."""
        with self._budget_lock:
            self.tokens_used = 0

    def authenticate(self, request: Request) -> Response | None:
        token = self._token_of(request)
        if token is None or not hmac.compare_digest(token.encode(), self.token.encode()):
            return Response(401, dict(UNAUTHORIZED_BODY), {"x-401-by-gw": "true"})
        cost = token_cost(request.path)
        with self._budget_lock:
            today = datetime.now(UTC).date()
            if today != self._budget_day:
                self._budget_day, self.tokens_used = today, 0
            budget = self.daily_token_budget
            if budget is not None and self.tokens_used + cost > budget:
                midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
                wait = math.ceil((midnight - datetime.now(UTC)).total_seconds())
                return Response(429, {"success": False, "error": "Daily API token budget exceeded",
                                      "errorCode": 429},
                                {"Retry-After": str(wait), "x-daily-ratelimit-token-remaining": "0"})
            self.tokens_used += cost
        return None

    def rate_limited_response(self, retry_after: float) -> Response:
        return Response(429, dict(RATE_LIMITED_BODY), {"Retry-After": str(max(1, math.ceil(retry_after)))})

    def server_error_response(self, status: int) -> Response:
        message = {500: "Internal server error", 502: "Bad gateway", 503: "Service unavailable"}
        body = error_body(message.get(status, "Server error"))
        body["errorCode"] = status
        return Response(status, body)

    def expired_session_response(self) -> Response:
        return Response(401, dict(UNAUTHORIZED_BODY), {"x-401-by-gw": "true"})

    def not_found(self, request: Request) -> Response:
        return Response(404, error_body("Unknown method ."))

    def decorate(self, request: Request, response: Response, remaining: int) -> None:
        limit = self.faults.rate_limit if self.faults.rate_limit is not None else NO_LIMIT_HEADER
        headers = response.headers
        headers.setdefault("x-ratelimit-limit", str(limit))
        headers.setdefault("x-ratelimit-remaining", str(max(0, min(remaining, limit))))
        reset = headers.get("Retry-After") if response.status == 429 else None
        headers.setdefault("x-ratelimit-reset", reset or str(max(1, math.ceil(self.faults.rate_window))))
        headers.setdefault("x-daily-requests-left", "10000")
        budget = self.daily_token_budget if self.daily_token_budget is not None else NO_LIMIT_HEADER
        with self._budget_lock:
            left = max(0, budget - self.tokens_used)
        headers.setdefault("x-daily-ratelimit-token-limit", str(budget))
        headers.setdefault("x-daily-ratelimit-token-remaining", str(left))

