"""What each channel receives, and how delivery failures are recorded without stopping evaluation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from alert_fixtures import SMTP_PASSWORD, SMTP_USER, HttpReceiver, SmtpReceiver, Warehouse, weeks

from revops.alerts import AlertsConfig, evaluate_and_send, send_ops_alert

WEEKS = weeks(date(2024, 1, 1), 13)
AS_OF = WEEKS[-1] + timedelta(days=7)
CALM = [0.40, 0.41, 0.39, 0.42, 0.38, 0.40, 0.43, 0.37, 0.41, 0.39, 0.40, 0.42]


def load_drop(wh: Warehouse, scope_id: str = "emea") -> None:
    wh.add_series("win_rate_count", "week", "team", scope_id,
                  [(w, v, 80) for w, v in zip(WEEKS, [*CALM, 0.12], strict=True)])


def config(channels: dict[str, Any], names: list[str], **top: Any) -> AlertsConfig:
    return AlertsConfig.model_validate({"channels": channels, **top, "rules": [
        {"name": "win_rate", "kpi": "win_rate_count", "scope_type": "team", "grain": "week",
         "kind": "drift", "channels": names}]})


def test_slack_receives_block_kit_with_every_fact_of_the_alert(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_drop(warehouse)
    evaluate_and_send(warehouse.con, config(channels, ["slack"]), as_of=AS_OF, env=env)
    [payload] = http_receiver.bodies("/slack")
    header, *sections, context = payload["blocks"]
    assert header["text"]["text"] == "Unusual value: Win rate (deals), team emea, week starting 2024-03-25"
    facts = {f["text"].split("\n")[0].strip("*"): f["text"].split("\n", 1)[1]
             for s in sections if "fields" in s for f in s["fields"]}
    assert facts["Value"] == "12.0%"
    assert facts["Scope"] == "team emea"
    assert facts["Since"] == "week starting 2024-03-25"
    assert facts["Expected"].endswith("%") and " to " in facts["Expected"]
    assert facts["Score"].startswith("robust z -")
    assert {"KPI", "Target", "Gap"} <= facts.keys()
    sql = [s["text"]["text"] for s in sections if "text" in s]
    assert "from kpi.kpi_values" in sql[0] and "scope_id = 'emea'" in sql[0]
    assert "win_rate" in context["elements"][0]["text"]
    assert payload["text"].startswith("Unusual value")


def test_slack_plain_text_style_sends_only_text(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_drop(warehouse)
    channels = {**channels, "slack": {**channels["slack"], "style": "text"}}
    evaluate_and_send(warehouse.con, config(channels, ["slack"]), as_of=AS_OF, env=env)
    [payload] = http_receiver.bodies("/slack")
    assert set(payload) == {"text"}
    assert "Value: 12.0%" in payload["text"] and "Drill-down SQL" in payload["text"]


def test_webhook_receives_the_documented_payload_and_headers_from_the_environment(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_drop(warehouse)
    link = "https://bi.example.com/k/{kpi}?s={scope_type}:{scope_id}&p={period_start}"
    [event] = evaluate_and_send(warehouse.con, config(channels, ["webhook"], link_template=link),
                                as_of=AS_OF, env=env)
    [request] = [r for r in http_receiver.requests if r.path == "/hook"]
    assert request.headers["Authorization"] == env["TEST_HOOK_AUTH"]
    body = request.body
    assert body["schema"] == "revops.alert.v1"
    assert body["alert_id"] == event.alert_id
    assert (body["kind"], body["state"], body["kpi"]) == ("drift", "firing", "win_rate_count")
    assert body["scope"] == {"type": "team", "id": "emea"}
    assert body["value"] == pytest.approx(0.12)
    assert body["expected_range"]["low"] < 0.40 < body["expected_range"]["high"]
    assert body["score"] < -3.5
    assert (body["period_start"], body["since"]) == ("2024-03-25", "2024-03-25")
    assert body["link"] == "https://bi.example.com/k/win_rate_count?s=team:emea&p=2024-03-25"
    assert "kpi.kpi_values" in body["drilldown_sql"]


def test_email_has_a_text_and_an_html_part_for_every_recipient(
        warehouse: Warehouse, smtp_receiver: SmtpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_drop(warehouse)
    evaluate_and_send(warehouse.con, config(channels, ["email"]), as_of=AS_OF, env=env)
    [(envelope, message)] = smtp_receiver.messages
    assert envelope.rcpt_tos == ["revops@example.com", "leads@example.com"]
    assert message["Subject"].startswith("[RevOps] ALERT: Unusual value: Win rate (deals), team emea")
    parts = {p.get_content_type(): bytes(p.get_payload(decode=True)).decode() for p in message.walk()
             if not p.is_multipart()}
    assert "Value: 12.0%" in parts["text/plain"]
    assert "Since: week starting 2024-03-25" in parts["text/plain"]
    assert "select v.period_start" in parts["text/plain"]
    assert "<table>" in parts["text/html"] and "12.0%" in parts["text/html"]


def test_email_logs_in_with_credentials_from_the_environment(
        warehouse: Warehouse, smtp_receiver: SmtpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_drop(warehouse)
    email = {**channels["email"], "username_env": "TEST_SMTP_USER", "password_env": "TEST_SMTP_PASS"}
    [event] = evaluate_and_send(warehouse.con, config({"email": email}, ["email"]), as_of=AS_OF, env=env)
    assert event.sent
    assert smtp_receiver.logins == [(SMTP_USER, SMTP_PASSWORD)]
    assert len(smtp_receiver.messages) == 1


def test_one_failing_channel_is_recorded_and_the_others_still_deliver(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_drop(warehouse)
    env = {**env, "TEST_SLACK_URL": http_receiver.url("/fail/slack")}
    [event] = evaluate_and_send(warehouse.con, config(channels, ["slack", "webhook"]), as_of=AS_OF,
                                env=env)
    assert event.sent
    assert event.delivery_errors is not None and event.delivery_errors.startswith("slack: HTTP 500")
    assert len(http_receiver.bodies("/hook")) == 1
    assert warehouse.alert_rows()[0]["delivery_errors"] == event.delivery_errors


def test_an_alert_no_channel_accepted_is_sent_again_at_the_next_evaluation(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_drop(warehouse)
    rules = config(channels, ["slack", "email"])
    broken = {k: v for k, v in env.items() if k != "TEST_SLACK_URL"}
    smtp_down = {**channels, "email": {**channels["email"], "port": 1}}
    [failed] = evaluate_and_send(warehouse.con, config(smtp_down, ["slack", "email"]), as_of=AS_OF,
                                 env=broken)
    assert (failed.state, failed.sent) == ("firing", False)
    assert "environment variable TEST_SLACK_URL is not set" in (failed.delivery_errors or "")
    assert "email:" in (failed.delivery_errors or "")

    [retried] = evaluate_and_send(warehouse.con, rules, as_of=AS_OF, env=env)
    assert (retried.state, retried.sent) == ("firing", True)
    assert len(http_receiver.bodies("/slack")) == 1


def test_the_drilldown_sql_runs_against_the_warehouse(
        warehouse: Warehouse, channels: dict[str, Any], env: dict[str, str]) -> None:
    load_drop(warehouse)
    warehouse.con.execute(
        "create schema marts; create table marts.fct_deals (deal_id varchar, deal_name varchar, "
        "owner_email varchar, team varchar, segment varchar, stage varchar, status varchar, "
        "amount_corporate double, created_date date, closed_date date, source varchar, "
        "owner_rep_id varchar);"
        "insert into marts.fct_deals values ('sf:1', 'Acme', 'a@x.com', 'emea', 'smb', 'closed_lost', "
        "'lost', 100, date '2024-02-01', date '2024-03-26', 'salesforce', 'r1'),"
        "('sf:2', 'Beta', 'b@x.com', 'emea', 'smb', 'closed_won', 'won', 50, date '2024-02-01', "
        "date '2024-04-02', 'salesforce', 'r2')")
    [event] = evaluate_and_send(warehouse.con, config(channels, ["webhook"]), as_of=AS_OF, env=env)
    history, records = (event.drilldown_sql or "").split(";\n\n")
    rows = warehouse.con.execute(history).fetchall()
    assert rows[0][0] == date(2024, 3, 25) and rows[0][2] == pytest.approx(0.12)
    assert warehouse.con.execute(records.rstrip(";")).fetchall()[0][0] == "sf:1"  # closed in the week


def test_ops_alerts_go_to_every_channel_and_into_the_same_log(
        warehouse: Warehouse, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver,
        channels: dict[str, Any], env: dict[str, str]) -> None:
    cfg = AlertsConfig.model_validate({"channels": channels})
    event = send_ops_alert(warehouse.con, cfg, title="Sync failed: hubspot deals",
                           detail="HTTP 502 from the HubSpot API after 5 retries", env=env)
    assert (event.kind, event.state, event.sent, event.channels) == (
        "ops", "firing", True, ("slack", "email", "webhook"))
    assert http_receiver.bodies("/slack")[0]["text"].startswith("Sync failed: hubspot deals")
    assert http_receiver.bodies("/hook")[0]["kind"] == "ops"
    assert smtp_receiver.messages[0][1]["Subject"] == "[RevOps] ALERT: Sync failed: hubspot deals"
    [row] = warehouse.alert_rows()
    assert (row["kind"], row["rule"], row["sent"]) == ("ops", "ops", True)
    assert "HTTP 502" in row["message"]


def test_ops_alerts_without_any_channel_are_still_recorded(warehouse: Warehouse) -> None:
    event = send_ops_alert(warehouse.con, AlertsConfig.model_validate({}), title="Check failed", detail="x", env={})
    assert not event.sent and event.suppressed_reason == "no alert channel to send to: recorded only"
    assert len(warehouse.alert_rows()) == 1
