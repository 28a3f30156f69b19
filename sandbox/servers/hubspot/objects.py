"""Object routes of the sandbox HubSpot server: lists, single reads, batch reads and search."""

from __future__ import annotations

from typing import Any

from sandbox.servers.common import Request, Response
from sandbox.servers.hubspot.base import OBJECT_TYPE_IDS, SEARCH_DEFAULTS, HubSpotBase, error, now
from sandbox.servers.hubspot.records import associations_of, page_by_id, shape
from sandbox.servers.hubspot.search import SearchError, matches, parse_sorts, sort_records, validate


class ObjectRoutes(HubSpotBase):
    """`/crm/v3/objects/{type}` and its batch read and search."""

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
        started = now()
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
            "completedAt": now(),
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

        def find() -> list[dict[str, Any]]:
            hits = [
                r
                for r in self._records(object_type)
                if not r.get("archived", False)
                and matches(r, groups, kind)
                and (not query or any(query in str(v).lower() for v in (r.get("properties") or {}).values()))
            ]
            return sort_records(hits, sorts, kind)

        hits = self._search_hits(object_type, body, find)
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
