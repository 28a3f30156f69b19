"""Strict parsing of record fields, and quarantine of records that do not parse.

A bad record never stops a sync and is never dropped: `reject` turns it into a row of the
`_rejected_records` table, landed in the same dlt load as the good rows (so atomically with the
cursor) and exposed to operators as `ops.rejected_records`."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, date, datetime
from typing import Any

import dlt

REJECTED_TABLE = "_rejected_records"


def reject(source: str, obj: str, record_id: Any, reason: str, payload: Any) -> Any:
    """An item to `yield` from a dlt resource that lands the bad record in `_rejected_records`."""
    row = {
        "rejection_id": uuid.uuid4().hex,
        "source": source,
        "object": obj,
        "record_id": None if record_id is None else str(record_id),
        "reason": reason,
        "payload": json.dumps(payload, default=str, ensure_ascii=False),
        "rejected_at": datetime.now(UTC),
    }
    return dlt.mark.with_hints(
        row,
        dlt.mark.make_hints(
            table_name=REJECTED_TABLE,
            write_disposition="append",
            primary_key="rejection_id",
            merge_key=(),
            columns=[
                {"name": "record_id", "data_type": "text", "nullable": True},
                {"name": "payload", "data_type": "text"},
            ],
        ),
        create_table_variant=True,
    )


def parse_datetime(value: Any, *, field: str) -> datetime | None:
    """ISO 8601 / Salesforce / Pipedrive v1 timestamps, epoch milliseconds; naive means UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value) / 1000.0, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) >= 12:
            return datetime.fromtimestamp(int(text) / 1000.0, tz=UTC)
        norm = text.replace("Z", "+00:00")
        if len(norm) >= 5 and norm[-5] in "+-" and norm[-3] != ":" and "T" in norm:
            norm = norm[:-2] + ":" + norm[-2:]  # +0000 -> +00:00
        try:
            parsed = datetime.fromisoformat(norm)
        except ValueError:
            raise ValueError(f"{field}: {value!r} is not a timestamp") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"{field}: {value!r} is not a timestamp")


def parse_date(value: Any, *, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError(f"{field}: {value!r} is not a date (YYYY-MM-DD)") from None
    raise ValueError(f"{field}: {value!r} is not a date (YYYY-MM-DD)")


def parse_float(value: Any, *, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{field}: {value!r} is not a number")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: {value!r} is not a number") from None
    if math.isnan(out) or math.isinf(out):
        raise ValueError(f"{field}: {value!r} is not a finite number")
    return out


def parse_bool(value: Any, *, field: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"{field}: {value!r} is not a boolean")
