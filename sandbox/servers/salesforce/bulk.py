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
from typing import Any

from sandbox.servers.salesforce.evaluate import Plan

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
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    """The row offset a locator stands for; ValueError when it is not one of ours."""
    raw = base64.urlsafe_b64decode(locator + "=" * (-len(locator) % 4)).decode()
    offset = int(raw)
    if offset < 0:
        raise ValueError(locator)
    return offset


def _csv_value(ftype: str, value: Any) -> str:
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
