"""The requests session under simple-salesforce: CA bundle, default timeout, request counting and
API-usage tracking from the `Sforce-Limit-Info` header of every response.

simple-salesforce builds every URL as `https://<host>/...` and always logs in at
`https://<domain>.salesforce.com`. `rewrite_to` (for local test servers only) sends the requests for
`*.salesforce.com` hosts to another base URL instead; nothing else about the calls changes.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

USAGE_RE = re.compile(r"(?:^|[^-])api-usage=(\d+)/(\d+)")
LOGIN_HOSTS = r"(^|\.)salesforce\.com$"


class SalesforceAdapter(HTTPAdapter):
    """An HTTPS adapter that counts requests and records the org's API usage.

    `verify` is applied to every request: requests otherwise lets `REQUESTS_CA_BUNDLE` from the process
    environment override the session's own setting."""

    def __init__(
        self,
        *,
        verify: bool | str = True,
        timeout: float = 120.0,
        rewrite_to: str | None = None,
        rewrite_hosts: str = LOGIN_HOSTS,
    ) -> None:
        super().__init__()
        self.verify = verify
        self.timeout = timeout
        self.rewrite_to = rewrite_to.rstrip("/") if rewrite_to else None
        self._rewrite_rx = re.compile(rewrite_hosts)
        self._lock = threading.Lock()
        self.request_count = 0
        self.usage: tuple[int, int] | None = None  # (used, daily limit) from the last response

    def _target(self, url: str) -> str:
        if not self.rewrite_to:
            return url
        parts = urlsplit(url)
        if not self._rewrite_rx.search(parts.hostname or ""):
            return url
        base = urlsplit(self.rewrite_to)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        request.url = self._target(request.url or "")
        with self._lock:
            self.request_count += 1
        response = super().send(
            request,
            stream=stream,
            timeout=timeout or self.timeout,
            verify=self.verify,
            cert=cert,
            proxies=proxies,
        )
        record_usage(self, response)
        return response


def record_usage(adapter: SalesforceAdapter, response: requests.Response) -> None:
    """Keep the latest `api-usage=used/limit` seen."""
    m = USAGE_RE.search(response.headers.get("Sforce-Limit-Info", ""))
    if m:
        with adapter._lock:
            adapter.usage = (int(m.group(1)), int(m.group(2)))


def build_session(
    *, verify: bool | str = True, timeout: float = 120.0, rewrite_to: str | None = None
) -> requests.Session:
    """A session with a `SalesforceAdapter` mounted for https (and http, for rewritten test servers)."""
    session = requests.Session()
    adapter = SalesforceAdapter(verify=verify, timeout=timeout, rewrite_to=rewrite_to)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.verify = verify
    return session


def adapter_of(session: requests.Session) -> SalesforceAdapter | None:
    """The SalesforceAdapter serving https in `session`, if one is mounted."""
    adapter = session.get_adapter("https://example.invalid/")
    return adapter if isinstance(adapter, SalesforceAdapter) else None
