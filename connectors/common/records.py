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


# Epoch milliseconds `datetime` can hold: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.
_MIN_EPOCH_MS = -62_135_596_800_000
_MAX_EPOCH_MS = 253_402_300_799_999


def _from_epoch_ms(ms: float, value: Any, field: str) -> datetime:
    """An epoch-milliseconds number as an aware timestamp, or a ValueError naming the field and value
    (NaN, infinities and moments outside years 1-9999 would otherwise raise OverflowError/OSError)."""
    if not math.isfinite(ms) or not _MIN_EPOCH_MS <= ms <= _MAX_EPOCH_MS:
        raise ValueError(f"{field}: {value!r} is not a timestamp (epoch milliseconds outside years 1-9999)")
    try:
        return datetime.fromtimestamp(ms / 1000.0, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{field}: {value!r} is not a timestamp (epoch milliseconds out of range)") from None


def parse_datetime(value: Any, *, field: str) -> datetime | None:
    """ISO 8601 / Salesforce / Pipedrive v1 timestamps, epoch milliseconds; naive means UTC.
    Anything else raises ValueError starting with the field name and showing the value."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            ms = float(value)
        except OverflowError:  # an int too large for a float
            raise ValueError(f"{field}: {value!r} is not a timestamp (epoch milliseconds out of range)") from None
        return _from_epoch_ms(ms, value, field)
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only: str.isdigit also accepts superscripts and other scripts' digits
        if text.isascii() and text.isdigit() and len(text) >= 12:
            if len(text) > 20:  # far past year 9999 (and past int()'s digit limit for huge strings)
                raise ValueError(f"{field}: {value!r} is not a timestamp (epoch milliseconds outside years 1-9999)")
            return _from_epoch_ms(int(text), value, field)
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
    """A date (`YYYY-MM-DD`, or the date part of a timestamp); ValueError naming field and value."""
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
    """A finite float; booleans, NaN and infinities are refused with a ValueError naming the field."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{field}: {value!r} is not a number")
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int past the float range
        raise ValueError(f"{field}: {value!r} is not a number") from None
    if math.isnan(out) or math.isinf(out):
        raise ValueError(f"{field}: {value!r} is not a finite number")
    return out


def parse_bool(value: Any, *, field: str) -> bool | None:
    """true/false, 1/0, yes/no (any case); ValueError naming the field and value otherwise."""
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
