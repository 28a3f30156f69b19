"""How an alert reads: titles, the plain-text message, the HTML e-mail, the Slack and webhook payloads.

JSON webhook payload (`schema: revops.alert.v1`), one POST per event:

    {"schema": "revops.alert.v1", "alert_id": "…", "rule": "…", "kind": "drift|target|ops",
     "state": "firing|resolved", "title": "…", "message": "…", "kpi": "…",
     "scope": {"type": "team", "id": "emea"}, "grain": "week", "period_start": "2024-06-03",
     "value": 0.15, "unit": "ratio", "expected_range": {"low": 0.36, "high": 0.44}, "score": -5.1,
     "target": 0.4, "gap": -0.25, "since": "2024-06-03", "drilldown_sql": "…", "link": "…",
     "created_at": "2024-06-10T07:00:00"}

Dates are ISO strings, numbers are JSON numbers or null; for kind `ops` the KPI fields are null.
"""

from __future__ import annotations

import html
from typing import Any

from revops.alerts.events import AlertEvent
from revops.kpis import CATALOGUE

SLACK_TEXT_LIMIT = 2900  # Slack rejects section texts over 3000 characters


def label(kpi: str | None) -> str:
    if kpi is None:
        return ""
    entry = CATALOGUE.get(kpi)
    return entry.label if entry else kpi


def fmt(value: float | None, unit: str | None, kpi: str | None = None, signed: bool = False) -> str:
    """A value in the KPI's unit, for people (ratios as percentages, coverage as a multiple)."""
    if value is None:
        return "n/a"
    sign = "+" if signed and value > 0 else ""
    if kpi == "pipeline_coverage":
        return f"{sign}{value:.2f}×"
    if unit == "ratio":
        return f"{sign}{value * 100:.1f}%"
    if unit == "currency":
        return f"{sign}{value:,.0f}"
    if unit == "days":
        return f"{sign}{value:.1f} days"
    if unit == "count" and float(value).is_integer():
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:,.4g}"


def title(event: AlertEvent) -> str:
    """One line naming the state, the KPI, the scope and the period."""
    what = {"drift": "Unusual value", "target": "Target missed"}.get(event.kind, event.kind)
    if event.state == "resolved":
        what = "Recovered"
    return (f"{what}: {label(event.kpi)}, {event.scope_label}, "
            f"{event.grain} starting {event.period_start}")


def expected_range(event: AlertEvent) -> str:
    low, high = event.expected_low, event.expected_high
    if low is None and high is None:
        return "n/a"
    if high is None:
        return f"at least {fmt(low, event.unit, event.kpi)}"
    if low is None:
        return f"at most {fmt(high, event.unit, event.kpi)}"
    return f"{fmt(low, event.unit, event.kpi)} to {fmt(high, event.unit, event.kpi)}"


def score_text(event: AlertEvent) -> str:
    if event.score is None:
        return "n/a"
    if event.kind == "target":
        return f"{event.score * 100:.0f}% of target"
    return f"robust z {event.score:+.2f}"


def facts(event: AlertEvent) -> list[tuple[str, str]]:
    """The alert's facts as (label, text) pairs, in reading order."""
    if event.kind == "ops":
        return []
    rows = [
        ("KPI", f"{label(event.kpi)} ({event.kpi})"),
        ("Scope", event.scope_label),
        ("Period", f"{event.grain} starting {event.period_start}"),
        ("Value", fmt(event.value, event.unit, event.kpi)),
        ("Expected", expected_range(event)),
        ("Score", score_text(event)),
        ("Target", fmt(event.target, event.unit, event.kpi)),
        ("Gap", fmt(event.gap, event.unit, event.kpi, signed=True)),
        ("Since", f"{event.grain} starting {event.since}" if event.since else "n/a"),
    ]
    if event.link:
        rows.append(("Drill down", event.link))
    return rows


def message(event: AlertEvent, detail: str = "") -> str:
    """The plain-text message stored in ops.alert_events and sent as the e-mail's text part."""
    lines = [event.title]
    if detail:
        lines.append(detail)
    lines += [f"{name}: {text}" for name, text in facts(event)]
    return "\n".join(lines)


def text_body(event: AlertEvent) -> str:
    body = event.message
    if event.drilldown_sql:
        body += "\n\nDrill-down SQL:\n" + event.drilldown_sql
    return body + f"\n\nRule {event.rule}, alert {event.alert_id}\n"


def html_body(event: AlertEvent) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><th align='left'>{esc(n)}</th><td>{esc(t)}</td></tr>" for n, t in facts(event)
    )
    parts = [f"<h3>{esc(event.title)}</h3>"]
    if event.kind == "ops" or not rows:
        parts.append(f"<pre>{esc(event.message)}</pre>")
    else:
        parts.append(f"<table>{rows}</table>")
    if event.drilldown_sql:
        parts.append(f"<p>Drill-down SQL:</p><pre>{esc(event.drilldown_sql)}</pre>")
    parts.append(f"<p><small>Rule {esc(event.rule)}, alert {esc(event.alert_id)}</small></p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def _clip(text: str, limit: int = SLACK_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(event: AlertEvent, style: str = "blocks") -> dict[str, Any]:
    """An incoming-webhook payload: Block Kit with a text fallback, or plain text only."""
    if style == "text":
        return {"text": _clip(text_body(event), 3900)}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(event.title, 150)}},
    ]
    fields = [{"type": "mrkdwn", "text": f"*{n}*\n{_clip(t, 1900)}"} for n, t in facts(event)]
    for i in range(0, len(fields), 10):  # Slack allows at most 10 fields per section
        blocks.append({"type": "section", "fields": fields[i:i + 10]})
    if event.kind == "ops":
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": "```" + _clip(event.message) + "```"}})
    if event.drilldown_sql:
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn", "text": "*Drill-down SQL*\n```" + _clip(event.drilldown_sql) + "```"}})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"rule `{event.rule}` · alert `{event.alert_id}`"}]})
    return {"text": _clip(event.message), "blocks": blocks}


def webhook_payload(event: AlertEvent) -> dict[str, Any]:
    """The documented JSON payload (see the module docstring)."""
    def iso(d: object) -> str | None:
        return d.isoformat() if d is not None else None  # type: ignore[attr-defined]

    return {
        "schema": "revops.alert.v1",
        "alert_id": event.alert_id,
        "rule": event.rule,
        "kind": event.kind,
        "state": event.state,
        "title": event.title,
        "message": event.message,
        "kpi": event.kpi,
        "scope": {"type": event.scope_type, "id": event.scope_id},
        "grain": event.grain,
        "period_start": iso(event.period_start),
        "value": event.value,
        "unit": event.unit,
        "expected_range": {"low": event.expected_low, "high": event.expected_high},
        "score": event.score,
        "target": event.target,
        "gap": event.gap,
        "since": iso(event.since),
        "drilldown_sql": event.drilldown_sql,
        "link": event.link,
        "created_at": iso(event.created_at),
    }


def email_subject(event: AlertEvent, prefix: str) -> str:
    state = {"firing": "ALERT", "resolved": "RESOLVED"}.get(event.state, event.state.upper())
    return f"{prefix} {state}: {event.title}".strip()
