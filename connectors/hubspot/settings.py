"""HubSpot connector settings: objects, cursor properties, page sizes and limits, and `Settings`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from connectors.common.errors import ConfigError

SOURCE = "hubspot"
DEFAULT_BASE_URL = "https://api.hubapi.com"

# CRM objects read through `/crm/v3/objects/{type}`; each lands in a raw table of the same name.
CRM_OBJECTS: tuple[str, ...] = (
    "deals",
    "companies",
    "contacts",
    "calls",
    "meetings",
    "emails",
    "notes",
    "tasks",
)
# Property-history tables: table -> (object type, property, key column).
HISTORY_OBJECTS: dict[str, tuple[str, str, str]] = {
    "deal_stage_history": ("deals", "dealstage", "deal_id"),
    "deal_amount_history": ("deals", "amount", "deal_id"),
    "deal_close_date_history": ("deals", "closedate", "deal_id"),
    "contact_lifecycle_history": ("contacts", "lifecyclestage", "contact_id"),
}
OBJECTS: tuple[str, ...] = (
    *CRM_OBJECTS,
    "owners",
    "owner_teams",
    "deal_pipelines",
    "deal_stages",
    "associations",
    *HISTORY_OBJECTS,
)

# The last-modified property each object type is searched and sorted on.
CURSOR_PROPERTY: dict[str, str] = {name: "hs_lastmodifieddate" for name in CRM_OBJECTS}
CURSOR_PROPERTY["contacts"] = "lastmodifieddate"

ENGAGEMENTS: tuple[str, ...] = ("calls", "meetings", "emails", "notes", "tasks")
# Associations read from the first type of each pair (the API answers both directions alike).
ASSOCIATION_PAIRS: tuple[tuple[str, str], ...] = (
    ("deals", "contacts"),
    ("deals", "companies"),
    ("contacts", "companies"),
    *((e, t) for e in ENGAGEMENTS for t in ("deals", "contacts", "companies")),
)

LIST_PAGE_SIZE = 100  # API maximum for object lists
HISTORY_PAGE_SIZE = 50  # API maximum when property history is asked for
SEARCH_PAGE_SIZE = 200  # API maximum for search
SEARCH_RESULT_CAP = 10_000  # one search query pages through at most this many results
BATCH_READ_SIZE = 100  # API maximum for batch read
HISTORY_BATCH_SIZE = 50  # batch reads that ask for property history
ASSOCIATION_BATCH_SIZE = 1000  # API maximum for v4 association batch reads
OWNERS_PAGE_SIZE = 100
MAX_PROPERTY_CHARS = 6000  # properties per GET are split so a URL stays under common 8 KB limits
DEFAULT_BUDGET_RESERVE = 500  # daily requests left for other integrations before the sync stops
SEARCH_RATE_LIMIT = 5  # CRM search requests per second per account (search answers carry no headers)
SEARCH_RATE_WINDOW = 1.0

# HubSpot property type (and field type) -> the dlt column type its values are cast to.
COLUMN_TYPES: dict[str, str] = {
    "number": "double",
    "bool": "bool",
    "datetime": "timestamp",
    "date": "date",
}


@dataclass(frozen=True)
class Settings:
    """How to reach one HubSpot account. The access token is kept out of `repr()`."""

    access_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 30.0
    max_attempts: int = 8
    budget_reserve: int = DEFAULT_BUDGET_RESERVE
    search_result_cap: int = SEARCH_RESULT_CAP
    search_page_size: int = SEARCH_PAGE_SIZE
    max_property_chars: int = MAX_PROPERTY_CHARS
    search_rate_limit: int | None = SEARCH_RATE_LIMIT  # None: searches are paced by 429s only

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Settings from `HUBSPOT_ACCESS_TOKEN`, `HUBSPOT_API_BASE_URL` (optional),
        `HUBSPOT_TIMEOUT` (seconds, optional) and `HUBSPOT_API_BUDGET_RESERVE` (optional)."""
        token = (env.get("HUBSPOT_ACCESS_TOKEN") or "").strip()
        if not token:
            raise ConfigError(
                SOURCE,
                None,
                "HUBSPOT_ACCESS_TOKEN is not set",
                "Create a private app in HubSpot (Settings > Integrations > Private Apps) with read scopes for "
                "contacts, companies, deals, owners and schemas, and put its access token in "
                "HUBSPOT_ACCESS_TOKEN (environment or .env)",
            )
        base_url = (env.get("HUBSPOT_API_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                SOURCE,
                None,
                f"HUBSPOT_API_BASE_URL={base_url!r} is not an http(s) URL",
                f"Leave it unset for {DEFAULT_BASE_URL}, or give e.g. http://127.0.0.1:8502",
            )
        return cls(
            access_token=token,
            base_url=base_url,
            timeout=_number(env, "HUBSPOT_TIMEOUT", 30.0),
            budget_reserve=int(_number(env, "HUBSPOT_API_BUDGET_RESERVE", DEFAULT_BUDGET_RESERVE)),
        )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            SOURCE, None, f"{name}={raw!r} is not a number", f"Set {name} to a number or unset it"
        ) from None
    if value < 0:
        raise ConfigError(SOURCE, None, f"{name}={raw!r} is negative", f"Set {name} to zero or more")
    return value
