"""The Pipedrive API client: v2 cursor lists, v1 offset lists, and the daily token budget.

Built on `connectors.common.http.ApiSession` (status mapping, retries honouring `Retry-After`,
request counting, secrets redacted). The token travels in the `x-api-token` header (or as an OAuth
bearer token), never in a URL. Requests are paced to the burst window Pipedrive announces in its
`x-ratelimit-limit` / `x-ratelimit-remaining` headers (per token, per 2 seconds), so the client may be
used from several threads at once without meeting 429s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.common.errors import AuthError, BudgetExhausted, RequestError, TransientError
from connectors.common.http import ApiSession
from connectors.common.pacing import RateHeaders, RatePacer
from connectors.pipedrive.settings import RATE_WINDOW_SECONDS, SOURCE, Settings

Record = dict[str, Any]
BUDGET_HEADER = "x-daily-ratelimit-token-remaining"
RATE_HEADERS = RateHeaders(limit="x-ratelimit-limit", remaining="x-ratelimit-remaining")


class Client:
    """A Pipedrive account reached through its REST API."""

    def __init__(self, settings: Settings, *, session: ApiSession | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._wait = sleep
        # Set when a resource met the daily budget's reserve: the resources still to run stop at
        # once, what was fetched lands, and the runner reports a partial sync.
        self.budget_exhausted: BudgetExhausted | None = None
        # The public API host documents v1 under /v1; company domains under /api/v1.
        self._v1 = "v1" if urlsplit(settings.base_url).netloc == "api.pipedrive.com" else "api/v1"
        if settings.auth_style == "bearer":
            auth = {"Authorization": f"Bearer {settings.api_token}"}
        else:
            auth = {"x-api-token": settings.api_token}
        self.session = session or ApiSession(
            SOURCE,
            settings.base_url,
            headers={**auth, "Accept": "application/json"},
            timeout=settings.timeout,
            verify=settings.verify,
            secrets=[settings.api_token],
            reset_header="x-ratelimit-reset",
            sleep=self._sleep,
            # the limit depends on the plan: none until the first answer announces it
            pacer=RatePacer(None, RATE_WINDOW_SECONDS, headers=RATE_HEADERS),
        )

    def __repr__(self) -> str:
        return f"Client(base_url={self.settings.base_url!r})"

    @property
    def request_count(self) -> int:
        """Requests sent so far, retries included."""
        return self.session.request_count

    # -- budget ----------------------------------------------------------------------------------
    def _tokens_left(self) -> int | None:
        raw = self.session.last_headers.get(BUDGET_HEADER) if self.session.last_headers else None
        try:
            return int(raw) if raw is not None else None
        except ValueError:
            return None

    def _check_budget(self, obj: str) -> None:
        left = self._tokens_left()
        if left is not None and left < self.settings.token_reserve:
            raise BudgetExhausted(SOURCE, obj, f"only {left} daily API tokens left (reserve "
                                  f"{self.settings.token_reserve})",
                                  "The sync stops here and resumes from its cursor after the budget "
                                  "resets at midnight; lower PIPEDRIVE_DAILY_TOKEN_RESERVE to use more")

    def _sleep(self, delay: float) -> None:
        # A 429 for a spent daily budget asks to wait until midnight: stop instead of sleeping.
        if self._tokens_left() == 0:
            raise BudgetExhausted(SOURCE, None, "the daily API token budget is spent",
                                  "The sync resumes from its cursor after the budget resets at midnight")
        self._wait(delay)

    # -- requests --------------------------------------------------------------------------------
    def get(self, path: str, params: Mapping[str, Any] | None = None, *, obj: str) -> Record:
        """GET one API path (`api/v1/...`, `v1/...` or `api/v2/...`); the checked envelope."""
        self._check_budget(obj)
        try:
            body = self.session.get_json(path, params, obj=obj)
        except AuthError as exc:
            raise AuthError(SOURCE, obj, exc.message, self._auth_hint(exc.message)) from None
        if not isinstance(body, dict):
            raise TransientError(SOURCE, obj, f"unexpected answer from {path}: not a JSON object",
                                 "Retry later; report it if it persists")
        if body.get("success") is False:
            raise RequestError(SOURCE, obj, f"{path} answered success=false: {body.get('error')}",
                               "Check the account's permissions for this object")
        return body

    def _auth_hint(self, message: str) -> str:
        """What to renew when the API refuses the credentials (a 403 is a missing permission)."""
        if message.startswith("403"):
            return ("The token's user may not read this object: give it the permission in Pipedrive, "
                    "or use the API token of a user who has it (PIPEDRIVE_API_TOKEN)")
        if self.settings.auth_style == "bearer":
            return "The OAuth access token was refused: renew it and set the new one as PIPEDRIVE_API_TOKEN"
        return ("The API token was refused: copy the current one from Pipedrive (Settings > Personal "
                "preferences > API) into PIPEDRIVE_API_TOKEN in the environment or .env")

    def iter_v2(self, path: str, params: Mapping[str, Any] | None = None, *, obj: str) -> Iterator[list[Record]]:
        """Pages of a v2 list, following `next_cursor` until it is null."""
        query = {"limit": self.settings.page_size, **(params or {})}
        while True:
            body = self.get(f"api/v2/{path}", query, obj=obj)
            rows = body.get("data") or []
            if rows:
                yield list(rows)
            cursor = (body.get("additional_data") or {}).get("next_cursor")
            if not cursor:
                return
            query = {**query, "cursor": cursor}

    def iter_v1(self, path: str, params: Mapping[str, Any] | None = None, *,
                obj: str) -> Iterator[list[Record]]:
        """Pages of a v1 list, following `next_start` while `more_items_in_collection` is true
        (lists without paging, such as users, simply have no `pagination` block)."""
        query: dict[str, Any] = {"start": 0, "limit": self.settings.page_size, **(params or {})}
        while True:
            body = self.get(f"{self._v1}/{path}", query, obj=obj)
            rows = body.get("data") or []  # an empty v1 list is `data: null`
            if rows:
                yield list(rows)
            pagination = (body.get("additional_data") or {}).get("pagination") or {}
            if not pagination.get("more_items_in_collection"):
                return
            next_start = pagination.get("next_start")
            if next_start is None:
                next_start = int(query["start"]) + len(rows)
            if not rows or next_start <= int(query["start"]):
                raise TransientError(SOURCE, obj, f"{path} paging did not advance at start={query['start']}",
                                     "Retry later; report it if it persists")
            query = {**query, "start": next_start}

    def list_v1(self, path: str, *, obj: str) -> list[Record]:
        """All records of a small v1 list (users, activity types, deal or organization fields)."""
        return [row for page in self.iter_v1(path, obj=obj) for row in page]

    def check_connection(self) -> str:
        """One cheap call (`users/me`); a short description of the account."""
        me = self.get(f"{self._v1}/users/me", obj="users").get("data") or {}
        domain = me.get("company_domain") or "?"
        return f"Pipedrive company {domain} (user {me.get('email') or me.get('id')})"
