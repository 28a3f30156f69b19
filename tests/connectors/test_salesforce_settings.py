"""Salesforce settings are read from the environment, pick the auth mode and keep secrets out of repr."""

from __future__ import annotations

import pytest

from connectors.common.errors import ConfigError
from connectors.salesforce import Settings


def test_instance_url_and_access_token_select_the_direct_token_mode() -> None:
    s = Settings.from_env(
        {
            "SALESFORCE_INSTANCE_URL": "https://acme.my.salesforce.com",
            "SALESFORCE_ACCESS_TOKEN": "00Dxx!secret-token-value",
            "REQUESTS_CA_BUNDLE": "/ca.pem",
        }
    )
    assert (s.auth_mode, s.instance_url, s.ca_bundle) == (
        "token",
        "https://acme.my.salesforce.com",
        "/ca.pem",
    )


def test_username_password_and_token_select_the_soap_login_with_its_domain() -> None:
    s = Settings.from_env(
        {
            "SALESFORCE_USERNAME": "a@b.c",
            "SALESFORCE_PASSWORD": "pw-value",
            "SALESFORCE_SECURITY_TOKEN": "tok-value",
            "SALESFORCE_DOMAIN": "test",
        }
    )
    assert (s.auth_mode, s.domain) == ("password", "test")


def test_jwt_and_client_credentials_modes() -> None:
    jwt = Settings.from_env(
        {
            "SALESFORCE_USERNAME": "a@b.c",
            "SALESFORCE_CONSUMER_KEY": "key",
            "SALESFORCE_PRIVATE_KEY_FILE": "/keys/server.key",
        }
    )
    cc = Settings.from_env(
        {
            "SALESFORCE_CONSUMER_KEY": "key",
            "SALESFORCE_CONSUMER_SECRET": "shh-secret",
            "SALESFORCE_DOMAIN": "acme.my",
        }
    )
    assert (jwt.auth_mode, cc.auth_mode) == ("jwt", "client_credentials")


def test_client_credentials_without_my_domain_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SALESFORCE_DOMAIN"):
        Settings.from_env({"SALESFORCE_CONSUMER_KEY": "key", "SALESFORCE_CONSUMER_SECRET": "shh-secret"})


def test_a_missing_security_token_is_named() -> None:
    with pytest.raises(ConfigError, match="SALESFORCE_SECURITY_TOKEN is not set"):
        Settings.from_env({"SALESFORCE_USERNAME": "a@b.c", "SALESFORCE_PASSWORD": "pw-value"})


def test_an_instance_url_without_a_token_is_named() -> None:
    with pytest.raises(ConfigError, match="SALESFORCE_ACCESS_TOKEN is not set"):
        Settings.from_env({"SALESFORCE_INSTANCE_URL": "https://acme.my.salesforce.com"})


def test_no_credentials_at_all_lists_every_option() -> None:
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({})
    assert "SALESFORCE_ACCESS_TOKEN" in str(exc.value) and "SALESFORCE_PRIVATE_KEY_FILE" in str(exc.value)


def test_secrets_stay_out_of_repr() -> None:
    s = Settings.from_env(
        {
            "SALESFORCE_USERNAME": "a@b.c",
            "SALESFORCE_PASSWORD": "pw-value",
            "SALESFORCE_SECURITY_TOKEN": "tok-value",
        }
    )
    assert "pw-value" not in repr(s) and "tok-value" not in repr(s)
    assert set(s.secrets()) == {"pw-value", "tok-value"}


def test_budget_reserve_and_bulk_threshold_are_read_and_checked() -> None:
    env = {
        "SALESFORCE_INSTANCE_URL": "https://x.my.salesforce.com",
        "SALESFORCE_ACCESS_TOKEN": "t",
        "SALESFORCE_API_BUDGET_RESERVE": "0.25",
        "SALESFORCE_BULK_THRESHOLD": "500",
    }
    s = Settings.from_env(env)
    assert (s.budget_reserve, s.bulk_threshold) == (0.25, 500)
    with pytest.raises(ConfigError, match="SALESFORCE_API_BUDGET_RESERVE"):
        Settings.from_env({**env, "SALESFORCE_API_BUDGET_RESERVE": "2"})
