"""A requests session for REST APIs: status codes mapped to typed errors, retries, request counting,
pacing to the API's rate window, and secrets redacted from every message."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from typing import Any

import requests

from connectors.common.errors import AuthError, RateLimitError, RequestError, TransientError
from connectors.common.pacing import RatePacer
from connectors.common.retry import call_with_retry


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret value in `text` by `***`."""
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, "***")
    return text


def _retry_after(resp: requests.Response, reset_header: str | None) -> float | None:
    for name in ("Retry-After", reset_header):
        if name and resp.headers.get(name):
            try:
                return float(resp.headers[name])
            except ValueError:
                continue
    return None


class ApiSession:
    """GET/POST JSON with error mapping and retries; thread-safe (one session may serve several
    threads), with a request counter.
    `credential_variable`: the setting that holds the token, named in the hint of a 401/403;
    `pacer`: keeps the requests within the API's rate window (and learns it from the answers)."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        verify: bool | str = True,
        secrets: Iterable[str] = (),
        max_attempts: int = 8,
        reset_header: str | None = None,
        sleep: Callable[[float], None] | None = None,
        credential_variable: str | None = None,
        pacer: RatePacer | None = None,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        self.session.verify = verify
        self.default_params = dict(params or {})
        self.timeout = timeout
        self.secrets = [s for s in secrets if s]
        self.max_attempts = max_attempts
        self.reset_header = reset_header
        self.sleep = sleep
        # the setting an operator renews when the API refuses the credentials (named in the hint)
        self.credential_variable = credential_variable
        self.pacer = pacer
        self.request_count = 0
        self.retries = 0
        self.last_headers: Mapping[str, str] = {}
        self._lock = threading.Lock()

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"

    def _once(self, method: str, path: str, obj: str | None, **kwargs: Any) -> Any:
        with self._lock:
            self.request_count += 1
        url = self._url(path)
        params = {**self.default_params, **(kwargs.pop("params", None) or {})}
        pacer = self.pacer
        with pacer.slot() if pacer is not None else nullcontext() as ticket:
            try:
                resp = self.session.request(method, url, params=params, timeout=self.timeout, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise TransientError(self.source, obj, f"{type(exc).__name__} calling {self._safe(path)}",
                                     "The service did not answer; retrying") from None
            except requests.RequestException as exc:
                raise TransientError(self.source, obj, self._safe(str(exc))) from None
            if pacer is not None:
                pacer.observe(resp.headers, ticket)
        self.last_headers = resp.headers
        status = resp.status_code
        if status == 429:
            retry_after = _retry_after(resp, self.reset_header)
            if pacer is not None:  # the other threads wait too, instead of meeting 429s of their own
                pacer.hold(1.0 if retry_after is None else retry_after)
            raise RateLimitError(self.source, obj, "rate limited (429)",
                                 "Waiting as the API asks", retry_after=retry_after)
        if status >= 500:
            raise TransientError(self.source, obj, f"server error {status} on {self._safe(path)}")
        if status in (401, 403):
            raise AuthError(self.source, obj, f"{status} {self._body_message(resp)}", self._auth_hint(status))
        if status >= 400:
            raise RequestError(self.source, obj, f"{status} {self._body_message(resp)} on {self._safe(path)}")
        try:
            return resp.json()
        except (ValueError, json.JSONDecodeError):
            raise TransientError(self.source, obj, f"truncated or non-JSON body from {self._safe(path)}") from None

    def request(self, method: str, path: str, *, obj: str | None = None, **kwargs: Any) -> Any:
        def count_retry(exc: Exception, attempt: int, delay: float) -> None:
            with self._lock:
                self.retries += 1

        extra: dict[str, Any] = {"sleep": self.sleep} if self.sleep else {}
        return call_with_retry(lambda: self._once(method, path, obj, **kwargs), source=self.source, obj=obj,
                               max_attempts=self.max_attempts, on_retry=count_retry, **extra)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, *, obj: str | None = None) -> Any:
        return self.request("GET", path, obj=obj, params=dict(params or {}))

    def post_json(self, path: str, body: Any, *, obj: str | None = None) -> Any:
        return self.request("POST", path, obj=obj, json=body)

    def _auth_hint(self, status: int) -> str:
        """What to do about a 401/403, naming the variable that holds the token when it is known."""
        where = (f"{self.credential_variable} (in the environment or .env)" if self.credential_variable
                 else "the API token in the environment or .env")
        if status == 401:
            return (f"The token was refused: it is wrong, revoked or expired. Set a valid one in {where} "
                    "and run the sync again")
        return (f"The token was accepted but lacks permission for this object. Give its user the "
                f"permission, or set a token of a user who has it in {where}")

    def _safe(self, text: str) -> str:
        return redact(text, self.secrets)

    def _body_message(self, resp: requests.Response) -> str:
        try:
            body = resp.json()
        except ValueError:
            return self._safe(resp.text[:200])
        if isinstance(body, dict):
            return self._safe(str(body.get("error") or body.get("message") or body)[:300])
        if isinstance(body, list) and body and isinstance(body[0], dict):
            return self._safe(str(body[0].get("message") or body[0])[:300])
        return self._safe(str(body)[:300])
