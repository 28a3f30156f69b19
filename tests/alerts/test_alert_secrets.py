"""Secrets from the environment never reach ops.alert_events or the logs, even when an endpoint
echoes them back in an error or an operational alert quotes them."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest
from alert_fixtures import HOOK_AUTH, SLACK_SECRET, SMTP_PASSWORD, SMTP_USER, HttpReceiver, Warehouse, weeks

from revops.alerts import AlertsConfig, evaluate_and_send, send_ops_alert

WEEKS = weeks(date(2024, 1, 1), 13)
CRM_TOKEN = "pat-eu1-0c1b2d3e4f"


def everything_logged(warehouse: Warehouse) -> str:
    return "\n".join(str(v) for row in warehouse.alert_rows() for v in row.values())


def test_secrets_are_masked_in_the_alert_log_and_in_log_output(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    warehouse.add_series("win_rate_count", "week", "company", "all",
                         [(w, v, 80) for w, v in zip(WEEKS, [0.4, 0.41, 0.39] * 4 + [0.1], strict=True)])
    # both endpoints fail and echo the request path, which holds the Slack secret
    env = {**env, "TEST_SLACK_URL": http_receiver.url(f"/fail/{SLACK_SECRET}"),
           "TEST_HOOK_URL": http_receiver.url(f"/fail/{SLACK_SECRET}/hook"),
           "HUBSPOT_ACCESS_TOKEN": CRM_TOKEN}
    email = {**channels["email"], "port": 1, "username_env": "TEST_SMTP_USER",
             "password_env": "TEST_SMTP_PASS"}
    config = AlertsConfig.model_validate({"channels": {**channels, "email": email}, "rules": [
        {"kpi": "win_rate_count", "grain": "week", "kind": "drift",
         "channels": ["slack", "webhook", "email"]}]})

    [event] = evaluate_and_send(warehouse.con, config, as_of=WEEKS[-1] + timedelta(days=7), env=env)
    ops = send_ops_alert(warehouse.con, config, title="Sync failed: hubspot",
                         detail=f"401 for token {CRM_TOKEN} at {env['TEST_SLACK_URL']}", env=env)

    assert not event.sent and "HTTP 500" in (event.delivery_errors or "")
    assert "***" in (event.delivery_errors or "")  # the echoed path was there, and was masked
    assert "***" in ops.message
    stored, logged = everything_logged(warehouse), caplog.text
    assert "Sync failed: hubspot" in stored and "not delivered" in logged
    for secret in (SLACK_SECRET, HOOK_AUTH, SMTP_USER, SMTP_PASSWORD, CRM_TOKEN, env["TEST_SLACK_URL"]):
        assert secret not in stored
        assert secret not in logged


def test_secrets_in_url_encoded_form_are_masked_too(
        warehouse: Warehouse, channels: dict[str, Any], env: dict[str, str]) -> None:
    config = AlertsConfig.model_validate({"channels": channels})
    env = {**env, "TEST_HOOK_AUTH": "Bearer a/b+c=="}
    event = send_ops_alert(warehouse.con, config, title="Check failed",
                           detail="request to /x?auth=Bearer%20a%2Fb%2Bc%3D%3D was refused", env=env)
    assert "a%2Fb%2Bc" not in everything_logged(warehouse)
    assert "***" in event.message
