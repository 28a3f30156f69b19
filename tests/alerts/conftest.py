"""Fixtures for the alert tests: a temporary warehouse, and real local receivers on 127.0.0.1 (an
HTTP server for Slack and webhook payloads, an SMTP server for e-mail)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from alert_fixtures import (
    HOOK_AUTH,
    SLACK_SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    HttpReceiver,
    Received,
    SmtpReceiver,
    Warehouse,
)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    wh = Warehouse(tmp_path / "warehouse.duckdb")
    yield wh
    wh.con.close()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(base_url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            with lock:
                receiver.requests.append(
                    Received(self.path, dict(self.headers.items()), json.loads(raw or b"null")))
            failing = self.path.startswith("/fail")
            reply = (f"no such hook {self.path}" if failing else "ok").encode()
            self.send_response(500 if failing else 200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver("127.0.0.1", _free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Session,  # noqa: N802 - aiosmtpd's naming
                              envelope: Envelope) -> str:
            receiver.messages.append((envelope, message_from_bytes(envelope.original_content or b"")))
            return "250 Message accepted"

    def authenticator(server: Any, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            receiver.logins.append((user, password))
            return AuthResult(success=(user, password) == (SMTP_USER, SMTP_PASSWORD))
        return AuthResult(success=False)

    controller = Controller(Handler(), hostname=receiver.host, port=receiver.port,
                            authenticator=authenticator, auth_require_tls=False)
    controller.start()
    yield receiver
    controller.stop()


@pytest.fixture
def env(http_receiver: HttpReceiver) -> dict[str, str]:
    """Channel secrets as the environment would hold them (names are not the usual secret names, so
    redaction must come from the configuration)."""
    return {
        "TEST_SLACK_URL": http_receiver.url(f"/slack/{SLACK_SECRET}"),
        "TEST_HOOK_URL": http_receiver.url("/hook"),
        "TEST_HOOK_AUTH": HOOK_AUTH,
        "TEST_SMTP_USER": SMTP_USER,
        "TEST_SMTP_PASS": SMTP_PASSWORD,
    }


@pytest.fixture
def channels(smtp_receiver: SmtpReceiver) -> dict[str, Any]:
    """The `alerts.channels` section pointing at the local receivers."""
    return {
        "slack": {"webhook_url_env": "TEST_SLACK_URL"},
        "webhook": {"url_env": "TEST_HOOK_URL", "headers_env": {"Authorization": "TEST_HOOK_AUTH"}},
        "email": {"host": smtp_receiver.host, "port": smtp_receiver.port, "from": "alerts@example.com",
                  "to": ["revops@example.com", "leads@example.com"]},
    }
