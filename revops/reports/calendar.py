"""Period arithmetic for the reports: ISO weeks, calendar months and fiscal quarters (docs/kpis.md).

Kept local so that rendering a report does not import the forecast package and its model libraries."""

from __future__ import annotations

from datetime import date, timedelta


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `d`."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def week_start(d: date) -> date:
    """Monday of the ISO week containing `d`."""
    return d - timedelta(days=d.weekday())


def month_start(d: date) -> date:
    """First day of the calendar month containing `d`."""
    return d.replace(day=1)


def quarter_start(d: date, fiscal_year_start_month: int) -> date:
    """First day of the fiscal quarter containing `d`."""
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError(
            f"fiscal_year_start_month={fiscal_year_start_month!r} is not a month number; set "
            "company.fiscal_year_start_month in revops.yml to 1 (January) … 12 (December)"
        )
    return add_months(d.replace(day=1), -((d.month - fiscal_year_start_month) % 3))


def review_week(as_of: date) -> date:
    """The ISO week a weekly review looks at: the week holding the day before `as_of`, so a Monday
    review covers the week that just ended and a mid-week run covers the week so far."""
    return week_start(as_of - timedelta(days=1))


def last_complete_month(as_of: date) -> date:
    """First day of the last calendar month that ended on or before `as_of`."""
    return add_months(month_start(as_of), -1)


def quarter_label(start: date, fiscal_year_start_month: int) -> str:
    """'Q3 FY2025': a fiscal year is named after the calendar year in which it ends."""
    offset = (start.month - fiscal_year_start_month) % 12
    fy_end_year = add_months(add_months(start.replace(day=1), -offset), 11).year
    return f"Q{offset // 3 + 1} FY{fy_end_year}"


def month_label(start: date) -> str:
    """'March 2025'."""
    return f"{start:%B %Y}"


def week_label(start: date) -> str:
    """'week of 3 Mar 2025' (ISO week, Monday start)."""
    return f"week of {start.day} {start:%b %Y}"
