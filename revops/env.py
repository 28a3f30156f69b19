"""Secrets and connection settings come from the environment; a `.env` file is read if present.

Values already set in the environment win over the file. Nothing here is ever logged."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from dotenv import dotenv_values

from connectors.common.http import redact  # one redaction rule for connectors and alerts

SECRET_NAMES = (
    "SALESFORCE_PASSWORD",
    "SALESFORCE_SECURITY_TOKEN",
    "SALESFORCE_ACCESS_TOKEN",
    "SALESFORCE_CONSUMER_SECRET",
    "SALESFORCE_PRIVATE_KEY",
    "HUBSPOT_ACCESS_TOKEN",
    "PIPEDRIVE_API_TOKEN",
    "SLACK_WEBHOOK_URL",
    "SMTP_PASSWORD",
    "ALERT_WEBHOOK_URL",
)

__all__ = ["SECRET_NAMES", "load_env", "redact", "secret_values"]


def load_env(dotenv: Path | None = None, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment merged over `.env` (the process environment wins)."""
    env: dict[str, str] = {}
    path = dotenv or Path(".env")
    if path.exists():
        env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    env.update(base if base is not None else os.environ)
    return env


def secret_values(env: Mapping[str, str], extra: Iterable[str] = ()) -> list[str]:
    """The secret values present in `env`, for redaction."""
    names = set(SECRET_NAMES) | set(extra)
    return [v for k, v in env.items() if (k in names or k.endswith(("_TOKEN", "_PASSWORD", "_SECRET"))) and v]
