"""Salesforce-shaped error responses: a JSON array of `{message, errorCode[, fields]}`."""

from __future__ import annotations

from typing import Any

from sandbox.servers.common import Response


def sf_error(status: int, code: str, message: str, fields: list[str] | None = None) -> Response:
    """A Salesforce REST error response."""
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return Response(status, [item])
