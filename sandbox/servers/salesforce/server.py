"""The sandbox Salesforce org: REST query/queryAll, describe, limits, Bulk API 2.0 query jobs,
SOAP and OAuth logins, API usage accounting, over TLS on 127.0.0.1.

simple-salesforce always speaks https, so start the server with a certificate from
`sandbox.servers.tls.ensure_tls_files` (see `SalesforceServer.with_local_tls`) and let clients trust
the CA through `REQUESTS_CA_BUNDLE` or `session.verify`.
"""

from __future__ import annotations

import itertools
import re
import socket
import threading
from collections import OrderedDict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from sandbox.servers.common import CrmServer, Faults, Request, Response
from sandbox.servers.salesforce import soql
from sandbox.servers.salesforce.auth import (
    SalesforceCredentials,
    SessionStore,
    bearer_token,
    oauth_token,
    soap_login,
)
from sandbox.servers.salesforce.bulk import BulkJobs, BulkQueryApi
from sandbox.servers.salesforce.errors import sf_error
from sandbox.servers.salesforce.evaluate import Plan, plan
from sandbox.servers.salesforce.schema import derive_fields, field_index, key_prefix, label_of, native
from sandbox.servers.tls import ensure_tls_files

API_VERSIONS = [f"{v}.0" for v in range(50, 63)]
_V = r"/services/data/v(?P<ver>\d+\.\d+)"
_MAX_CURSORS = 500


@dataclass
class _Cursor:
    sobject: str
    plan: Plan
    rows: list[dict[str, Any]]
    batch: int


