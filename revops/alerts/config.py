"""Alert rules and delivery channels, validated from the `alerts:` section of revops.yml.

Channels name environment variables, never values: webhook URLs, SMTP credentials and extra HTTP
headers are read from the environment at send time, so no secret ever sits in the file. The YAML
shape is documented in the `revops.alerts` package docstring.
"""

from __future__ import annotations

import re
import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from revops.kpis import CATALOGUE

Grain = Literal["week", "month", "quarter"]
ScopeType = Literal["company", "team", "rep", "segment", "source", "manager"]
ChannelName = Literal["slack", "email", "webhook"]

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# Placeholders a link template may use; values are URL-encoded before substitution.
LINK_FIELDS = ("rule", "kind", "kpi", "scope_type", "scope_id", "grain", "period_start")


def _check_link_template(template: str | None) -> str | None:
    if template is None:
        return None
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    except ValueError as exc:
        raise ValueError(f"link template {template!r} is not a valid format string: {exc}") from exc
    unknown = sorted(n for n in names if n not in LINK_FIELDS)
    if unknown:
        raise ValueError(
            f"link template uses unknown placeholder(s) {', '.join(unknown)}; "
            f"allowed: {', '.join('{' + f + '}' for f in LINK_FIELDS)}"
        )
    return template


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SlackChannel(_Model):
    """Slack incoming webhook; the URL is a secret, so only the variable's name is configured."""

    webhook_url_env: str = Field(pattern=ENV_NAME)
    style: Literal["blocks", "text"] = "blocks"
    timeout_seconds: float = Field(10.0, gt=0, le=120)


