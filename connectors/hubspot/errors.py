"""Exceptions of hubspot-api-client and urllib3 mapped to the connector's typed errors.

401/403 are `AuthError` (not retried), 429 a `RateLimitError` carrying `Retry-After` (or the window the
policy names) unless the daily policy is spent (`BudgetExhausted`), 5xx and connection faults
`TransientError`, other refusals `RequestError`. Each sub-package of the library has its own
`ApiException`, so all the ones the client uses are listed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import urllib3
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.crm.pipelines.exceptions import ApiException as PipelinesApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException

from connectors.common.errors import (
    AuthError,
    BudgetExhausted,
    ConnectorError,
    RateLimitError,
    RequestError,
    TransientError,
)
from connectors.common.http import redact
from connectors.hubspot.settings import SOURCE

API_EXCEPTIONS: tuple[type[Exception], ...] = (
    ObjectsApiException,
    OwnersApiException,
    PipelinesApiException,
    PropertiesApiException,
    AssociationsApiException,
)
INTERVAL_MS = "x-hubspot-ratelimit-interval-milliseconds"


def header(headers: Any, name: str) -> str | None:
    """A response header by lower-case name, from whatever mapping the library hands over."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if str(key).lower() == name:
            return str(value)
    return None


def _body(exc: Exception) -> dict[str, Any]:
    raw = getattr(exc, "body", None)
    try:
        parsed = json.loads(raw) if raw else {}
    except (ValueError, TypeError):
        return {"message": str(raw)[:300]}
    return parsed if isinstance(parsed, dict) else {"message": str(parsed)[:300]}


def map_error(exc: Exception, obj: str | None, *, secrets: Sequence[str], host: str) -> ConnectorError:
    """The connector error for an exception of hubspot-api-client or urllib3 (secrets redacted)."""
    if isinstance(exc, API_EXCEPTIONS):
        status = int(getattr(exc, "status", 0) or 0)
        body = _body(exc)
        message = redact(str(body.get("message") or getattr(exc, "reason", "") or "no message"), secrets)
        category = body.get("category") or body.get("errorType") or ""
        text = f"HTTP {status} {category}: {message}".replace(" : ", ": ")
        if status == 429:
            return _rate_limited(exc, body, obj, text)
        if status == 401:
            return AuthError(
                SOURCE,
                obj,
                text,
                "Check HUBSPOT_ACCESS_TOKEN: it must be the access token of "
                "an active private app of this HubSpot account",
            )
        if status == 403:
            return AuthError(
                SOURCE,
                obj,
                text,
                "Give the private app the read scope for this object "
                "(e.g. crm.objects.deals.read, crm.objects.owners.read) and copy the new token",
            )
        if status >= 500:
            return TransientError(SOURCE, obj, text, "HubSpot had a server error; retrying")
        if status == 0:
            return RequestError(
                SOURCE,
                obj,
                redact(str(getattr(exc, "reason", exc)), secrets)[:300],
                "Check HUBSPOT_API_BASE_URL and the TLS certificates trusted by Python",
            )
        return RequestError(SOURCE, obj, text, "This request was refused; report it with the message above")
    if isinstance(exc, urllib3.exceptions.MaxRetryError):
        return TransientError(
            SOURCE,
            obj,
            f"no answer from {host} ({type(exc.reason).__name__})",
            "Retrying; check the network and HUBSPOT_API_BASE_URL if it persists",
        )
    if isinstance(exc, urllib3.exceptions.HTTPError | OSError):
        return TransientError(
            SOURCE,
            obj,
            f"connection problem with {host} ({type(exc).__name__})",
            "Retrying; check the network and HUBSPOT_API_BASE_URL if it persists",
        )
    return RequestError(
        SOURCE,
        obj,
        redact(f"{type(exc).__name__}: {exc}", secrets)[:300],
        "Unexpected client error; report it with the message above",
    )


def _rate_limited(exc: Exception, body: dict[str, Any], obj: str | None, text: str) -> ConnectorError:
    headers = getattr(exc, "headers", None)
    policy = str(body.get("policyName") or "")
    if policy == "DAILY":
        return BudgetExhausted(
            SOURCE,
            obj,
            "HubSpot's daily API limit is spent (429, policy DAILY)",
            "The sync stopped after landing what it had fetched and resumes from its cursors after midnight "
            "in the account's time zone",
        )
    retry_after: float | None = None
    raw = header(headers, "retry-after")
    if raw is not None:
        try:
            retry_after = float(raw)
        except ValueError:
            retry_after = None
    if retry_after is None:  # no Retry-After: wait out the window the policy names
        interval = header(headers, INTERVAL_MS)
        retry_after = 1.0 if policy == "SECONDLY" else (float(interval) / 1000 if interval else 10.0)
    return RateLimitError(SOURCE, obj, text, "Waiting as HubSpot asks", retry_after=retry_after)
