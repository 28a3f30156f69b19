"""The Salesforce API client wrapper: login in every supported mode, describe, COUNT(), REST query
pages and Bulk API 2.0 query pages, each call retried on transient faults and guarded by the daily
API budget."""

from __future__ import annotations

import csv
import io
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.bulk2 import Operation, _Bulk2Client
from simple_salesforce.exceptions import SalesforceExpiredSession

from connectors.common.errors import BudgetExhausted, ConfigError, RequestError, TransientError
from connectors.common.retry import call_with_retry
from connectors.salesforce.errors import map_error
from connectors.salesforce.settings import SKIPPED_FIELD_TYPES, SOURCE, Settings
from connectors.salesforce.transport import USAGE_RE, adapter_of, build_session

T = TypeVar("T")
log = logging.getLogger(__name__)
CsvRow = dict[str, str | None]


def _https(url: str) -> str:
    return url if "://" in url else f"https://{url}"


def _jwt_prefix(instance_url: str | None) -> str | None:
    """simple-salesforce takes the JWT token host as a prefix of `.salesforce.com` (`acme.my`)."""
    if not instance_url:
        return None
    host = urlsplit(_https(instance_url)).hostname or ""
    return host[: -len(".salesforce.com")] if host.endswith(".salesforce.com") else host