class EmailChannel(_Model):
    """E-mail over SMTP (stdlib smtplib); credentials, if any, come from named variables."""

    host: str = Field(min_length=1)
    port: int = Field(25, ge=1, le=65535)
    sender: str = Field(alias="from", min_length=3)
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    username_env: str | None = Field(None, pattern=ENV_NAME)
    password_env: str | None = Field(None, pattern=ENV_NAME)
    subject_prefix: str = "[RevOps]"
    timeout_seconds: float = Field(10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _credentials_in_pairs(self) -> EmailChannel:
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError(
                "set both username_env and password_env (names of environment variables), or neither "
                "for a relay that needs no login"
            )
        return self


class WebhookChannel(_Model):
    """Generic JSON webhook: POST of the documented payload to a URL taken from the environment."""

    url_env: str = Field(pattern=ENV_NAME)
    headers_env: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float = Field(10.0, gt=0, le=120)

    @field_validator("headers_env")
    @classmethod
    def _env_names(cls, v: dict[str, str]) -> dict[str, str]:
        for header, env_name in v.items():
            if not re.match(ENV_NAME, env_name):
                raise ValueError(
                    f"header {header!r}: {env_name!r} is not an environment variable name; give the "
                    "name of the variable that holds the header value, not the value itself"
                )
        return v


class ChannelsConfig(_Model):
    slack: SlackChannel | None = None
    email: EmailChannel | None = None
    webhook: WebhookChannel | None = None

    def configured(self) -> list[ChannelName]:
        """Names of the channels that have a section, in a fixed order."""
        names: list[ChannelName] = ["slack", "email", "webhook"]
        return [n for n in names if getattr(self, n) is not None]

    def secret_env_names(self) -> list[str]:
        """Every environment variable whose value must never be logged or stored."""
        names: list[str] = []
        if self.slack:
            names.append(self.slack.webhook_url_env)
        if self.email and self.email.username_env and self.email.password_env:
            names += [self.email.username_env, self.email.password_env]
        if self.webhook:
            names.append(self.webhook.url_env)
            names += list(self.webhook.headers_env.values())
        return names


class AlertRule(_Model):
    """One KPI watched at one grain for one scope type, either against its target or for drift."""

    name: str = Field("", min_length=1)
    kpi: str
    scope_type: ScopeType = "company"
    scope_ids: list[str] | None = None
    grain: Grain
    kind: Literal["target", "drift"]
    # None: every configured channel; []: recorded in ops.alert_events only
    channels: list[ChannelName] | None = None
    period: Literal["completed", "current"] = "completed"
    # drift settings
    threshold: float = Field(3.5, gt=0)
    training_periods: int = Field(12, ge=8, le=13)
    min_training_periods: int = Field(8, ge=4, le=13)
    min_denominator: float = Field(30, ge=0)
    seasonality: Literal["quarter_position", "none"] = "none"
    fallback_scale: float | None = Field(None, gt=0)
    # target settings
    include_amber: bool = False
    link_template: str | None = None

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, v: str) -> str:
        if v not in CATALOGUE:
            raise ValueError(f"unknown KPI {v!r}; allowed: {', '.join(sorted(CATALOGUE))}")
        return v

    @field_validator("link_template")
    @classmethod
    def _link(cls, v: str | None) -> str | None:
        return _check_link_template(v)

    @field_validator("seasonality", mode="before")
    @classmethod
    def _seasonality_switch(cls, v: object) -> object:
        # `seasonality: off` reads as False in YAML 1.1; accept booleans as an on/off switch.
        if v is True:
            return "quarter_position"
        if v is False or v is None:
            return "none"
        return v

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data: object) -> object:
        if isinstance(data, dict) and not data.get("name"):
            parts = [data.get("kpi"), data.get("scope_type", "company"), data.get("grain"), data.get("kind")]
            return {**data, "name": ":".join(str(p) for p in parts)}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> AlertRule:
        if self.min_training_periods > self.training_periods:
            raise ValueError(
                f"rule {self.name!r}: min_training_periods ({self.min_training_periods}) exceeds "
                f"training_periods ({self.training_periods})"
            )
        if self.seasonality == "quarter_position" and self.grain == "quarter":
            raise ValueError(
                f"rule {self.name!r}: quarter_position seasonality compares weeks or months with the same "
                "position in earlier quarters; it does not apply to grain quarter (set seasonality: none)"
            )
        if self.scope_type == "company" and self.scope_ids not in (None, ["all"]):
            raise ValueError(f"rule {self.name!r}: the company scope has the single scope id 'all'")
        return self


class AlertsConfig(_Model):
    """The `alerts:` section of revops.yml."""

    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    rules: list[AlertRule] = Field(default_factory=list)
    ops_channels: list[ChannelName] | None = None
    link_template: str | None = None
    fiscal_year_start_month: int | None = Field(None, ge=1, le=12)

    @field_validator("link_template")
    @classmethod
    def _link(cls, v: str | None) -> str | None:
        return _check_link_template(v)

    @model_validator(mode="after")
    def _channels_exist(self) -> AlertsConfig:
        configured = set(self.channels.configured())
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} is used twice; give each rule a unique name")
            seen.add(rule.name)
            for channel in rule.channels or []:
                if channel not in configured:
                    raise ValueError(
                        f"rule {rule.name!r} sends to {channel!r}, which has no section under "
                        f"alerts.channels; add one or remove {channel!r} from the rule's channels"
                    )
        for channel in self.ops_channels or []:
            if channel not in configured:
                raise ValueError(
                    f"ops_channels lists {channel!r}, which has no section under alerts.channels"
                )
        return self

    def ops_channel_names(self) -> list[ChannelName]:
        """Channels for operational alerts: the configured list, or every configured channel."""
        return list(self.ops_channels) if self.ops_channels is not None else self.channels.configured()

    def channels_for(self, rule: AlertRule) -> list[ChannelName]:
        """The rule's channels, or every configured channel when the rule names none."""
        return list(rule.channels) if rule.channels is not None else self.channels.configured()

    def link_for(self, rule: AlertRule) -> str | None:
        return rule.link_template or self.link_template
