"""Metadata and association routes of the sandbox HubSpot server: owners, deal pipelines, properties,
account details and v4 associations."""

from __future__ import annotations

from typing import Any

from sandbox.servers.common import Request, Response
from sandbox.servers.hubspot.associations import targets
from sandbox.servers.hubspot.base import HubSpotBase, error, now
from sandbox.servers.hubspot.records import page_by_id


class MetadataRoutes(HubSpotBase):
    """Owners, pipelines, properties, account details and v4 associations."""

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
        started = now()
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
            "completedAt": now(),
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
