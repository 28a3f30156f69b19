"""What an operator reads when a run fails: the message says what failed, where, and what to do, and
never describes something that is no longer happening ("retrying" after the last retry). Fast unit
checks of the message builders; the complete syncs behind them are in test_http_faults.py,
test_sessions.py and test_warehouse_faults.py."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from connectors.common.errors import AuthError, RateLimitError, TransientError
from connectors.common.http import ApiSession
from connectors.common.retry import call_with_retry
from connectors.runner import sync_crm, sync_files

RATES = "rate_date,currency,rate_to_corporate\n2026-01-01,USD,0.92\n"


@pytest.mark.parametrize("error", [
    TransientError("hubspot", "deals", "HTTP 503 INTERNAL_ERROR", "HubSpot had a server error; retrying"),
    RateLimitError("salesforce", "Account", "rate limited", "Waiting as the API asks", retry_after=0.0),
])
def test_the_error_raised_after_the_last_attempt_no_longer_says_it_is_retrying(error: Exception) -> None:
    calls: list[int] = []

    def fail() -> None:
        calls.append(1)
        raise error

    with pytest.raises(type(error)) as exc:
        call_with_retry(fail, source="x", max_attempts=3, sleep=lambda _s: None)
    text = str(exc.value)
    assert len(calls) == 3
    assert "retrying" not in text.lower() and "waiting" not in text.lower(), text
    assert "Gave up after 3 attempts" in text and "next sync" in text, text
    assert text.split(":")[0] in ("hubspot deals", "salesforce Account")  # still names source and object


class _Refuses(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "unauthorized access"}')

    def log_message(self, *_args: object) -> None:  # keep the test output quiet
        return


@pytest.fixture
def refusing_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Refuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_refused_token_names_the_variable_to_renew_without_the_token(refusing_server: str) -> None:
    session = ApiSession("pipedrive", refusing_server, headers={"x-api-token": "s3cr3t-token"},
                         secrets=["s3cr3t-token"], credential_variable="PIPEDRIVE_API_TOKEN")
    with pytest.raises(AuthError) as exc:
        session.get_json("api/v1/users/me", obj="users")
    text = str(exc.value)
    assert text.startswith("pipedrive users: 401 unauthorized access") and "PIPEDRIVE_API_TOKEN" in text, text
    assert "s3cr3t-token" not in text
    assert session.request_count == 1  # refused credentials are not retried


def test_a_warehouse_locked_by_another_program_is_a_failed_run_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "exchange_rates.csv").write_text(RATES)
    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = sync_files(folder, warehouse, tmp_path / "pipelines")  # reported, not raised
        # a run failing for another reason still says why it could not be recorded either
        unset = sync_crm("pipedrive", {}, warehouse, tmp_path / "pipelines")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert result.outcome == "failed"
    assert f"the warehouse {warehouse} is locked by another program" in result.message, result.message
    assert "Close that program" in result.message and "could not be recorded" in result.message, result.message
    assert unset.outcome == "failed" and unset.message.startswith("pipedrive: PIPEDRIVE_API_TOKEN is not set")
    assert "could not be recorded in ops.sync_runs either: pipedrive: sync failed: the warehouse" in unset.message