class SalesforceServer(CrmServer):
    """Serves `dataset.records["salesforce"]` the way a Salesforce org answers simple-salesforce.

    Knobs (change at any time): `daily_limit` and `api_used` (the daily API budget),
    `describe_overrides`, `hidden_objects` (absent from the org), `unqueryable_objects` (listed but
    `queryable: false`), `default_batch_size` and `min_batch_size` for query pages,
    `bulk_polls_to_complete` and `bulk_fail_message` for Bulk API 2.0 jobs.
    """

    name = "salesforce"

    def __init__(
        self,
        dataset: Any,
        *,
        faults: Faults | None = None,
        tls: tuple[Path, Path] | None = None,
        port: int = 0,
        credentials: SalesforceCredentials | None = None,
        access_token: str | None = None,
        daily_limit: int = 15000,
        describe_overrides: dict[str, list[dict[str, Any]]] | None = None,
        hidden_objects: set[str] | None = None,
        unqueryable_objects: set[str] | None = None,
        bulk_polls_to_complete: int = 2,
    ) -> None:
        self._initial: dict[str, Any] = {
            "credentials": credentials or SalesforceCredentials(),
            "access_token": access_token,
            "daily_limit": daily_limit,
            "describe_overrides": describe_overrides,
            "hidden_objects": set(hidden_objects or ()),
            "unqueryable_objects": set(unqueryable_objects or ()),
            "bulk_polls_to_complete": bulk_polls_to_complete,
        }
        self._usage_lock = threading.Lock()
        self._cursor_ids = itertools.count(1)
        self.ca_cert: Path | None = None
        self.bulk = BulkQueryApi(self)
        self._configure()
        super().__init__(dataset, faults=faults, tls=tls, port=port)

    def _configure(self) -> None:
        init = self._initial
        self.credentials: SalesforceCredentials = init["credentials"]
        self.sessions = SessionStore(self.credentials.org_id, init["access_token"])
        if init["access_token"] is None:
            init["access_token"] = self.sessions.new_static_token()  # stable across resets
        self.daily_limit: int = init["daily_limit"]
        self.api_used = 0
        self.describe_overrides: dict[str, list[dict[str, Any]]] | None = init["describe_overrides"]
        self.hidden_objects: set[str] = set(init["hidden_objects"])
        self.unqueryable_objects: set[str] = set(init["unqueryable_objects"])
        self.default_batch_size = 2000
        self.min_batch_size = 200
        self.bulk_polls_to_complete: int = init["bulk_polls_to_complete"]
        self.bulk_fail_message: str | None = None
        self.bulk.jobs = BulkJobs()
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()

    def reset(self, dataset: Any = None, *, credentials: SalesforceCredentials | None = None) -> None:
        """Back to the state right after construction (sessions, usage, knobs, faults, request log),
        optionally serving another dataset or accepting other credentials; the server keeps running."""
        if credentials is not None:
            self._initial["credentials"] = credentials
        self._configure()
        self.faults = Faults()
        if dataset is not None:
            self.dataset = dataset
        with self._log_lock:
            self.requests.clear()

    @classmethod
    def with_local_tls(cls, dataset: Any, folder: Path, **kwargs: Any) -> SalesforceServer:
        """A server with a certificate for 127.0.0.1 signed by the local test CA kept in `folder`."""
        files = ensure_tls_files(folder)
        server = cls(dataset, tls=(files.server_cert, files.server_key), **kwargs)
        server.ca_cert = files.ca_cert
        return server

    # -- sessions and usage ------------------------------------------------------------------------
    @property
    def access_token(self) -> str | None:
        """The pre-configured token accepted as a session id (None once expired)."""
        return self.sessions.static_token

    def new_access_token(self) -> str:
        """Issue a fresh static access token (after `expire_sessions`)."""
        return self.sessions.new_static_token()

    def expire_sessions(self) -> None:
        """Invalidate every session id issued so far, and the static access token."""
        self.sessions.expire_all()

    def reset_usage(self) -> None:
        """Start a new day: no API requests used."""
        with self._usage_lock:
            self.api_used = 0

    # -- CrmServer hooks ---------------------------------------------------------------------------
    def register_routes(self) -> None:
        r = self.route
        r("GET", r"/services/data/?", self._versions)
        r("GET", _V + r"/?", self._resources)
        r("GET", _V + r"/limits/?", self._limits)
        r("GET", _V + r"/sobjects/?", self._describe_global)
        r("GET", _V + r"/sobjects/(?P<obj>\w+)/describe/?", self._describe)
        r("GET", _V + r"/sobjects/(?P<obj>\w+)/?", self._sobject)
        r("GET", _V + r"/sobjects/(?P<obj>\w+)/(?P<id>[A-Za-z0-9]{15,18})/?", self._record)
        r("GET", _V + r"/(?P<kind>query|queryAll)/?", self._query)
        r("GET", _V + r"/(?P<kind>query|queryAll)/(?P<cursor>\w+)-(?P<offset>\d+)/?", self._query_more)
        r("POST", _V + r"/jobs/query/?", self.bulk.create)
        r("GET", _V + r"/jobs/query/?", self.bulk.list_jobs)
        r("GET", _V + r"/jobs/query/(?P<job>\w+)/?", self.bulk.info)
        r("PATCH", _V + r"/jobs/query/(?P<job>\w+)/?", self.bulk.abort)
        r("DELETE", _V + r"/jobs/query/(?P<job>\w+)/?", self.bulk.delete)
        r("GET", _V + r"/jobs/query/(?P<job>\w+)/results/?", self.bulk.results)
        r("POST", r"/services/Soap/u/(?P<ver>\d+\.\d+)(?:/.*)?", self._soap_login)
        r("POST", r"/services/oauth2/token/?", self._oauth_token)

    def authenticate(self, request: Request) -> Response | None:
        """Data calls need a known API version and a valid session id, and spend one request of the
        daily budget (refused with REQUEST_LIMIT_EXCEEDED once it is spent)."""
        m = re.match(_V + r"(/|\Z)", request.path)
        if not m:
            return None
        if m.group("ver") not in API_VERSIONS:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        token = bearer_token(request)
        if not token or not self.sessions.valid(token):
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        with self._usage_lock:
            if self.api_used >= self.daily_limit:
                return sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            self.api_used += 1
        return None

    def rate_limited_response(self, retry_after: float) -> Response:
        response = sf_error(429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
        return response

    def server_error_response(self, status: int) -> Response:
        if status == 500:
            return sf_error(
                500,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact "
                "support: 0-0 (sandbox)",
            )
        return sf_error(status, "SERVER_UNAVAILABLE", "Server temporarily unavailable, try again later.")

    def expired_session_response(self) -> Response:
        """The `expire_session` fault: every session ends, as when an admin revokes them."""
        self.expire_sessions()
        return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def decorate(self, request: Request, response: Response, remaining: int) -> None:
        """`Sforce-Limit-Info: api-usage=used/limit` on every response."""
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_used}/{self.daily_limit}"

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        # The base handler writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
        # and the client's delayed ACK add about 40 ms to every response.
        try:
            h.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        super()._serve(h)

    def not_found(self, request: Request) -> Response:
        return sf_error(404, "NOT_FOUND", "The requested resource does not exist")

    # -- dataset access ----------------------------------------------------------------------------
    def objects(self) -> list[str]:
        """Objects the org has (present in the dataset and not hidden)."""
        with self.dataset.lock:
            names = list(self.dataset.records.get("salesforce", {}))
        return [n for n in names if not n.startswith("_") and n not in self.hidden_objects]

    def _canonical_object(self, name: str) -> str | None:
        return {o.lower(): o for o in self.objects()}.get(name.lower())

    def _records(self, sobject: str) -> list[dict[str, Any]]:
        with self.dataset.lock:
            return list(self.dataset.records.get("salesforce", {}).get(sobject, []))

    def _overrides(self, sobject: str) -> list[dict[str, Any]]:
        source = self.describe_overrides
        if source is None:
            source = getattr(self.dataset, "meta", {}).get("salesforce_describe") or {}
        return list(source.get(sobject, []))

    def fields(self, sobject: str) -> list[dict[str, Any]]:
        """Describe field entries of one object."""
        return derive_fields(self._records(sobject), self._overrides(sobject))

    def execute(self, query: soql.Query, include_deleted: bool) -> tuple[str, Plan, list[dict[str, Any]]]:
        """Run a parsed query: (canonical object name, checked plan, matching records)."""
        sobject = self._canonical_object(query.sobject)
        if sobject is None:
            raise soql.SoqlError(
                "INVALID_TYPE",
                f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom "
                "object, be sure to append the '__c' after the entity name. Please reference your WSDL or "
                "the describe call for the appropriate names.",
            )
        if sobject in self.unqueryable_objects:
            raise soql.SoqlError("INVALID_TYPE", f"entity type {sobject} does not support query")
        records = self._records(sobject)
        checked = plan(query, field_index(derive_fields(records, self._overrides(sobject))))
        return sobject, checked, checked.run(records, include_deleted)

    @staticmethod
    def _attributes(sobject: str, record_id: Any, ver: str) -> dict[str, str]:
        return {"type": sobject, "url": f"/services/data/v{ver}/sobjects/{sobject}/{record_id}"}

    # -- metadata handlers -------------------------------------------------------------------------
    def _versions(self, request: Request) -> Response:
        return Response(
            200, [{"label": f"API {v}", "url": f"/services/data/v{v}", "version": v} for v in API_VERSIONS]
        )

    def _resources(self, request: Request) -> Response:
        base = f"/services/data/v{request.match['ver']}"  # type: ignore[index]
        return Response(
            200, {name: f"{base}/{name}" for name in ("sobjects", "query", "queryAll", "limits", "jobs")}
        )

    def _limits(self, request: Request) -> Response:
        jobs = len(self.bulk.jobs.all())
        return Response(
            200,
            {
                "DailyApiRequests": {
                    "Max": self.daily_limit,
                    "Remaining": max(self.daily_limit - self.api_used, 0),
                },
                "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000 - jobs},
                "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            },
        )

    def _global_entry(self, sobject: str, ver: str) -> dict[str, Any]:
        base = f"/services/data/v{ver}/sobjects/{sobject}"
        queryable = sobject not in self.unqueryable_objects
        return {
            "name": sobject,
            "label": label_of(sobject),
            "labelPlural": label_of(sobject) + "s",
            "keyPrefix": key_prefix(sobject, self._records(sobject)),
            "custom": sobject.endswith("__c"),
            "queryable": queryable,
            "retrieveable": queryable,
            "replicateable": queryable,
            "searchable": queryable,
            "createable": True,
            "updateable": True,
            "deletable": True,
            "layoutable": True,
            "triggerable": True,
            "deprecatedAndHidden": False,
            "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        }

    def _describe_global(self, request: Request) -> Response:
        ver = request.match["ver"]  # type: ignore[index]
        return Response(
            200,
            {
                "encoding": "UTF-8",
                "maxBatchSize": 200,
                "sobjects": [self._global_entry(o, ver) for o in self.objects()],
            },
        )

    def _unknown_object(self, name: str) -> Response:
        return sf_error(
            404,
            "NOT_FOUND",
            f"The requested resource does not exist: sObject type '{name}' is not supported in this org",
        )

    def _describe(self, request: Request) -> Response:
        m = request.match
        assert m is not None
        sobject = self._canonical_object(m["obj"])
        if sobject is None:
            return self._unknown_object(m["obj"])
        body = self._global_entry(sobject, m["ver"])
        body.update({"fields": self.fields(sobject), "childRelationships": [], "recordTypeInfos": []})
        return Response(200, body)

    def _sobject(self, request: Request) -> Response:
        m = request.match
        assert m is not None
        sobject = self._canonical_object(m["obj"])
        if sobject is None:
            return self._unknown_object(m["obj"])
        return Response(200, {"objectDescribe": self._global_entry(sobject, m["ver"]), "recentItems": []})

    def _record(self, request: Request) -> Response:
        m = request.match
        assert m is not None
        sobject = self._canonical_object(m["obj"])
        if sobject is None:
            return self._unknown_object(m["obj"])
        for record in self._records(sobject):
            if record.get("Id") == m["id"]:
                if record.get("IsDeleted"):
                    return sf_error(404, "ENTITY_IS_DELETED", "entity is deleted")
                body = {k: native(v) for k, v in record.items()}
                return Response(
                    200, {"attributes": self._attributes(sobject, record["Id"], m["ver"]), **body}
                )
        return sf_error(404, "NOT_FOUND", "The requested resource does not exist")

    # -- REST query --------------------------------------------------------------------------------
    def _batch_size(self, request: Request, fallback: int) -> int:
        options = request.headers.get("sforce-query-options", "")
        m = re.search(r"batchSize\s*=\s*(\d+)", options)
        if not m:
            return fallback
        return min(max(int(m.group(1)), self.min_batch_size), 2000)

    def _query(self, request: Request) -> Response:
        m = request.match
        assert m is not None
        text = request.arg("q")
        try:
            query = soql.parse(text or "")
            sobject, checked, rows = self.execute(query, include_deleted=m["kind"] == "queryAll")
        except soql.SoqlError as exc:
            return sf_error(400, exc.code, exc.message)
        if query.count_only:
            return Response(200, {"totalSize": len(rows), "done": True, "records": []})
        if checked.count_field is not None:
            counted = sum(1 for r in rows if r.get(checked.count_field) is not None)
            alias = query.count.alias if query.count and query.count.alias else "expr0"
            return Response(
                200,
                {
                    "totalSize": 1,
                    "done": True,
                    "records": [{"attributes": {"type": "AggregateResult"}, alias: counted}],
                },
            )
        cursor = _Cursor(sobject, checked, rows, self._batch_size(request, self.default_batch_size))
        cursor_id = f"01g{next(self._cursor_ids):012d}AAA"
        with self._usage_lock:
            self._cursors[cursor_id] = cursor
            while len(self._cursors) > _MAX_CURSORS:
                self._cursors.popitem(last=False)
        return self._page(cursor, cursor_id, 0, cursor.batch, m["ver"], m["kind"])

    def _query_more(self, request: Request) -> Response:
        m = request.match
        assert m is not None
        with self._usage_lock:
            cursor = self._cursors.get(m["cursor"])
        offset = int(m["offset"])
        if cursor is None or offset > len(cursor.rows):
            return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(
            cursor, m["cursor"], offset, self._batch_size(request, cursor.batch), m["ver"], m["kind"]
        )

    def _page(
        self, cursor: _Cursor, cursor_id: str, offset: int, batch: int, ver: str, kind: str
    ) -> Response:
        chunk = cursor.rows[offset : offset + batch]
        records = [
            {"attributes": self._attributes(cursor.sobject, r.get("Id"), ver), **cursor.plan.project(r)}
            for r in chunk
        ]
        end = offset + len(chunk)
        body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": end >= len(cursor.rows)}
        if not body["done"]:
            body["nextRecordsUrl"] = f"/services/data/v{ver}/{kind}/{cursor_id}-{end}"
        body["records"] = records
        return Response(200, body)

    # -- logins ------------------------------------------------------------------------------------
    def _soap_login(self, request: Request) -> Response:
        assert request.match is not None
        return soap_login(request, self.credentials, self.sessions, self.base_url, request.match["ver"])

    def _oauth_token(self, request: Request) -> Response:
        return oauth_token(request, self.credentials, self.sessions, self.base_url)
