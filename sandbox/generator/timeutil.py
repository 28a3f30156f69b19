"""Time in the simulation: seconds and day numbers since 1970-01-01 UTC, fiscal periods, and the
timestamp formats each CRM uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np

DAY = 86400
EPOCH = date(1970, 1, 1)
NEVER = np.int64(2**62)  # "no such event" in int64 second arrays


def day_of(d: date) -> int:
    """Day number of a date."""
    return (d - EPOCH).days


def date_of(day: int) -> date:
    """Date of a day number."""
    return EPOCH + timedelta(days=int(day))


def seconds_of(moment: date | datetime) -> int:
    """Seconds since the epoch of a datetime (naive = UTC) or of a date's midnight."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    return day_of(moment) * DAY


def dt_of(seconds: int) -> datetime:
    """Aware UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(int(seconds), tz=UTC)


@lru_cache(maxsize=65536)
def iso_date(day: int) -> str:
    """`YYYY-MM-DD` of a day number."""
    return date_of(day).isoformat()


def _clock(seconds: int) -> tuple[str, str]:
    day, rest = divmod(int(seconds), DAY)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return iso_date(day), f"{h:02d}:{m:02d}:{s:02d}"


def sf_datetime(seconds: int) -> str:
    """Salesforce REST datetime: `2024-06-10T11:00:00.000+0000`."""
    d, t = _clock(seconds)
    return f"{d}T{t}.000+0000"


def iso_ms(seconds: int) -> str:
    """HubSpot datetime: ISO 8601 UTC with milliseconds and `Z`."""
    d, t = _clock(seconds)
    return f"{d}T{t}.000Z"


def rfc3339(seconds: int) -> str:
    """Pipedrive v2 datetime: `2024-06-10T11:00:00Z`."""
    d, t = _clock(seconds)
    return f"{d}T{t}Z"


def pd_v1(seconds: int) -> str:
    """Pipedrive v1 datetime: `2024-06-10 11:00:00`."""
    d, t = _clock(seconds)
    return f"{d} {t}"


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 for day numbers (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def add_months(d: date, months: int) -> date:
    """First-of-month arithmetic: `d` must be the first of a month."""
    total = d.year * 12 + (d.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def month_start(d: date) -> date:
    """First day of the month of `d`."""
    return date(d.year, d.month, 1)


def quarter_start(d: date, fy_start_month: int) -> date:
    """First day of the fiscal quarter containing `d` (quarters start on the fiscal start month)."""
    offset = (d.month - fy_start_month) % 3
    return add_months(month_start(d), -offset)


def week_start(d: date) -> date:
    """Monday of the ISO week of `d`."""
    return d - timedelta(days=d.weekday())


def fiscal_year_quarter(d: date, fy_start_month: int) -> tuple[int, int]:
    """(fiscal year named after the year it starts in, quarter 1-4) of a date."""
    months_in = (d.month - fy_start_month) % 12
    start_year = d.year if d.month >= fy_start_month else d.year - 1
    return start_year, months_in // 3 + 1


def periods(grain: str, start: date, end: date, fy_start_month: int) -> list[tuple[date, date]]:
    """Half-open periods `[ps, pe)` of a grain with `start <= ps` and `pe <= end`."""
    out: list[tuple[date, date]] = []
    if grain == "week":
        ps = week_start(start)
        if ps < start:
            ps += timedelta(days=7)
        while ps + timedelta(days=7) <= end:
            out.append((ps, ps + timedelta(days=7)))
            ps += timedelta(days=7)
        return out
    step = 1 if grain == "month" else 3
    ps = month_start(start) if grain == "month" else quarter_start(start, fy_start_month)
    if ps < start:
        ps = add_months(ps, step)
    while add_months(ps, step) <= end:
        out.append((ps, add_months(ps, step)))
        ps = add_months(ps, step)
    return out


def period_start_days(grain: str, days: np.ndarray, fy_start_month: int) -> np.ndarray:
    """Day number of the period start (week / month / fiscal quarter) of each day number."""
    days = np.asarray(days, dtype=np.int64)
    if grain == "week":
        return days - weekday(days)
    d64 = days.astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    if grain == "quarter":
        month_index = months.astype(np.int64)  # months since 1970-01
        offset = (month_index % 12 + 1 - fy_start_month) % 3
        months = (month_index - offset).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)


def business_time(rng: np.random.Generator, days: np.ndarray, weekend_ok: float = 0.0) -> np.ndarray:
    """Epoch seconds within business hours on the given days; weekend days move to Monday
    except for a `weekend_ok` share."""
    from .settings import BUSINESS_HOURS_UTC

    days = np.asarray(days, dtype=np.int64).copy()
    wd = weekday(days)
    move = (wd >= 5) & (rng.random(days.shape) >= weekend_ok)
    days[move] += 7 - wd[move]
    lo, hi = BUSINESS_HOURS_UTC
    secs = rng.integers(lo * 3600, hi * 3600, size=days.shape)
    return days * DAY + secs
