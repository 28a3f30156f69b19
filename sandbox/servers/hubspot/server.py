"""`HubSpotServer`: the HubSpot CRM v3/v4 wire protocol over the records of a sandbox dataset.

Serves what hubspot-api-client 12 calls: object lists, reads, batch reads and search, owners, deal
pipelines, properties and v4 associations, with private-app Bearer auth, HubSpot's error envelope,
the app rate limit (the base `Faults` window), a separate per-second limit on search, a daily budget,
and the `X-HubSpot-RateLimit-*` headers.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.servers.common import CrmServer, Faults, Request, Response
from sandbox.servers.hubspot import catalogue
from sandbox.servers.hubspot.associations import Index, build_index, targets
from sandbox.servers.hubspot.records import SortedIndex, associations_of, page_by_id, shape
from sandbox.servers.hubspot.search import SearchError, matches, parse_sorts, sort_records, validate

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


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class HubSpotServer(CrmServer):
    """A local HubSpot: `HubSpotServer(dataset).start()`, then `HubSpot(access_token=DEFAULT_TOKEN,
    host=server.base_url)`.

    `search_cap` is the number of results one search query can page through (HubSpot: 10,000);
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
        super().__init__(
            dataset,
            faults=faults if faults is not None else Faults(rate_limit=190, rate_window=10.0),
            tls=tls,
            port=port,
        )

    def __enter__(self) -> HubSpotServer:
        self.start()
        return self

    # -- base-class hooks -------------------------------------------------------------------------
    def register_routes(self) -> None:
        obj = r"/crm/v3/objects/(?P<type>[^/]+)"
        self.route("GET", obj, self.list_objects)
        self.route("POST", obj + r"/batch/read", self.batch_read)
        self.route("POST", obj + r"/search", self.search)
        self.route("GET", obj + r"/(?P<id>[^/]+)", self.get_object)
        self.route("GET", r"/crm/v3/owners/?", self.list_owners)
        self.route("GET", r"/crm/v3/owners/(?P<id>[^/]+)", self.get_owner)
        self.route("GET", r"/crm/v3/pipelines/(?P<type>[^/]+)", self.list_pipelines)
        self.route("GET", r"/crm/v3/pipelines/(?P<type>[^/]+)/(?P<pid>[^/]+)", self.get_pipeline)
        self.route("GET", r"/crm/v3/pipelines/(?P<type>[^/]+)/(?P<pid>[^/]+)/stages", self.list_stages)
        self.route("GET", r"/crm/v3/properties/(?P<type>[^/]+)", self.list_properties)
        self.route("GET", r"/crm/v3/properties/(?P<type>[^/]+)/(?P<name>[^/]+)", self.get_property)
        self.route(
            "POST", r"/crm/v4/associations/(?P<from>[^/]+)/(?P<to>[^/]+)/batch/read", self.batch_associations
        )
        self.route(
            "GET",
            r"/crm/v4/objects/(?P<type>[^/]+)/(?P<id>[^/]+)/associations/(?P<to>[^/]+)",
            self.record_associations,
        )
        self.route("GET", r"/account-info/v3/details", self.account_details)

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
        headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after is not None else {}
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
        if not fresh and cached and cached[0] is records and cached[1] == len(records):
            return cached[2]
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
        # Lines removed, added or swapped in place change the sum of their identities.
        stamp = sum(map(id, lines))
        cached = self._associations
        if cached is None or cached[0] is not lines or cached[1] != len(lines) or cached[2] != stamp:
            cached = self._associations = (lines, len(lines), stamp, build_index(lines))
        return cached[3]

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

    # -- objects ----------------------------------------------------------------------------------
    def list_objects(self, request: Request) -> Response:
        object_type = self._object_type(request)
        if object_type is None:
            return self._bad_type(request)
        history = request.args("propertiesWithHistory")
        try:
            limit = min(self._int_arg(request, "limit", 10), 50 if history else 100)
        except ValueError as exc:
            return error(400, f"Invalid input JSON on line 1: limit: {exc}", "VALIDATION_ERROR")
        archived = request.flag("archived")
        properties = request.args("properties")
        to_types = [OBJECT_TYPE_IDS.get(t, t) for t in request.args("associations")]
        records = self._records(object_type)
        try:
            page, next_after = page_by_id(
                self._index,
                object_type,
                records,
                request.arg("after"),
                limit,
                lambda r: bool(r.get("archived", False)) == archived,
            )
        except ValueError as exc:
            return error(400, str(exc), "VALIDATION_ERROR")
        index = self._association_index() if to_types else {}
        results = [
            shape(
                object_type,
                r,
                properties=properties,
                defined=self._shaper(object_type, r),
                history=history,
                associations=associations_of(index, object_type, str(r["id"]), to_types),
            )
            for r in page
        ]
        body: dict[str, Any] = {"results": results}
        if next_after is not None:
            host = request.headers.get("host", "api.hubapi.com")
            link = f"{self.scheme}://{host}/crm/v3/objects/{object_type}?limit={limit}&after={next_after}"
            body["paging"] = {"next": {"after": next_after, "link": link}}
        return Response(200, body)

    def _find(self, object_type: str, record_id: str, id_property: str | None) -> dict[str, Any] | None:
        records = self._records(object_type)
        if not id_property or id_property == "hs_object_id":
            found = self._index.find(object_type, records, record_id)
            return dict(found) if found is not None else None
        for record in records:
            if str((record.get("properties") or {}).get(id_property)) == record_id:
                return record
        return None

    def get_object(self, request: Request) -> Response:
        object_type = self._object_type(request)
        if object_type is None:
            return self._bad_type(request)
        assert request.match is not None
        record = self._find(object_type, request.match.group("id"), request.arg("idProperty"))
        if record is None or bool(record.get("archived", False)) != request.flag("archived"):
            return error(404, "resource not found", "OBJECT_NOT_FOUND")
        to_types = [OBJECT_TYPE_IDS.get(t, t) for t in request.args("associations")]
        index = self._association_index() if to_types else {}
        return Response(
            200,
            shape(
                object_type,
                record,
                properties=request.args("properties"),
                defined=self._shaper(object_type, record),
                history=request.args("propertiesWithHistory"),
                associations=associations_of(index, object_type, str(record["id"]), to_types),
            ),
        )

    def batch_read(self, request: Request) -> Response:
        object_type = self._object_type(request)
        if object_type is None:
            return self._bad_type(request)
        body = request.json() or {}
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list):
            return error(400, "Invalid input JSON: 'inputs' must be a list of {id}", "VALIDATION_ERROR")
        if len(inputs) > 100:
            return error(400, f"Batch input of {len(inputs)} is over the limit of 100", "VALIDATION_ERROR")
        archived = request.flag("archived")
        id_property = body.get("idProperty")
        started = _now()
        results, missing = [], []
        for item in inputs:
            wanted = str((item or {}).get("id", ""))
            record = self._find(object_type, wanted, id_property)
            if record is None or bool(record.get("archived", False)) != archived:
                missing.append(wanted)
                continue
            results.append(
                shape(
                    object_type,
                    record,
                    properties=body.get("properties") or [],
                    defined=self._shaper(object_type, record),
                    history=body.get("propertiesWithHistory") or [],
                )
            )
        out: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": _now(),
        }
        if missing:
            out["numErrors"] = 1
            out["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {object_type[:-1].upper()} objects, they may be "
                    "deleted or not exist. Check that ids are valid.",
                    "context": {"ids": missing},
                }
            ]
            return Response(207, out)
        return Response(200, out)

    def search(self, request: Request) -> Response:
        object_type = self._object_type(request)
        if object_type is None:
            return self._bad_type(request)
        try:
            body = request.json() or {}
        except ValueError:
            return error(400, "Invalid input JSON: the body is not JSON", "VALIDATION_ERROR")
        if not isinstance(body, dict):
            return error(400, "Invalid input JSON: the body must be an object", "VALIDATION_ERROR")
        defs = self.properties_of(object_type)

        def kind(name: str) -> str:
            return "number" if name == "hs_object_id" else str(defs.get(name, {}).get("type", "string"))

        try:
            limit = int(body.get("limit", 10))
            after = int(body.get("after") or 0)
            if limit < 0 or limit > 200:
                raise SearchError(f"limit must be between 0 and 200, got {limit}")
            if after < 0 or after >= self.search_cap:
                raise SearchError(
                    f"after must be below {self.search_cap}; a search can page through at "
                    f"most {self.search_cap} results, narrow the filters to see more"
                )
            validate(body, kind)
            sorts = parse_sorts(body.get("sorts"))
        except (SearchError, ValueError, TypeError) as exc:
            return error(400, str(exc), "VALIDATION_ERROR")
        groups = body.get("filterGroups") or []
        query = str(body.get("query") or "").lower()
        hits = [
            r
            for r in self._records(object_type)
            if not r.get("archived", False)
            and matches(r, groups, kind)
            and (not query or any(query in str(v).lower() for v in (r.get("properties") or {}).values()))
        ]
        hits = sort_records(hits, sorts, kind)
        window = hits[after : after + limit]
        defaults = SEARCH_DEFAULTS.get(object_type)
        results = [
            shape(
                object_type,
                r,
                properties=body.get("properties") or None,
                defined=self._shaper(object_type, r),
                defaults=defaults,
            )
            for r in window
        ]
        out: dict[str, Any] = {"total": len(hits), "results": results}
        if after + limit < len(hits) and limit > 0:
            nxt = str(after + limit)
            out["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        return Response(200, out)

    # -- owners, pipelines, properties, account ---------------------------------------------------
    def list_owners(self, request: Request) -> Response:
        try:
            limit = min(self._int_arg(request, "limit", 100), 500)
        except ValueError as exc:
            return error(400, f"limit: {exc}", "VALIDATION_ERROR")
        archived = request.flag("archived")
        email = (request.arg("email") or "").lower()

        def keep(owner: Any) -> bool:
            return bool(owner.get("archived", False)) == archived and (
                not email or str(owner.get("email", "")).lower() == email
            )

        try:
            page, next_after = page_by_id(
                self._index, "owners", self._records("owners"), request.arg("after"), limit, keep
            )
        except ValueError as exc:
            return error(400, str(exc), "VALIDATION_ERROR")
        body: dict[str, Any] = {"results": [dict(o) for o in page]}
        if next_after is not None:
            body["paging"] = {"next": {"after": next_after, "link": f"?after={next_after}"}}
        return Response(200, body)

    def get_owner(self, request: Request) -> Response:
        assert request.match is not None
        wanted = request.match.group("id")
        for owner in self._records("owners"):
            if str(owner.get("id")) == wanted and bool(owner.get("archived", False)) == request.flag(
                "archived"
            ):
                return Response(200, dict(owner))
        return error(404, "resource not found", "OBJECT_NOT_FOUND")

    def _pipelines(self, request: Request) -> list[dict[str, Any]] | None:
        assert request.match is not None
        if request.match.group("type") not in ("deals", "0-3"):
            return None
        out = []
        for pipeline in self._records("pipelines_deals"):
            if pipeline.get("archived"):
                continue
            stages = [
                {
                    **stage,
                    "metadata": {
                        k: None if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
                        for k, v in (stage.get("metadata") or {}).items()
                    },
                }
                for stage in pipeline.get("stages") or []
            ]
            out.append({**pipeline, "stages": stages})
        return out

    def list_pipelines(self, request: Request) -> Response:
        pipelines = self._pipelines(request)
        if pipelines is None:
            return self._bad_type(request)
        return Response(200, {"results": pipelines})

    def get_pipeline(self, request: Request) -> Response:
        assert request.match is not None
        for pipeline in self._pipelines(request) or []:
            if str(pipeline.get("id")) == request.match.group("pid"):
                return Response(200, pipeline)
        return error(404, "resource not found", "OBJECT_NOT_FOUND")

    def list_stages(self, request: Request) -> Response:
        assert request.match is not None
        for pipeline in self._pipelines(request) or []:
            if str(pipeline.get("id")) == request.match.group("pid"):
                return Response(200, {"results": pipeline["stages"]})
        return error(404, "resource not found", "OBJECT_NOT_FOUND")

    def list_properties(self, request: Request) -> Response:
        object_type = self._object_type(request)
        if object_type is None:
            return self._bad_type(request)
        if request.flag("archived"):  # the sandbox never archives a property
            return Response(200, {"results": []})
        return Response(200, {"results": list(self.properties_of(object_type, fresh=True).values())})

    def get_property(self, request: Request) -> Response:
        object_type = self._object_type(request)
        if object_type is None:
            return self._bad_type(request)
        assert request.match is not None
        found = self.properties_of(object_type, fresh=True).get(request.match.group("name"))
        if found is None:
            return error(404, f"Unable to find property {request.match.group('name')}", "OBJECT_NOT_FOUND")
        return Response(200, found)

    def account_details(self, request: Request) -> Response:
        return Response(
            200,
            {
                "portalId": self.portal_id,
                "accountType": "STANDARD",
                "timeZone": "Etc/UTC",
                "companyCurrency": str(self.dataset.meta.get("currency", "USD")),
                "additionalCurrencies": [],
                "utcOffset": "+00:00",
                "utcOffsetMilliseconds": 0,
                "uiDomain": "app.hubspot.com",
                "dataHostingLocation": "na1",
            },
        )

    # -- associations v4 --------------------------------------------------------------------------
    def batch_associations(self, request: Request) -> Response:
        from_type = self._object_type(request, "from")
        to_type = self._object_type(request, "to")
        if from_type is None:
            return self._bad_type(request, "from")
        if to_type is None:
            return self._bad_type(request, "to")
        body = request.json() or {}
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list):
            return error(400, "Invalid input JSON: 'inputs' must be a list of {id}", "VALIDATION_ERROR")
        if len(inputs) > 1000:
            return error(400, f"Batch input of {len(inputs)} is over the limit of 1000", "VALIDATION_ERROR")
        index = self._association_index()
        started = _now()
        results, empty = [], []
        for item in inputs:
            from_id = str((item or {}).get("id", ""))
            found = targets(index, from_type, from_id, to_type)
            if not found:
                empty.append(from_id)
                continue
            results.append(
                {
                    "from": {"id": from_id},
                    "to": [
                        {
                            "toObjectId": int(to_id) if to_id.isdigit() else to_id,
                            "associationTypes": [
                                {"category": c, "typeId": t, "label": None} for c, t in kinds
                            ],
                        }
                        for to_id, kinds in found
                    ],
                }
            )
        out: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": _now(),
        }
        if not empty:
            return Response(200, out)
        out["numErrors"] = len(empty)
        out["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                "message": f"No {to_type[:-1]} is associated with {from_type[:-1]} {from_id}.",
                "context": {"fromObjectId": [from_id]},
            }
            for from_id in empty
        ]
        return Response(207, out)

    def record_associations(self, request: Request) -> Response:
        from_type = self._object_type(request)
        to_type = self._object_type(request, "to")
        if from_type is None:
            return self._bad_type(request)
        if to_type is None:
            return self._bad_type(request, "to")
        assert request.match is not None
        try:
            limit = min(self._int_arg(request, "limit", 500), 500)
            offset = int(request.arg("after") or 0)
        except ValueError as exc:
            return error(400, f"limit/after: {exc}", "VALIDATION_ERROR")
        found = targets(self._association_index(), from_type, request.match.group("id"), to_type)
        window = found[offset : offset + limit]
        body: dict[str, Any] = {
            "results": [
                {
                    "toObjectId": int(to_id) if to_id.isdigit() else to_id,
                    "associationTypes": [{"category": c, "typeId": t, "label": None} for c, t in kinds],
                }
                for to_id, kinds in window
            ]
        }
        if offset + limit < len(found):
            body["paging"] = {"next": {"after": str(offset + limit), "link": f"?after={offset + limit}"}}
        return Response(200, body)
