"""Calendar helpers for alert periods: period ends and a period's position inside its fiscal quarter.

Quarter position (used by `seasonality: quarter_position`):

- month grain: the month's place in its fiscal quarter, 1, 2 or 3;
- week grain: the number of whole weeks from the week's Monday to the end of its fiscal quarter,
  0 for the quarter's last week, 1 for the one before, and so on. The week belongs to the quarter
  that contains its Monday. Counting back from the quarter end keeps the end-of-quarter push (the
  strongest seasonal effect in pipeline KPIs) aligned across quarters of 13 and 14 Mondays.
"""

from __future__ import annotations

from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The first-of-month `months` after the month of `day` (only used on period starts)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_end(grain: str, start: date) -> date:
    """First day of the next period (periods are half-open)."""
    if grain == "week":
        return start + timedelta(days=7)
    if grain == "month":
        return add_months(start, 1)
    if grain == "quarter":
        return add_months(start, 3)
    raise ValueError(f"unknown grain {grain!r}; allowed: week, month, quarter")


def fiscal_quarter_start(day: date, fiscal_year_start_month: int) -> date:
    """First day of the fiscal quarter containing `day`."""
    offset = (day.month - fiscal_year_start_month) % 3
    return add_months(date(day.year, day.month, 1), -offset)


def quarter_position(grain: str, period_start: date, fiscal_year_start_month: int) -> int:
    """Position of a week or month inside its fiscal quarter (see the module docstring)."""
    if grain == "month":
        return (period_start.month - fiscal_year_start_month) % 3 + 1
    if grain == "week":
        quarter_end = add_months(fiscal_quarter_start(period_start, fiscal_year_start_month), 3)
        return ((quarter_end - period_start).days - 1) // 7
    raise ValueError(f"quarter position is defined for week and month grains, not {grain!r}")


def fiscal_start_month_from_quarter_start(quarter_start: date) -> int:
    """A fiscal-year start month consistent with a known fiscal quarter start (1, 2 or 3)."""
    return (quarter_start.month - 1) % 3 + 1
