"""Bulk API 2.0 query jobs of the sandbox Salesforce org: create, poll, page through CSV results.

A job's result set is fixed when the job is created. Each poll moves the job one state on
(`UploadComplete` -> `InProgress` -> `JobComplete`) so that clients exercise their polling loop.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sandbox.servers.common import Request, Response
from sandbox.servers.salesforce import soql
from sandbox.servers.salesforce.errors import sf_error
from sandbox.servers.salesforce.evaluate import Plan
from sandbox.servers.salesforce.schema import native

DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
DEFAULT_MAX_RECORDS = 50000


@dataclass
class BulkJob:
    id: str
    operation: str
    sobject: str
    columns: list[str]
    types: dict[str, str]
    rows: list[dict[str, Any]]
    delimiter: str
    line_ending: str
    created: str
    version: str
    polls_to_complete: int
    fail_message: str | None = None
    polls: int = 0
    aborted: bool = False

    @property
    def state(self) -> str:
        if self.aborted:
            return "Aborted"
        if self.polls == 0:
            return "UploadComplete"
        if self.polls < self.polls_to_complete:
            return "InProgress"
        return "Failed" if self.fail_message else "JobComplete"

    def info(self) -> dict[str, Any]:
        done = self.state == "JobComplete"
        info: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": "005000000000001AAA",
            "createdDate": self.created,
            "systemModstamp": self.created,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "jobType": "V2Query",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.delimiter,
            "numberRecordsProcessed": len(self.rows) if done else 0,
            "retries": 0,
            "totalProcessingTime": 0,
        }
        if self.state == "Failed":
            info["errorMessage"] = self.fail_message
        return info


class BulkJobs:
    """Query jobs by id."""

    def __init__(self) -> None:
        self._jobs: dict[str, BulkJob] = {}
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    def create(
        self,
        *,
        operation: str,
        sobject: str,
        plan: Plan,
        rows: list[dict[str, Any]],
        types: dict[str, str],
        delimiter: str,
        line_ending: str,
        version: str,
        polls_to_complete: int,
        fail_message: str | None,
    ) -> BulkJob:
        with self._lock:
            job_id = f"750{next(self._counter):012d}AAA"
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            job = BulkJob(
                job_id,
                operation,
                sobject,
                plan.columns,
                types,
                rows,
                delimiter,
                line_ending,
                now,
                version,
                max(polls_to_complete, 1),
                fail_message,
            )
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str) -> BulkJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def delete(self, job_id: str) -> bool:
        with self._lock:
            return self._jobs.pop(job_id, None) is not None

    def all(self) -> list[BulkJob]:
        with self._lock:
            return list(self._jobs.values())


def encode_locator(offset: int) -> str:
    """An opaque results locator for a row offset (base64 of the number, as Salesforce's look)."""
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    """The row offset a locator stands for; ValueError when it is not one of ours."""
    raw = base64.urlsafe_b64decode(locator + "=" * (-len(locator) % 4)).decode()
    offset = int(raw)
    if offset < 0:
        raise ValueError(locator)
    return offset


def _csv_value(ftype: str, value: Any) -> str:
    value = native(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if ftype == "datetime" and isinstance(value, str) and value.endswith("+0000"):
        return value[:-5] + "Z"  # the bulk API writes UTC datetimes with a Z
    return str(value)


def results_page(job: BulkJob, offset: int, max_records: int) -> tuple[str, int, int | None]:
    """(CSV text with a header row, records on the page, next offset or None on the last page)."""
    chunk = job.rows[offset : offset + max_records]
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=DELIMITERS[job.delimiter],
        lineterminator=LINE_ENDINGS[job.line_ending],
        quoting=csv.QUOTE_ALL,
    )
    writer.writerow(job.columns)
    for record in chunk:
        writer.writerow([_csv_value(job.types.get(c, "string"), record.get(c)) for c in job.columns])
    end = offset + len(chunk)
    return out.getvalue(), len(chunk), (end if end < len(job.rows) else None)


class Org(Protocol):
    """What the job handlers need from the server."""

    bulk_polls_to_complete: int
    bulk_fail_message: str | None

    def execute(self, query: soql.Query, include_deleted: bool) -> tuple[str, Plan, list[dict[str, Any]]]: ...

    def fields(self, sobject: str) -> list[dict[str, Any]]: ...


class BulkQueryApi:
    """The `/jobs/query` endpoints of one org."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.jobs = BulkJobs()

    @staticmethod
    def _bulk_error(status: int, message: str) -> Response:
        return sf_error(status, "INVALIDJOB", message)

    def create(self, request: Request) -> Response:
        """`POST /jobs/query`: check the query and fix its result set; the job starts UploadComplete."""
        m = request.match
        assert m is not None
        try:
            body = request.json()
        except ValueError:
            return self._bulk_error(400, "The request body is not valid JSON")
        if not isinstance(body, dict):
            return self._bulk_error(400, "The request body must be a JSON object")
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            return self._bulk_error(400, f"Invalid operation {operation!r}: use query or queryAll")
        delimiter = body.get("columnDelimiter", "COMMA")
        line_ending = body.get("lineEnding", "LF")
        if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
            return self._bulk_error(
                400, f"Unsupported columnDelimiter {delimiter!r} or lineEnding {line_ending!r}"
            )
        try:
            query = soql.parse(body.get("query") or "")
            if query.count is not None or query.offset is not None:
                raise soql.SoqlError(
                    "MALFORMED_QUERY", "Aggregate functions and OFFSET are not supported by Bulk API 2.0"
                )
            sobject, checked, rows = self.org.execute(query, include_deleted=operation == "queryAll")
        except soql.SoqlError as exc:
            return self._bulk_error(400, f"{exc.code}: {exc.message}")
        types = {f["name"]: f["type"] for f in self.org.fields(sobject)}
        job = self.jobs.create(
            operation=operation,
            sobject=sobject,
            plan=checked,
            rows=rows,
            types=types,
            delimiter=delimiter,
            line_ending=line_ending,
            version=m["ver"],
            polls_to_complete=self.org.bulk_polls_to_complete,
            fail_message=self.org.bulk_fail_message,
        )
        return Response(200, job.info())

    def list_jobs(self, request: Request) -> Response:
        """`GET /jobs/query`: every job of the org, in one page."""
        return Response(
            200, {"done": True, "records": [j.info() for j in self.jobs.all()], "nextRecordsUrl": None}
        )

    def _job(self, request: Request) -> BulkJob | None:
        assert request.match is not None
        return self.jobs.get(request.match["job"])

    def info(self, request: Request) -> Response:
        """`GET /jobs/query/{id}`: the job's state, moved one step on by each poll."""
        job = self._job(request)
        if job is None:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        job.polls += 1
        return Response(200, job.info())

    def abort(self, request: Request) -> Response:
        """`PATCH /jobs/query/{id}` with `{"state": "Aborted"}`."""
        job = self._job(request)
        if job is None:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        try:
            state = (request.json() or {}).get("state")
        except (ValueError, AttributeError):
            state = None
        if state != "Aborted":
            return self._bulk_error(400, 'Only {"state": "Aborted"} can be set on a query job')
        job.aborted = True
        return Response(200, job.info())

    def delete(self, request: Request) -> Response:
        """`DELETE /jobs/query/{id}`."""
        assert request.match is not None
        if not self.jobs.delete(request.match["job"]):
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        return Response(204, None)

    def results(self, request: Request) -> Response:
        """`GET /jobs/query/{id}/results`: one CSV page, `Sforce-NumberOfRecords` and `Sforce-Locator`."""
        job = self._job(request)
        if job is None:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        if job.state != "JobComplete":
            return self._bulk_error(400, f"Job {job.id} is {job.state}; results exist once it is JobComplete")
        try:
            max_records = int(request.arg("maxRecords") or DEFAULT_MAX_RECORDS)
            locator = request.arg("locator")
            offset = decode_locator(locator) if locator else 0
        except ValueError:
            return self._bulk_error(
                400, "maxRecords must be a positive integer and locator one this job returned"
            )
        if max_records <= 0 or offset > len(job.rows):
            return self._bulk_error(400, "maxRecords must be positive and the locator within the results")
        text, count, next_offset = results_page(job, offset, max_records)
        headers = {
            "Sforce-NumberOfRecords": str(count),
            "Sforce-Locator": "null" if next_offset is None else encode_locator(next_offset),
        }
        return Response(200, text, headers, content_type="text/csv; charset=UTF-8")
