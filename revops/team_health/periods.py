"""Calendar arithmetic on day numbers, shared by the team-health computations.

Dates are handled as int64 day numbers (days since 1970-01-01) and months as int64 month numbers
(months since 1970-01) so that whole populations can be processed with numpy instead of row loops.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

EPOCH = date(1970, 1, 1)
# An open end (still employed, absence without an end) is represented by a day far in the future.
OPEN_DAY = 10**6
NO_DAY = int(np.iinfo(np.int64).min)


def day_number(d: date) -> int:
    """Day number of a calendar date."""
    return (d - EPOCH).days


def day_to_date(day: int) -> date:
    """Calendar date of a day number."""
    return EPOCH + timedelta(days=int(day))


def days_of(values: pd.Series | list[object], *, open_value: int | None = None) -> np.ndarray:
    """Day numbers of a column of dates; missing values become `open_value` (or NO_DAY when None)."""
    series = pd.Series(values)
    stamps = pd.to_datetime(series, errors="raise")
    days: np.ndarray = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    missing = stamps.isna().to_numpy()
    days[missing] = NO_DAY if open_value is None else open_value
    return days


def month_of_day(days: np.ndarray | int) -> np.ndarray:
    """Month number of each day number."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start_day(months: np.ndarray | int) -> np.ndarray:
    """Day number of the first day of each month number."""
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def month_to_date(month: int) -> date:
    """First day of a month number as a calendar date."""
    return day_to_date(int(month_start_day(month)))


def days_to_dates(days: np.ndarray) -> np.ndarray:
    """Calendar dates (object array) of day numbers; NaN or NO_DAY gives None."""
    values = np.asarray(days, dtype=np.float64)
    known = ~np.isnan(values) & (values != float(NO_DAY))
    out = np.full(values.shape, None, dtype=object)
    if known.any():
        unique, inverse = np.unique(values[known].astype(np.int64), return_inverse=True)
        out[known] = np.array([day_to_date(int(d)) for d in unique], dtype=object)[inverse]
    return out


def months_to_dates(months: np.ndarray) -> np.ndarray:
    """First days (object array of dates) of month numbers."""
    return days_to_dates(month_start_day(np.asarray(months, dtype=np.int64)))


def add_months(days: np.ndarray, k: np.ndarray | int) -> np.ndarray:
    """Same day of the month k months later, clipped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    days = np.asarray(days, dtype=np.int64)
    month = month_of_day(days)
    day_in_month = days - month_start_day(month)
    target = month + np.asarray(k, dtype=np.int64)
    target_start = month_start_day(target)
    target_length = month_start_day(target + 1) - target_start
    result: np.ndarray = target_start + np.minimum(day_in_month, target_length - 1)
    return result


def weekdays_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Monday–Friday days in the half-open ranges [start, end); 0 for empty ranges. Broadcasts."""
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    start, end = np.broadcast_arrays(start, end)
    count = np.busday_count(start.astype("datetime64[D]"), np.maximum(start, end).astype("datetime64[D]"))
    return count.astype(np.int64)


def is_weekday(days: np.ndarray) -> np.ndarray:
    """True for day numbers falling Monday to Friday."""
    # 1970-01-01 was a Thursday: day 0 has weekday index 3 (Monday = 0).
    return ((np.asarray(days, dtype=np.int64) + 3) % 7) < 5


def fiscal_quarter_start(days: np.ndarray, fiscal_year_start_month: int) -> np.ndarray:
    """Day number of the first day of the fiscal quarter containing each day."""
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError(
            f"team_health: fiscal_year_start_month must be 1–12, got {fiscal_year_start_month}; "
            "set company.fiscal_year_start_month in revops.yml to a month number"
        )
    month = month_of_day(days)
    offset = (month - (fiscal_year_start_month - 1)) % 3
    return month_start_day(month - offset)


class MonthGrid:
    """Consecutive calendar months [first_month, last_month] with their boundaries.

    Position i is month first_month + i; boundary i is the first day of that month, and boundary
    len(months) the first day of the month after the last one.
    """

    def __init__(self, first_month: int, last_month: int) -> None:
        if last_month < first_month:
            raise ValueError(f"team_health: empty month range {first_month}..{last_month}")
        self.first_month = int(first_month)
        self.last_month = int(last_month)
        self.months = np.arange(self.first_month, self.last_month + 1, dtype=np.int64)
        self.boundaries = month_start_day(np.arange(self.first_month, self.last_month + 2, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.months)

    def position(self, days: np.ndarray) -> np.ndarray:
        """Position of the month containing each day (may fall outside 0..len-1)."""
        return month_of_day(days) - self.first_month
