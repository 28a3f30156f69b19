"""Evaluate the alert rules, apply the alerting state machine, deliver, and log to ops.alert_events.

Per condition (rule, KPI, scope, kind):

    no open breach + breach      -> `firing`, sent to the rule's channels
    open breach    + breach      -> `ongoing`, not sent (suppressed_reason says why)
    open breach    + normal      -> `resolved`, sent once
    any            + not judged  -> `suppressed` row when the value would breach, else nothing;
                                    the state is unchanged either way

A breach counts as announced when at least one channel accepted it, or when it has no channel at
all (a record-only rule, or no channel configured); when every channel failed the row is kept with
`sent = false` and the next evaluation tries again. Secrets (every environment
variable the channels name, plus the usual token and password variables) are redacted from every
text that is stored or logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from urllib.parse import quote, urlsplit

import duckdb

from revops.alerts import log as alert_log
from revops.alerts import render
from revops.alerts.channels import DeliveryError, deliver
from revops.alerts.config import AlertRule, AlertsConfig
from revops.alerts.detect import Finding, find_drift, find_target, fiscal_start_month
from revops.alerts.drilldown import drilldown_sql, link
from revops.alerts.events import AlertEvent, State
from revops.alerts.log import OpenCondition
from revops.env import redact, secret_values

logger = logging.getLogger(__name__)

DRY_RUN_REASON = "dry run: nothing sent or recorded"
NO_CHANNEL_REASON = "no alert channel to send to: recorded only"
FAILED_REASON = "delivery failed on every channel; tried again at the next evaluation"


def _variants(secret: str) -> list[str]:
    """The secret, its URL-encoded form and, for a URL, the parts a server may echo on their own.

    An incoming-webhook URL is a secret as a whole, but an error page often quotes only its path
    (where Slack puts the token) or its query string, so those are masked too, and so is every
    token-like path segment (8 characters or more with a digit).
    """
    found = [secret, quote(secret, safe="")]
    url = urlsplit(secret)
    if url.scheme in ("http", "https") and url.netloc:
        tail = secret.split(url.netloc, 1)[1]
        found += [tail, url.query, url.password or ""]
        found += [seg for seg in url.path.split("/") if len(seg) >= 8 and any(c.isdigit() for c in seg)]
    return [v for v in found if len(v) > 1]


def redactor(config: AlertsConfig, env: Mapping[str, str]) -> Callable[[str], str]:
    """A function that masks every secret value of `env` (see `_variants` for the forms masked)."""
    values = [v for s in secret_values(env, extra=config.channels.secret_env_names()) for v in _variants(s)]
    return lambda text: redact(text, values)


def _scrub(event: AlertEvent, clean: Callable[[str], str]) -> AlertEvent:
    def opt(text: str | None) -> str | None:
        return clean(text) if text is not None else None

    return replace(event, title=clean(event.title), message=clean(event.message),
                   suppressed_reason=opt(event.suppressed_reason),
                   delivery_errors=opt(event.delivery_errors), link=opt(event.link))


def _event_for(finding: Finding, opened: OpenCondition | None, config: AlertsConfig) -> AlertEvent | None:
    """The event a finding produces given the condition's state, or None when nothing happens."""
    rule: AlertRule = finding.rule
    channels: tuple[str, ...] = ()
    reason: str | None = None
    since = finding.since
    if finding.status == "breach" and opened is None:
        state: State = "firing"
        channels = tuple(config.channels_for(rule))
        detail = finding.detail if rule.kind == "drift" else f"Target missed ({finding.detail})"
    elif finding.status == "breach" and opened is not None:
        state = "ongoing"
        reason = (f"already announced (alert {opened.alert_id}); the condition persists, so it is not "
                  "sent again")
        detail = finding.detail
    elif finding.status == "normal" and opened is not None:
        state = "resolved"
        channels = tuple(config.channels_for(rule))
        since = opened.since
        if rule.kind == "drift":
            detail = "Back within the expected range"
        elif finding.detail == "status green":
            detail = "Back on target (status green)"
        else:
            detail = f"No longer in the alerting band ({finding.detail})"
    elif finding.status == "suppressed":
        state = "suppressed"
        reason = finding.detail
        detail = f"Not alerted: {finding.detail}"
    else:
        return None
    event = AlertEvent(
        alert_id=uuid.uuid4().hex, rule=rule.name, kind=rule.kind, state=state, title="", message="",
        kpi=rule.kpi, scope_type=rule.scope_type, scope_id=finding.scope_id, grain=rule.grain,
        period_start=finding.period_start, unit=finding.unit, value=finding.value,
        expected_low=finding.expected_low, expected_high=finding.expected_high, score=finding.score,
        target=finding.target, gap=finding.gap, since=since,
        drilldown_sql=drilldown_sql(rule.kpi, rule.grain, rule.scope_type, finding.scope_id,
                                    finding.period_start),
        link=link(config.link_for(rule), rule=rule.name, kind=rule.kind, kpi=rule.kpi,
                  scope_type=rule.scope_type, scope_id=finding.scope_id, grain=rule.grain,
                  period_start=finding.period_start),
        channels=channels, suppressed_reason=reason,
    )
    event = replace(event, title=render.title(event))
    return replace(event, message=render.message(event, detail))


