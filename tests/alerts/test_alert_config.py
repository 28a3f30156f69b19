"""Validation of the `alerts:` section of revops.yml."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import revops.alerts
from revops.alerts import AlertsConfig

SLACK = {"slack": {"webhook_url_env": "SLACK_URL"}}


def rule(**overrides: Any) -> dict[str, Any]:
    return {"kpi": "win_rate_count", "grain": "week", "kind": "drift", "channels": ["slack"], **overrides}


def test_the_yaml_example_in_the_package_docstring_is_valid() -> None:
    doc = revops.alerts.__doc__ or ""
    block = re.search(r"```yaml\n(.*?)```", doc, re.S)
    assert block is not None
    config = AlertsConfig.model_validate(yaml.safe_load(block.group(1))["alerts"])
    assert [r.name for r in config.rules] == [
        "demo_to_proposal_drift", "weekly_pipeline_created", "coverage_target"]
    assert config.channels.email is not None and config.channels.email.sender == "revops-alerts@example.com"
    assert config.ops_channel_names() == ["slack", "email"]


def test_rules_get_defaults_and_a_name() -> None:
    config = AlertsConfig.model_validate({"channels": SLACK, "rules": [rule()]})
    [r] = config.rules
    assert (r.name, r.threshold, r.training_periods, r.min_denominator, r.seasonality) == (
        "win_rate_count:company:week:drift", 3.5, 12, 30, "none")
    assert config.ops_channel_names() == ["slack"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"training_periods": 7}, "greater than or equal to 8"),
    ({"training_periods": 14}, "less than or equal to 13"),
    ({"kpi": "win_rate"}, "unknown KPI 'win_rate'"),
    ({"channels": ["email"]}, "sends to 'email', which has no section under alerts.channels"),
    ({"grain": "quarter", "seasonality": "quarter_position"}, "does not apply to grain quarter"),
    ({"kind": "anomaly"}, "'target' or 'drift'"),
    ({"link_template": "https://bi/{kpi}/{team}"}, "unknown placeholder(s) team"),
    ({"min_training_periods": 10, "training_periods": 9}, "exceeds training_periods"),
    ({"scope_ids": ["emea"]}, "single scope id 'all'"),
])
def test_invalid_rules_fail_with_the_key_and_what_is_allowed(overrides: dict[str, Any],
                                                             message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        AlertsConfig.model_validate({"channels": SLACK, "rules": [rule(**overrides)]})


def test_seasonality_accepts_an_on_off_switch() -> None:
    on = AlertsConfig.model_validate({"channels": SLACK, "rules": [rule(seasonality=True)]})
    off = AlertsConfig.model_validate({"channels": SLACK, "rules": [rule(seasonality=False)]})
    assert (on.rules[0].seasonality, off.rules[0].seasonality) == ("quarter_position", "none")


def test_rule_names_must_be_unique() -> None:
    with pytest.raises(ValidationError, match="used twice"):
        AlertsConfig.model_validate({"channels": SLACK, "rules": [rule(), rule()]})


def test_smtp_credentials_are_variable_names_given_in_pairs() -> None:
    email = {"host": "smtp.example.com", "from": "a@example.com", "to": ["b@example.com"],
             "username_env": "SMTP_USER"}
    with pytest.raises(ValidationError, match="both username_env and password_env"):
        AlertsConfig.model_validate({"channels": {"email": email}})


def test_a_header_value_instead_of_a_variable_name_is_refused() -> None:
    webhook = {"url_env": "HOOK_URL", "headers_env": {"Authorization": "Bearer abc123"}}
    with pytest.raises(ValidationError, match="not an environment variable name"):
        AlertsConfig.model_validate({"channels": {"webhook": webhook}})


def test_secret_variable_names_cover_every_channel() -> None:
    config = AlertsConfig.model_validate({"channels": {
        "slack": {"webhook_url_env": "S"},
        "email": {"host": "h", "from": "a@b.c", "to": ["d@e.f"], "username_env": "U",
                  "password_env": "P"},
        "webhook": {"url_env": "W", "headers_env": {"X-Key": "K"}},
    }})
    assert sorted(config.channels.secret_env_names()) == ["K", "P", "S", "U", "W"]


def test_rules_without_channels_use_every_configured_channel() -> None:
    short = yaml.safe_load("""
rules:
  - {kpi: win_rate_count, scope_type: team, grain: month, kind: drift}
  - {kpi: pipeline_coverage, scope_type: company, grain: quarter, kind: target, channels: []}
channels: {}
""")
    quiet = AlertsConfig.model_validate(short)
    assert [quiet.channels_for(r) for r in quiet.rules] == [[], []]
    loud = AlertsConfig.model_validate({**short, "channels": SLACK})
    assert [loud.channels_for(r) for r in loud.rules] == [["slack"], []]