class Client:
    """One Salesforce org: `request_count`, `usage`, `check_connection()`, describe, counts and pages.

    `session` may be injected (tests point the login hosts at a local server through
    `transport.build_session(rewrite_to=...)`); by default a session with the configured CA bundle
    and timeout is built. `budget_exhausted` is set once the remaining daily API budget falls to the
    reserve: later calls raise it at once, and the source stops cleanly."""

    def __init__(
        self,
        settings: Settings,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.session = session or build_session(verify=settings.ca_bundle or True, timeout=settings.timeout)
        self._adapter = adapter_of(self.session)
        self._hook_count = 0
        self._hook_usage: tuple[int, int] | None = None
        if self._adapter is None:
            self.session.hooks["response"].append(self._on_response)
        self._sleep = sleep
        self._sf: Salesforce | None = None
        self._lock = threading.RLock()
        self._global: dict[str, dict[str, Any]] | None = None
        self._describes: dict[str, dict[str, Any]] = {}
        self.budget_exhausted: BudgetExhausted | None = None
        self.unavailable: dict[str, str] = {}  # object -> why it was skipped

    # -- accounting --------------------------------------------------------------------------------
    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._hook_count += 1
        m = USAGE_RE.search(response.headers.get("Sforce-Limit-Info", ""))
        if m:
            self._hook_usage = (int(m.group(1)), int(m.group(2)))

    @property
    def request_count(self) -> int:
        """HTTP requests sent (logins, retries and bulk polls included)."""
        return self._adapter.request_count if self._adapter else self._hook_count

    @property
    def usage(self) -> tuple[int, int] | None:
        """(requests used today, daily limit) as last reported by the org."""
        return self._adapter.usage if self._adapter else self._hook_usage

    def _guard(self, obj: str | None) -> None:
        if self.budget_exhausted is not None:
            raise self.budget_exhausted
        usage = self.usage
        if usage is None:
            return
        used, total = usage
        reserve = math.ceil(total * self.settings.budget_reserve)
        if total - used <= reserve:
            self.budget_exhausted = BudgetExhausted(
                SOURCE,
                obj,
                f"API usage is {used}/{total}, leaving {total - used} requests, at or under the "
                f"reserve of {reserve}",
                "The sync stopped after landing what it had fetched and resumes from its cursors when the "
                "budget allows; lower SALESFORCE_API_BUDGET_RESERVE to let it use more of the daily limit",
            )
            raise self.budget_exhausted

    # -- calls -------------------------------------------------------------------------------------
    def call(self, obj: str | None, fn: Callable[[Salesforce], T]) -> T:
        """`fn(sf)` with budget guard, error mapping and retries; renews login sessions once if expired."""
        renewed = False

        def attempt() -> T:
            nonlocal renewed
            self._guard(obj)
            try:
                return fn(self.sf)
            except SalesforceExpiredSession as exc:
                if self.settings.auth_mode != "token" and not renewed:
                    renewed = True  # bulk calls do not renew sessions themselves: log in again once
                    with self._lock:
                        self._sf = None
                    raise TransientError(SOURCE, obj, "session expired", "Logging in again") from exc
                raise self._mapped(exc, obj) from exc
            except Exception as exc:
                raise self._mapped(exc, obj) from exc

        return call_with_retry(
            attempt,
            source=SOURCE,
            obj=obj,
            max_attempts=self.settings.max_attempts,
            base_delay=self.settings.retry_base_delay,
            max_delay=self.settings.retry_max_delay,
            sleep=self._sleep,
        )

    def _mapped(self, exc: BaseException, obj: str | None) -> Exception:
        err = map_error(
            exc, obj, direct_session=self.settings.auth_mode == "token", secrets=self.settings.secrets()
        )
        if isinstance(err, BudgetExhausted):
            self.budget_exhausted = err
        return err

    @property
    def sf(self) -> Salesforce:
        """The simple-salesforce handle, logging in on first use."""
        with self._lock:
            if self._sf is None:
                self._sf = self._login()
            return self._sf

    def _login(self) -> Salesforce:
        s = self.settings
        common: dict[str, Any] = {"session": self.session, "version": s.api_version}
        try:
            if s.auth_mode == "token":
                return Salesforce(
                    instance_url=_https(s.instance_url or ""), session_id=s.access_token, **common
                )
            if s.auth_mode == "password":
                return Salesforce(
                    username=s.username,
                    password=s.password,
                    security_token=s.security_token,
                    domain=s.domain,
                    **common,
                )
            if s.auth_mode == "jwt":
                return Salesforce(
                    username=s.username,
                    consumer_key=s.consumer_key,
                    privatekey_file=s.private_key_file,
                    privatekey=s.private_key,
                    instance_url=_jwt_prefix(s.instance_url),
                    domain=s.domain,
                    **common,
                )
            if s.auth_mode == "client_credentials":
                return Salesforce(
                    consumer_key=s.consumer_key, consumer_secret=s.consumer_secret, domain=s.domain, **common
                )
        except (AttributeError, TypeError) as exc:
            # simple-salesforce reads login answers loosely; a malformed answer surfaces as these.
            raise TransientError(
                SOURCE, None, f"unreadable login answer ({type(exc).__name__})", "Retrying"
            ) from exc
        raise ConfigError(
            SOURCE,
            None,
            f"unknown auth mode {s.auth_mode!r}",
            "Use Settings.from_env to pick token, password, jwt or client_credentials",
        )

    # -- metadata ----------------------------------------------------------------------------------
    def check_connection(self) -> str:
        """One cheap call (`/limits`); a short description of the org and its remaining API budget."""
        limits = self.call(None, lambda sf: sf.limits())
        daily = limits.get("DailyApiRequests", {}) if isinstance(limits, dict) else {}
        return (
            f"Salesforce org at {self.sf.sf_instance} ({self.settings.auth_mode} auth, API v"
            f"{self.settings.api_version}): {daily.get('Remaining', '?')} of {daily.get('Max', '?')} daily API "
            "requests left"
        )

    def objects(self) -> dict[str, dict[str, Any]]:
        """The org's objects from describe global, by name."""
        if self._global is None:
            body = self.call(None, lambda sf: sf.describe()) or {}
            self._global = {o["name"]: o for o in body.get("sobjects", [])}
        return self._global

    def unavailable_reason(self, sobject: str) -> str | None:
        """Why an object cannot be read in this org, or None when it can."""
        entry = self.objects().get(sobject)
        if entry is None:
            return "not in this org (feature not enabled, or no permission to see it)"
        if not entry.get("queryable", True):
            return "not queryable for the integration user"
        return None

    def describe(self, sobject: str) -> dict[str, Any]:
        """The object's describe (fetched once per client)."""
        if sobject not in self._describes:
            self._describes[sobject] = self.call(sobject, lambda sf: getattr(sf, sobject).describe())
        return self._describes[sobject]

    def field_types(self, sobject: str) -> dict[str, str]:
        """Queryable fields of an object and their describe types, in describe order."""
        return {
            f["name"]: f["type"]
            for f in self.describe(sobject).get("fields", [])
            if f.get("type") not in SKIPPED_FIELD_TYPES
        }

    # -- data --------------------------------------------------------------------------------------
    def count(self, sobject: str, where: str | None = None, *, include_deleted: bool = False) -> int:
        """`SELECT COUNT() FROM <sobject> [WHERE ...]` through query (or queryAll with deleted rows)."""
        soql = f"SELECT COUNT() FROM {sobject}" + (f" WHERE {where}" if where else "")
        result = self.call(sobject, lambda sf: sf.query(soql, include_deleted=include_deleted))
        return int(result["totalSize"])

    def rest_pages(
        self, sobject: str, soql: str, *, include_deleted: bool = True
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of records from the REST query API (`queryAll` when include_deleted), following
        nextRecordsUrl; each page fetch is retried on its own."""
        headers = {"Sforce-Query-Options": f"batchSize={self.settings.rest_batch_size}"}
        page = self.call(sobject, lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers))
        while True:
            yield [{k: v for k, v in r.items() if k != "attributes"} for r in page.get("records", [])]
            if page.get("done", True):
                return
            next_url = str(page["nextRecordsUrl"])

            def more(sf: Salesforce, url: str = next_url) -> Any:
                return sf.query_more(url, identifier_is_url=True, headers=headers)

            page = self.call(sobject, more)

    def _bulk(self, sobject: str) -> _Bulk2Client:
        # The job steps are driven one by one (instead of simple-salesforce's all-in-one generator)
        # so each poll and each results page is retried on its own and a renewed session is picked up.
        sf = self.sf
        headers = {
            "Content-Type": "application/json",
            "Authorization": "Bearer " + sf.session_id,
            "X-PrettyPrint": "1",
        }
        return _Bulk2Client(sobject, sf.bulk2_url, headers, self.session)

    def bulk_pages(self, sobject: str, soql: str, *, include_deleted: bool = True) -> Iterator[list[CsvRow]]:
        """Pages of records (all values text, empty = None) from a Bulk API 2.0 query job."""
        operation = Operation.query_all if include_deleted else Operation.query
        job = self.call(sobject, lambda sf: self._bulk(sobject).create_job(operation, soql))
        job_id = str(job["id"])
        deadline = time.monotonic() + self.settings.bulk_timeout
        while True:
            info = self.call(sobject, lambda sf: self._bulk(sobject).get_job(job_id, True))
            state = info.get("state")
            if state == "JobComplete":
                break
            if state in ("Failed", "Aborted"):
                raise RequestError(
                    SOURCE,
                    sobject,
                    f"Bulk API query job {job_id} ended {state}: {info.get('errorMessage') or 'no message'}",
                    "Check the job in Setup > Bulk Data Load Jobs; the next sync retries it",
                )
            if time.monotonic() > deadline:
                raise TransientError(
                    SOURCE,
                    sobject,
                    f"Bulk API query job {job_id} still {state} after {self.settings.bulk_timeout:.0f}s",
                    "The next sync retries it",
                )
            self._sleep(self.settings.bulk_poll_interval)
        locator = ""
        while True:

            def results(sf: Salesforce, loc: str = locator) -> Any:
                return self._bulk(sobject).get_query_results(job_id, loc, self.settings.bulk_page_size)

            page = self.call(sobject, results)
            yield parse_csv(str(page["records"]))
            locator = str(page.get("locator") or "")
            if not locator:
                return


def parse_csv(text: str) -> list[CsvRow]:
    """Rows of a Bulk API CSV page (header row first); empty values are nulls."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return []
    return [
        {name: (value if value != "" else None) for name, value in zip(header, row, strict=False)}
        for row in reader
        if row
    ]
