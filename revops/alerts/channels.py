"""Delivery to Slack (incoming webhook), a generic JSON webhook and e-mail (SMTP).

Each sender raises `DeliveryError` with a short reason on failure; the caller records it and goes
on. URLs, header values and SMTP credentials are read from the environment at send time and are
never put into a message here; the caller still redacts every reason before it is stored or logged,
because a library's own error text may quote them.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from revops.alerts import render
from revops.alerts.config import ChannelsConfig, EmailChannel, SlackChannel, WebhookChannel
from revops.alerts.events import AlertEvent


class DeliveryError(Exception):
    """A channel could not deliver an alert; the message is safe to show once redacted."""


def _from_env(env: Mapping[str, str], name: str, channel: str) -> str:
    value = env.get(name)
    if not value:
        raise DeliveryError(
            f"{channel}: environment variable {name} is not set; set it (or add it to .env) "
            "or remove the channel from the alert configuration"
        )
    return value


def post_json(url: str, payload: dict[str, Any], headers: Mapping[str, str], timeout: float,
              channel: str) -> None:
    """POST `payload` as JSON; any non-2xx answer or network error becomes a DeliveryError."""
    if not url.lower().startswith(("http://", "https://")):
        raise DeliveryError(f"{channel}: the configured URL is not an http(s) URL")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode("utf-8", "replace").strip()
        raise DeliveryError(f"{channel}: HTTP {exc.code} {exc.reason}: {body}".rstrip(": ")) from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"{channel}: cannot reach the endpoint ({exc.reason})") from None
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"{channel}: {type(exc).__name__}: {exc}") from None


def send_slack(cfg: SlackChannel, event: AlertEvent, env: Mapping[str, str]) -> None:
    url = _from_env(env, cfg.webhook_url_env, "slack")
    post_json(url, render.slack_payload(event, cfg.style), {}, cfg.timeout_seconds, "slack")


def send_webhook(cfg: WebhookChannel, event: AlertEvent, env: Mapping[str, str]) -> None:
    url = _from_env(env, cfg.url_env, "webhook")
    headers = {header: _from_env(env, name, "webhook") for header, name in cfg.headers_env.items()}
    post_json(url, render.webhook_payload(event), headers, cfg.timeout_seconds, "webhook")


def email_message(cfg: EmailChannel, event: AlertEvent) -> EmailMessage:
    """A multipart e-mail: the plain-text message and a simple HTML version."""
    msg = EmailMessage()
    msg["Subject"] = render.email_subject(event, cfg.subject_prefix)
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.to)
    msg.set_content(render.text_body(event))
    msg.add_alternative(render.html_body(event), subtype="html")
    return msg


def send_email(cfg: EmailChannel, event: AlertEvent, env: Mapping[str, str]) -> None:
    credentials = None
    if cfg.username_env and cfg.password_env:
        credentials = (_from_env(env, cfg.username_env, "email"),
                       _from_env(env, cfg.password_env, "email"))
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds) as smtp:
            if cfg.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if credentials:
                smtp.login(*credentials)
            smtp.send_message(email_message(cfg, event))
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"email: {type(exc).__name__}: {exc}") from None


def deliver(channel: str, channels: ChannelsConfig, event: AlertEvent, env: Mapping[str, str]) -> None:
    """Send one event to one configured channel."""
    if channel == "slack" and channels.slack:
        send_slack(channels.slack, event, env)
    elif channel == "webhook" and channels.webhook:
        send_webhook(channels.webhook, event, env)
    elif channel == "email" and channels.email:
        send_email(channels.email, event, env)
    else:
        raise DeliveryError(f"{channel}: no such channel is configured under alerts.channels")
