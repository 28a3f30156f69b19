"""What the three CRM servers share: threading HTTP server, routing, TLS, rate limits and faults.

Each CRM server subclasses `CrmServer`, registers its routes and says how its API answers a
rate-limited request (`rate_limited_response`) and a server error (`server_error_response`).
"""

from __future__ import annotations

import json
import math
import random
import re
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    match: re.Match[str] | None = None

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """A list parameter sent repeated (`a=1&a=2`) or comma-separated (`a=1,2`)."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v != "")
        return out

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.arg(name)
        if value is None:
            return default
        return value.strip().lower() in ("1", "true", "yes")


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, default=str).encode("utf-8")


@dataclass
class Faults:
    """Fault injection and limits; change fields at any time, the server reads them per request.

    Probabilities are per request; `queue` holds faults to apply to the next requests in order
    (e.g. `["429"] * 20` for a 429 storm, `["500"] * 5` for a 5xx burst).
    Fault kinds: "429", "500", "502", "503", "timeout", "drop", "truncate", "expire_session".
    """

    latency: float = 0.0  # seconds added to every request
    rate_limit: int | None = None  # requests allowed per window (None: unlimited)
    rate_window: float = 10.0  # seconds
    error_rate: float = 0.0  # probability of a 5xx
    timeout_rate: float = 0.0  # probability of hanging for `timeout_seconds`
    timeout_seconds: float = 5.0
    drop_rate: float = 0.0  # probability of closing the connection without an answer
    truncate_rate: float = 0.0  # probability of cutting the body in half
    queue: deque[str] = field(default_factory=deque)
    seed: int = 0
    paths: str | None = None  # regex: apply random/queued faults only to matching paths

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._hits: deque[float] = deque()

    def inject(self, kind: str, count: int = 1) -> None:
        with self._lock:
            self.queue.extend([kind] * count)

    def next_fault(self, path: str) -> str | None:
        with self._lock:
            if self.paths and not re.search(self.paths, path):
                return None
            if self.queue:
                return self.queue.popleft()
            r = self._rng.random()
            for kind, p in (
                ("500", self.error_rate),
                ("timeout", self.timeout_rate),
                ("drop", self.drop_rate),
                ("truncate", self.truncate_rate),
            ):
                if r < p:
                    return kind
                r -= p
            return None

    def take_rate_token(self) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until a slot frees) under the sliding window."""
        if self.rate_limit is None:
            return True, 10**9, 0.0
        with self._lock:
            now = time.monotonic()
            while self._hits and now - self._hits[0] >= self.rate_window:
                self._hits.popleft()
            if len(self._hits) >= self.rate_limit:
                wait = self.rate_window - (now - self._hits[0])
                return False, 0, max(wait, 0.0)
            self._hits.append(now)
            return True, self.rate_limit - len(self._hits), 0.0


Handler = Callable[[Request], Response]


class CrmServer:
    """Base class: routes, a thread per connection, optional TLS, faults, request log."""

    name = "crm"

    def __init__(self, dataset: Any, *, faults: Faults | None = None, tls: tuple[Path, Path] | None = None,
                 port: int = 0) -> None:
        self.dataset = dataset
        self.faults = faults or Faults()
        self.tls = tls  # (certfile, keyfile)
        self.port = port
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.requests: list[tuple[str, str, int]] = []  # (method, path with query, status)
        self._log_lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.register_routes()

    # -- to override ---------------------------------------------------------------------------
    def register_routes(self) -> None:
        raise NotImplementedError

    def authenticate(self, request: Request) -> Response | None:
        """Return an error response when the request is not authenticated."""
        return None

    def rate_limited_response(self, retry_after: float) -> Response:
        return Response(429, {"error": "rate limited"}, {"Retry-After": str(max(1, math.ceil(retry_after)))})

    def server_error_response(self, status: int) -> Response:
        return Response(status, {"error": "server error"})

    def expired_session_response(self) -> Response:
        return Response(401, {"error": "session expired"})

    def decorate(self, request: Request, response: Response, remaining: int) -> None:
        """Add per-API headers (usage, rate-limit counters) to a response."""

    # -- routing ---------------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern + r"\Z"), handler))

    def dispatch(self, request: Request) -> Response:
        for method, pattern, handler in self.routes:
            m = pattern.match(request.path)
            if m and method == request.method:
                request.match = m
                return handler(request)
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": f"no route for {request.method} {request.path}"})

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"{self.scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    def request_count(self, pattern: str | None = None) -> int:
        with self._log_lock:
            if pattern is None:
                return len(self.requests)
            rx = re.compile(pattern)
            return sum(1 for _, p, _ in self.requests if rx.search(p))

    def start(self) -> CrmServer:
        server = self
        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each keep-alive response waits ~40 ms for the ACK

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                server._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        class _Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        httpd = _Server(("127.0.0.1", self.port), _Handler)
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{self.name}-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> CrmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one request -----------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        request = Request(
            method=h.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
        )
        if self.faults.latency:
            time.sleep(self.faults.latency)
        fault = self.faults.next_fault(request.path)
        if fault == "drop":
            self._log(request, h.path, 0)
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "timeout":
            time.sleep(self.faults.timeout_seconds)
        allowed, remaining, wait = self.faults.take_rate_token()
        if not allowed or fault == "429":
            response = self.rate_limited_response(wait or 1.0)
        elif fault in ("500", "502", "503"):
            response = self.server_error_response(int(fault))
        elif fault == "expire_session":
            response = self.expired_session_response()
        else:
            response = self.authenticate(request) or self._safe_dispatch(request)
        self.decorate(request, response, remaining)
        payload = response.encoded()
        self._log(request, h.path, response.status)
        try:
            h.send_response(response.status)
            h.send_header("Content-Type", response.content_type)
            for k, v in response.headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            if fault == "truncate" and len(payload) > 1:
                h.wfile.write(payload[: len(payload) // 2])
                h.wfile.flush()
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)
                return
            h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            h.close_connection = True

    def _safe_dispatch(self, request: Request) -> Response:
        try:
            return self.dispatch(request)
        except Exception as exc:  # a bug in the fake must show, not hang the client
            return Response(500, {"error": f"sandbox server error: {type(exc).__name__}: {exc}"})

    def _log(self, request: Request, raw_path: str, status: int) -> None:
        with self._log_lock:
            self.requests.append((request.method, raw_path, status))
