"""Salesforce connector settings: the objects it loads, their cursor fields, page sizes, and the
connection `Settings` read from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.common.errors import ConfigError

SOURCE = "salesforce"

# Objects in load order, with their raw table names (dlt resource names).
TABLES: dict[str, str] = {
    "User": "user",
    "UserRole": "user_role",
    "Account": "account",
    "Contact": "contact",
    "Lead": "lead",
    "Opportunity": "opportunity",
    "OpportunityStage": "opportunity_stage",
    "OpportunityHistory": "opportunity_history",
    "OpportunityFieldHistory": "opportunity_field_history",
    "Task": "task",
    "Event": "event",
    "ForecastingQuota": "forecasting_quota",
    "CurrencyType": "currency_type",
    "DatedConversionRate": "dated_conversion_rate",
}
OBJECTS: tuple[str, ...] = tuple(TABLES)
# Objects an org may not have (feature off or no permission): skipped and reported, never an error.
OPTIONAL_OBJECTS = frozenset(
    {"OpportunityFieldHistory", "ForecastingQuota", "CurrencyType", "DatedConversionRate"}
)

DEFAULT_CURSOR = "SystemModstamp"  # changes on every write, including system updates
CURSOR_FIELDS: dict[str, str] = {"OpportunityFieldHistory": "CreatedDate"}  # history rows are never edited

# Field types kept out of the SELECT list: compound fields cannot be queried in Bulk API 2.0 and
# their components are separate fields anyway; base64 bodies do not belong in a warehouse.
SKIPPED_FIELD_TYPES = frozenset({"address", "location", "base64", "complexvalue"})
# Field types whose unparseable value makes the record a reject (cursor, dates and amounts).
STRICT_FIELD_TYPES = frozenset({"datetime", "date", "currency", "double", "percent", "int"})

DEFAULT_API_VERSION = "59.0"
REST_BATCH_SIZE = 2000  # records per REST query page (Sforce-Query-Options batchSize, 200..2000)
BULK_PAGE_SIZE = 50000  # records per Bulk API 2.0 results page (maxRecords)
MAX_REST_SOQL_LENGTH = 15000  # longer queries go through Bulk API 2.0 (REST GET URIs are limited to ~16k)
DEFAULT_BULK_THRESHOLD = 20000  # at or above this many changed records, read through Bulk API 2.0
DEFAULT_BUDGET_RESERVE = 0.1  # share of the daily API limit left untouched for other integrations


def table_name(sobject: str) -> str:
    """Raw table name of an object: listed ones from TABLES, others snake_cased (`Foo__c` -> `foo_c`)."""
    if sobject in TABLES:
        return TABLES[sobject]
    out = []
    for i, ch in enumerate(sobject.replace("__", "_")):
        if ch.isupper() and i and (sobject[i - 1].islower() or sobject[i - 1].isdigit()):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def cursor_field(sobject: str) -> str:
    """The field an object is read incrementally by."""
    return CURSOR_FIELDS.get(sobject, DEFAULT_CURSOR)


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(str(raw))
    except ValueError:
        raise ConfigError(
            SOURCE,
            None,
            f"{name}={raw!r} is not a number",
            f"Set {name} to a number between {low} and {high}",
        ) from None
    if not low <= value <= high:
        raise ConfigError(
            SOURCE,
            None,
            f"{name}={raw!r} is out of range",
            f"Set {name} to a number between {low} and {high}",
        )
    return value


@dataclass(frozen=True)
class Settings:
    """How to reach and authenticate to one Salesforce org, and how hard to use its API.

    Auth modes, picked from what is set: `token` (instance URL + access token), `password`
    (username + password + security token, SOAP login), `jwt` (username + consumer key + private key
    file) and `client_credentials` (consumer key + secret + My Domain)."""

    auth_mode: str
    instance_url: str | None = None
    access_token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    domain: str = "login"
    consumer_key: str | None = None
    consumer_secret: str | None = field(default=None, repr=False)
    private_key_file: str | None = None
    private_key: str | None = field(default=None, repr=False)
    api_version: str = DEFAULT_API_VERSION
    ca_bundle: str | None = None
    timeout: float = 120.0
    bulk_threshold: int = DEFAULT_BULK_THRESHOLD
    bulk_page_size: int = BULK_PAGE_SIZE
    bulk_poll_interval: float = 2.0  # seconds between job polls (0 polls as fast as the server answers)
    bulk_timeout: float = 3600.0
    rest_batch_size: int = REST_BATCH_SIZE
    budget_reserve: float = DEFAULT_BUDGET_RESERVE
    max_attempts: int = 8
    retry_base_delay: float = 0.5
    retry_max_delay: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read `SALESFORCE_*` variables (and `REQUESTS_CA_BUNDLE`); raise ConfigError naming what is missing."""

        def get(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        common: dict[str, Any] = {
            "domain": get("SALESFORCE_DOMAIN") or "login",
            "api_version": (get("SALESFORCE_API_VERSION") or DEFAULT_API_VERSION).lstrip("v"),
            "ca_bundle": get("SALESFORCE_CA_BUNDLE") or get("REQUESTS_CA_BUNDLE"),
            "bulk_threshold": int(_float(env, "SALESFORCE_BULK_THRESHOLD", DEFAULT_BULK_THRESHOLD, 0, 1e12)),
            "budget_reserve": _float(env, "SALESFORCE_API_BUDGET_RESERVE", DEFAULT_BUDGET_RESERVE, 0, 1),
        }
        username, key = get("SALESFORCE_USERNAME"), get("SALESFORCE_CONSUMER_KEY")
        token_mode = get("SALESFORCE_ACCESS_TOKEN") or (
            get("SALESFORCE_INSTANCE_URL") and not (username or key)
        )
        if token_mode:
            missing = [n for n in ("SALESFORCE_INSTANCE_URL", "SALESFORCE_ACCESS_TOKEN") if not get(n)]
            if missing:
                raise ConfigError(
                    SOURCE,
                    None,
                    f"{missing[0]} is not set",
                    "Set SALESFORCE_INSTANCE_URL (https://<your-domain>.my.salesforce.com) "
                    "together with SALESFORCE_ACCESS_TOKEN",
                )
            return cls(
                auth_mode="token",
                instance_url=get("SALESFORCE_INSTANCE_URL"),
                access_token=get("SALESFORCE_ACCESS_TOKEN"),
                **common,
            )
        if username and (get("SALESFORCE_PRIVATE_KEY_FILE") or get("SALESFORCE_PRIVATE_KEY")) and key:
            return cls(
                auth_mode="jwt",
                username=username,
                consumer_key=key,
                private_key_file=get("SALESFORCE_PRIVATE_KEY_FILE"),
                private_key=get("SALESFORCE_PRIVATE_KEY"),
                instance_url=get("SALESFORCE_INSTANCE_URL"),
                **common,
            )
        if username:
            missing = [n for n in ("SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN") if not get(n)]
            if missing:
                raise ConfigError(
                    SOURCE,
                    None,
                    f"{missing[0]} is not set",
                    "Set SALESFORCE_USERNAME, SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN "
                    "(Setup > Reset My Security Token), and SALESFORCE_DOMAIN=test for a sandbox org",
                )
            return cls(
                auth_mode="password",
                username=username,
                password=get("SALESFORCE_PASSWORD"),
                security_token=get("SALESFORCE_SECURITY_TOKEN"),
                **common,
            )
        if key and get("SALESFORCE_CONSUMER_SECRET"):
            if common["domain"] in ("login", "test"):
                raise ConfigError(
                    SOURCE,
                    None,
                    "the client-credentials flow needs your My Domain",
                    "Set SALESFORCE_DOMAIN to the My Domain prefix, e.g. acme.my",
                )
            return cls(
                auth_mode="client_credentials",
                consumer_key=key,
                consumer_secret=get("SALESFORCE_CONSUMER_SECRET"),
                **common,
            )
        raise ConfigError(
            SOURCE,
            None,
            "no Salesforce credentials are set",
            "Set SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN; or SALESFORCE_USERNAME, "
            "SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN; or SALESFORCE_USERNAME, "
            "SALESFORCE_CONSUMER_KEY and SALESFORCE_PRIVATE_KEY_FILE (JWT); or "
            "SALESFORCE_CONSUMER_KEY, SALESFORCE_CONSUMER_SECRET and SALESFORCE_DOMAIN",
        )

    def secrets(self) -> list[str]:
        """Secret values, for redaction from messages."""
        return [
            s
            for s in (
                self.access_token,
                self.password,
                self.security_token,
                self.consumer_secret,
                self.private_key,
            )
            if s
        ]