def _send(event: AlertEvent, config: AlertsConfig, env: Mapping[str, str],
          clean: Callable[[str], str]) -> AlertEvent:
    """Deliver to every channel of the event; failures are recorded, never raised."""
    if not event.channels:
        return replace(event, suppressed_reason=event.suppressed_reason or NO_CHANNEL_REASON)
    errors: list[str] = []
    for channel in event.channels:
        try:
            deliver(channel, config.channels, event, env)
            logger.info("alert %s (%s, %s) sent to %s", event.alert_id, event.rule, event.state, channel)
        except Exception as exc:  # noqa: BLE001 - one failing channel must not stop the others
            reason = clean(str(exc) if isinstance(exc, DeliveryError)
                           else f"{channel}: {type(exc).__name__}: {exc}")
            errors.append(reason)
            logger.warning("alert %s (%s) not delivered: %s", event.alert_id, event.rule, reason)
    sent = len(errors) < len(event.channels)
    return replace(
        event, sent=sent, delivery_errors="; ".join(errors) or None,
        suppressed_reason=None if sent else FAILED_REASON,
    )


def evaluate_and_send(con: duckdb.DuckDBPyConnection, config: AlertsConfig, *, as_of: date,
                      env: Mapping[str, str], dry_run: bool = False) -> list[AlertEvent]:
    """Evaluate every rule at `as_of`, send new breaches and recoveries, log every event.

    With `dry_run` nothing is sent and nothing is written: the events that would be produced are
    returned with `sent = false`, so a preview never changes the alerting state.
    """
    clean = redactor(config, env)
    if not dry_run:
        alert_log.ensure_table(con)
    opened = alert_log.open_conditions(con)
    needs_fiscal = any(r.seasonality == "quarter_position" for r in config.rules)
    fiscal = fiscal_start_month(con, config.fiscal_year_start_month) if needs_fiscal else None
    events: list[AlertEvent] = []
    for rule in config.rules:
        findings = (find_drift(con, rule, as_of, fiscal) if rule.kind == "drift"
                    else find_target(con, rule, as_of))
        for finding in findings:
            key = (rule.name, rule.kpi, rule.scope_type, finding.scope_id, rule.kind)
            event = _event_for(finding, opened.get(key), config)
            if event is None:
                continue
            event = _scrub(event, clean)
            if dry_run:
                events.append(replace(event, suppressed_reason=event.suppressed_reason or DRY_RUN_REASON))
                continue
            if event.state in ("firing", "resolved"):
                event = _send(event, config, env, clean)
            else:
                logger.info("alert %s (%s) %s: %s", event.alert_id, event.rule, event.state,
                            event.suppressed_reason)
            # logged one by one so that a crash later in the run cannot lose a delivered alert
            alert_log.append(con, [event])
            events.append(event)
    return events


def deliver_ops_alert(config: AlertsConfig, *, title: str, detail: str, env: Mapping[str, str]) -> AlertEvent:
    """Send an operational alert without touching the warehouse (which may be locked or broken: that
    can be why the run failed); the caller logs the returned event."""
    clean = redactor(config, env)
    event = AlertEvent(
        alert_id=uuid.uuid4().hex, rule="ops", kind="ops", state="firing", title=title,
        message=f"{title}\n{detail}".strip(), channels=tuple(config.ops_channel_names()),
    )
    return _send(_scrub(event, clean), config, env, clean)


def send_ops_alert(con: duckdb.DuckDBPyConnection, config: AlertsConfig, *, title: str, detail: str,
                   env: Mapping[str, str]) -> AlertEvent:
    """Send an operational alert (failed run, failed blocking check, stale source) and log it.

    It goes to `alerts.ops_channels` (default: every configured channel), is never de-duplicated,
    and is recorded in ops.alert_events with kind `ops`. Secrets in the title or detail are masked.
    """
    event = deliver_ops_alert(config, title=title, detail=detail, env=env)
    alert_log.ensure_table(con)
    alert_log.append(con, [event])
    return event
