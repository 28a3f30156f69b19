"""simple-salesforce and requests exceptions mapped to the connectors' typed errors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import requests
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceOperationError,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from connectors.common.errors import (
    AuthError,
    BudgetExhausted,
    ConfigError,
    ConnectorError,
    RateLimitError,
    RequestError,
    TransientError,
)
from connectors.common.http import redact
from connectors.salesforce.settings import SOURCE

TOKEN_HINT = (
    "The access token has expired or was revoked: get a new one (for example with "
    "`sf org display --target-org <alias>`) and set SALESFORCE_ACCESS_TOKEN, or configure a "
    "username/password, JWT or client-credentials login so the connector can renew sessions"
)


def _first_error(content: Any) -> tuple[str, str]:
    """(errorCode, message) of a Salesforce error body (a JSON array of errors)."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode", "")), str(content[0].get("message", ""))
    if isinstance(content, dict):
        return str(content.get("errorCode") or content.get("error") or ""), str(
            content.get("message") or content.get("error_description") or ""
        )
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    text = str(content or "")
    try:
        return _first_error(json.loads(text)) if text.strip().startswith(("[", "{")) else ("", text[:300])
    except ValueError:
        return "", text[:300]


def map_error(
    exc: BaseException, obj: str | None, *, direct_session: bool, secrets: Iterable[str] = ()
) -> ConnectorError:
    """The ConnectorError for an exception raised while talking to Salesforce."""
    secrets = list(secrets)

    def safe(text: str) -> str:
        return redact(text, secrets)

    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, SalesforceAuthenticationFailed):
        code = exc.code
        if isinstance(code, int) and (code >= 500 or code == 429):
            cls = RateLimitError if code == 429 else TransientError
            return cls(SOURCE, obj, f"the login endpoint answered HTTP {code}", "Retrying")
        return AuthError(
            SOURCE,
            obj,
            safe(f"login refused ({code}: {exc.message})"),
            "Check SALESFORCE_USERNAME, SALESFORCE_PASSWORD, SALESFORCE_SECURITY_TOKEN (or the "
            "consumer key, secret and private key) and SALESFORCE_DOMAIN (login, test or My Domain)",
        )
    if isinstance(exc, SalesforceError):
        code, message = _first_error(exc.content)
        status = exc.status
        detail = safe(f"HTTP {status} {code}: {message}".strip())
        if isinstance(exc, SalesforceExpiredSession):
            hint = TOKEN_HINT if direct_session else "Logging in again did not help; check the user's access"
            return AuthError(SOURCE, obj, f"session expired or invalid ({detail})", hint)
        if isinstance(exc, SalesforceRefusedRequest):
            if code == "REQUEST_LIMIT_EXCEEDED" and "TotalRequests" in message:
                return BudgetExhausted(
                    SOURCE,
                    obj,
                    "the org's daily API request limit is spent",
                    "The sync stops here and resumes from its cursor tomorrow or after the limit resets",
                )
            if code == "REQUEST_LIMIT_EXCEEDED":
                return RateLimitError(SOURCE, obj, f"concurrent request limit ({detail})", "Retrying")
            return AuthError(
                SOURCE,
                obj,
                f"access refused ({detail})",
                "Give the integration user API access and read permission on this object",
            )
        if isinstance(exc, (SalesforceMalformedRequest, SalesforceResourceNotFound)):
            return RequestError(
                SOURCE,
                obj,
                f"request refused ({detail})",
                "Check the object and field names against the org's describe",
            )
        if status == 429:
            return RateLimitError(SOURCE, obj, f"rate limited ({detail})", "Retrying")
        if status >= 500:
            return TransientError(SOURCE, obj, f"server error ({detail})", "Retrying")
        return RequestError(SOURCE, obj, f"unexpected answer ({detail})", "")
    if isinstance(exc, SalesforceOperationError):
        return RequestError(
            SOURCE,
            obj,
            safe(f"Bulk API job failed: {exc}"),
            "Check the query in the job's error message; the next sync retries it",
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return ConfigError(
            SOURCE,
            obj,
            safe(f"TLS verification failed ({exc})"),
            "Point SALESFORCE_CA_BUNDLE (or REQUESTS_CA_BUNDLE) at a CA bundle that signs the "
            "instance's certificate",
        )
    if isinstance(
        exc,
        (
            requests.Timeout,
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ),
    ):
        return TransientError(SOURCE, obj, f"{type(exc).__name__} talking to Salesforce", "Retrying")
    if isinstance(exc, (ValueError, KeyError)):
        # Truncated or non-JSON bodies, or a results page without its headers.
        return TransientError(
            SOURCE, obj, safe(f"unreadable response ({type(exc).__name__}: {exc})"), "Retrying"
        )
    if isinstance(exc, requests.RequestException):
        return TransientError(SOURCE, obj, safe(f"{type(exc).__name__}: {exc}"), "Retrying")
    return RequestError(SOURCE, obj, safe(f"unexpected error {type(exc).__name__}: {exc}"), "")
