"""Fiscal calendar helpers: weeks are ISO weeks, months are calendar months, quarters start on the
fiscal-year start month and every third month after it. Periods are half-open [start, end)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

Grain = Literal["week", "month", "quarter"]
GRAINS: tuple[Grain, ...] = ("week", "month", "quarter")


def _check_fiscal_month(fiscal_year_start_month: int) -> None:
    if not isinstance(fiscal_year_start_month, int) or not 1 <= fiscal_year_start_month <= 12:
        raise ValueError(
            f"fiscal_year_start_month={fiscal_year_start_month!r} is not a month number; set "
            "company.fiscal_year_start_month in revops.yml to an integer from 1 (January) to 12"
        )


def add_months(d: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return date(year, month, min(d.day, last_day))


def month_start(d: date) -> date:
    """First day of the calendar month containing `d`."""
    return d.replace(day=1)


def iso_week_start(d: date) -> date:
    """Monday of the ISO week containing `d`."""
    return d - timedelta(days=d.weekday())


def fiscal_quarter_start(d: date, fiscal_year_start_month: int) -> date:
    """First day of the fiscal quarter containing `d`."""
    _check_fiscal_month(fiscal_year_start_month)
    offset = (d.month - fiscal_year_start_month) % 3
    return add_months(d.replace(day=1), -offset)


def fiscal_year_start(d: date, fiscal_year_start_month: int) -> date:
    """First day of the fiscal year containing `d`."""
    _check_fiscal_month(fiscal_year_start_month)
    offset = (d.month - fiscal_year_start_month) % 12
    return add_months(d.replace(day=1), -offset)


def period_start(d: date, grain: Grain, fiscal_year_start_month: int = 1) -> date:
    """First day of the period of `grain` containing `d`."""
    if grain == "week":
        return iso_week_start(d)
    if grain == "month":
        return month_start(d)
    if grain == "quarter":
        return fiscal_quarter_start(d, fiscal_year_start_month)
    raise ValueError(f"unknown period grain {grain!r}; use one of {', '.join(GRAINS)}")


def next_period_start(start: date, grain: Grain) -> date:
    """First day of the period after the one starting on `start` (= that period's end)."""
    if grain == "week":
        return start + timedelta(days=7)
    if grain == "month":
        return add_months(start, 1)
    if grain == "quarter":
        return add_months(start, 3)
    raise ValueError(f"unknown period grain {grain!r}; use one of {', '.join(GRAINS)}")


def previous_period_start(start: date, grain: Grain) -> date:
    """First day of the period before the one starting on `start`."""
    if grain == "week":
        return start - timedelta(days=7)
    if grain == "month":
        return add_months(start, -1)
    if grain == "quarter":
        return add_months(start, -3)
    raise ValueError(f"unknown period grain {grain!r}; use one of {', '.join(GRAINS)}")


def period_bounds(d: date, grain: Grain, fiscal_year_start_month: int = 1) -> tuple[date, date]:
    """(start, end) of the period of `grain` containing `d`; end is exclusive."""
    start = period_start(d, grain, fiscal_year_start_month)
    return start, next_period_start(start, grain)


def completed_periods(
    as_of: date, grain: Grain, count: int, fiscal_year_start_month: int = 1
) -> list[tuple[date, date]]:
    """The last `count` periods that ended on or before `as_of`, oldest first."""
    start = previous_period_start(period_start(as_of, grain, fiscal_year_start_month), grain)
    out: list[tuple[date, date]] = []
    for _ in range(max(count, 0)):
        out.append((start, next_period_start(start, grain)))
        start = previous_period_start(start, grain)
    return out[::-1]


def week_starts_within(start: date, end: date) -> list[date]:
    """ISO week starts (Mondays) strictly after `start` and before `end`."""
    monday = iso_week_start(start) + timedelta(days=7)
    out: list[date] = []
    while monday < end:
        out.append(monday)
        monday += timedelta(days=7)
    return out


def fiscal_quarter_label(start: date, fiscal_year_start_month: int) -> str:
    """Label such as 'Q3 FY2025'; a fiscal year is named after the calendar year in which it ends."""
    fy_start = fiscal_year_start(start, fiscal_year_start_month)
    quarter = ((start.month - fiscal_year_start_month) % 12) // 3 + 1
    fy_end_year = add_months(fy_start, 11).year
    return f"Q{quarter} FY{fy_end_year}"
