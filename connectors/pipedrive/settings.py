"""Pipedrive connector settings: objects, endpoints, cursor fields, page sizes, and `Settings`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from connectors.common.errors import ConfigError

SOURCE = "pipedrive"
DEFAULT_BASE_URL = "https://api.pipedrive.com"
PAGE_SIZE = 500  # the API maximum for v1 and v2 lists
CURSOR_FIELD = "update_time"
DEFAULT_TOKEN_RESERVE = 500  # daily-budget tokens left for other integrations before we stop
RATE_WINDOW_SECONDS = 2.0  # the burst limit (x-ratelimit-limit) counts requests per 2 s per token
FLOW_WORKERS = 8  # deal flows read at once (one request per deal); the pacer keeps them in the window

# Raw table name -> v2 list path (cursor paging, `updated_since`).
V2_OBJECTS: dict[str, str] = {
    "deals": "deals",
    "persons": "persons",
    "organizations": "organizations",
    "activities": "activities",
    "pipelines": "pipelines",
    "stages": "stages",
}
# Raw table name -> v1 path (v2 has no equivalent); listed in full on every run.
V1_OBJECTS: dict[str, str] = {
    "users": "users",
    "activity_types": "activityTypes",
    "deal_fields": "dealFields",
    "organization_fields": "organizationFields",
}
DERIVED_OBJECTS = ("deal_field_mapping", "organization_field_mapping", "deal_flow")
OBJECTS: tuple[str, ...] = (*V2_OBJECTS, *V1_OBJECTS, *DERIVED_OBJECTS)

PRIMARY_KEYS: dict[str, str] = {name: "id" for name in OBJECTS}
PRIMARY_KEYS["deal_field_mapping"] = "key"
PRIMARY_KEYS["organization_field_mapping"] = "key"

# Fields parsed strictly (a value that does not parse sends the record to `_rejected_records`).
DATETIME_FIELDS: dict[str, tuple[str, ...]] = {
    "deals": ("add_time", "update_time", "stage_change_time", "won_time", "lost_time", "close_time",
              "first_won_time"),
    "persons": ("add_time", "update_time"),
    "organizations": ("add_time", "update_time"),
    "activities": ("add_time", "update_time", "marked_as_done_time"),
    "pipelines": ("add_time", "update_time"),
    "stages": ("add_time", "update_time"),
    "users": ("created", "modified", "last_login"),
    "activity_types": ("add_time", "update_time"),
    "deal_fields": ("add_time", "update_time"),
    "organization_fields": ("add_time", "update_time"),
}
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "deals": ("expected_close_date",),
    "activities": ("due_date",),
}
NUMBER_FIELDS: dict[str, tuple[str, ...]] = {
    "deals": ("value", "probability"),
}

# Column types declared up front, so columns that are null everywhere still exist with the right
# type (dlt skips untyped all-null columns) and later values cannot change the type.
COLUMN_TYPES: dict[str, dict[str, str]] = {
    "deals": {"probability": "double", "lost_reason": "text", "stage_change_time": "timestamp",
              "won_time": "timestamp", "lost_time": "timestamp", "close_time": "timestamp",
              "expected_close_date": "date", "person_id": "bigint", "org_id": "bigint"},
    "persons": {"org_id": "bigint", "primary_email": "text", "primary_phone": "text"},
    "activities": {"note": "text", "marked_as_done_time": "timestamp", "deal_id": "bigint",
                   "person_id": "bigint", "org_id": "bigint", "due_time": "text", "duration": "text"},
    "stages": {"days_to_rotten": "bigint"},
    "users": {"last_login": "timestamp"},
    "deal_flow": {"old_value": "text", "new_value": "text", "old_value_formatted": "text",
                  "new_value_formatted": "text", "user_id": "bigint"},
}
# Custom field type -> column type. Monetary fields add `<column>_currency`; option fields hold
# labels and add the option ids (`<column>_id` for enum, `<column>_ids` for set).
CUSTOM_FIELD_TYPES: dict[str, str] = {
    "double": "double", "monetary": "double", "int": "bigint", "enum": "text", "user": "bigint",
    "org": "bigint", "people": "bigint", "date": "date", "set": "text", "address": "json",
    "daterange": "json", "timerange": "json", "varchar": "text", "varchar_auto": "text", "text": "text",
    "phone": "text", "time": "text",
}

# Deal flow: which `dealChange` field keys are kept (stage moves, plus what forecasting needs).
FLOW_ITEM_TYPE = "dealChange"
FLOW_FIELD_KEYS = frozenset({"stage_id", "status", "pipeline_id", "user_id", "value", "currency",
                             "probability", "expected_close_date", "lost_reason"})

# Standard columns of a raw table: a custom field whose name would collide with one gets a key suffix.
DEAL_STANDARD_COLUMNS = frozenset({
    "id", "title", "owner_id", "creator_user_id", "person_id", "org_id", "pipeline_id", "stage_id",
    "value", "currency", "status", "probability", "lost_reason", "visible_to", "add_time",
    "update_time", "stage_change_time", "won_time", "lost_time", "close_time", "expected_close_date",
    "is_deleted", "is_archived", "archive_time", "label_ids", "origin", "origin_id", "channel",
    "channel_id", "acv", "arr", "mrr", "first_won_time", "local_won_date", "local_lost_date",
    "local_close_date",
})
# v2 organizations, with the `address_<part>` columns the address object is flattened into and the
# counters v2 returns when asked for them.
ORGANIZATION_STANDARD_COLUMNS = frozenset({
    "id", "name", "owner_id", "add_time", "update_time", "is_deleted", "visible_to", "label_ids",
    "address", "address_value", "address_country", "address_admin_area_level_1",
    "address_admin_area_level_2", "address_locality", "address_sublocality", "address_route",
    "address_street_number", "address_subpremise", "address_postal_code", "address_formatted_address",
    "custom_fields", "next_activity_id", "last_activity_id", "open_deals_count", "closed_deals_count",
    "won_deals_count", "lost_deals_count", "people_count", "activities_count", "done_activities_count",
    "undone_activities_count", "files_count", "notes_count", "followers_count", "email_messages_count",
})


@dataclass(frozen=True)
class CustomFieldSet:
    """An object whose custom fields land as named columns, and where its field metadata comes from.

    `fields` is the raw table of the field metadata (read from the v1 path in `V1_OBJECTS`),
    `mapping` the derived table of hash key -> column, `state_key` where the column names given so far
    are kept in source state, `standard` the columns a custom field must not take."""

    obj: str
    fields: str
    mapping: str
    state_key: str
    standard: frozenset[str]


CUSTOM_FIELD_SETS: dict[str, CustomFieldSet] = {
    "deals": CustomFieldSet("deals", "deal_fields", "deal_field_mapping", "deal_field_columns",
                            DEAL_STANDARD_COLUMNS),
    "organizations": CustomFieldSet("organizations", "organization_fields", "organization_field_mapping",
                                    "organization_field_columns", ORGANIZATION_STANDARD_COLUMNS),
}
FIELD_SETS_BY_TABLE: dict[str, CustomFieldSet] = {
    table: fs for fs in CUSTOM_FIELD_SETS.values() for table in (fs.fields, fs.mapping)
}

_HEX40 = re.compile(r"^[0-9a-f]{40}$")


def is_custom_key(key: str) -> bool:
    """Custom fields are keyed by 40 hexadecimal characters; standard fields by their name."""
    return bool(_HEX40.match(key))


def normalize_base_url(raw: str) -> str:
    """The account root (`https://x.pipedrive.com`) from what a user may configure.

    Accepts the public API or a company domain, with or without `/api`, `/v1`, `/api/v1` or
    `/api/v2`, and a bare company name (`acme` -> `https://acme.pipedrive.com`)."""
    text = raw.strip().rstrip("/")
    if not text:
        return DEFAULT_BASE_URL
    if "://" not in text:
        text = f"https://{text}.pipedrive.com" if "." not in text and ":" not in text else f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(SOURCE, None, f"PIPEDRIVE_API_BASE_URL {raw!r} is not a URL",
                          "Set it to https://<company>.pipedrive.com or leave it unset for the public API")
    path = re.sub(r"(/api)?(/v[12])?/?$", "", parts.path)
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True)
class Settings:
    """How to reach one Pipedrive account; the token is kept out of `repr()`."""

    api_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    auth_style: str = "header"  # "header" (x-api-token) or "bearer" (OAuth access token)
    page_size: int = PAGE_SIZE
    timeout: float = 30.0
    verify: bool | str = True
    token_reserve: int = DEFAULT_TOKEN_RESERVE

    def __post_init__(self) -> None:
        if self.auth_style not in ("header", "bearer"):
            raise ConfigError(SOURCE, None, f"auth style {self.auth_style!r} is not supported",
                              "Use 'header' for an API token or 'bearer' for an OAuth access token")
        if not 1 <= self.page_size <= PAGE_SIZE:
            raise ConfigError(SOURCE, None, f"page size {self.page_size} is out of range",
                              f"Use 1 to {PAGE_SIZE}")
        object.__setattr__(self, "base_url", normalize_base_url(self.base_url))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read `PIPEDRIVE_API_TOKEN` (required), `PIPEDRIVE_API_BASE_URL` and
        `PIPEDRIVE_DAILY_TOKEN_RESERVE` (optional)."""
        token = (env.get("PIPEDRIVE_API_TOKEN") or "").strip()
        if not token:
            raise ConfigError(SOURCE, None, "PIPEDRIVE_API_TOKEN is not set",
                              "Copy your personal API token from Pipedrive (Settings > Personal "
                              "preferences > API) into the environment or .env as PIPEDRIVE_API_TOKEN")
        reserve_text = (env.get("PIPEDRIVE_DAILY_TOKEN_RESERVE") or "").strip()
        try:
            reserve = int(reserve_text) if reserve_text else DEFAULT_TOKEN_RESERVE
        except ValueError:
            raise ConfigError(SOURCE, None, f"PIPEDRIVE_DAILY_TOKEN_RESERVE {reserve_text!r} is not a number",
                              "Set it to a whole number of daily API tokens, e.g. 500") from None
        return cls(api_token=token, base_url=env.get("PIPEDRIVE_API_BASE_URL") or DEFAULT_BASE_URL,
                   token_reserve=reserve)
