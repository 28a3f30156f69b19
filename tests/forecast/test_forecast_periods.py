"""Fiscal period helpers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revops.forecast.periods import (
    add_months,
    completed_periods,
    fiscal_quarter_label,
    fiscal_quarter_start,
    iso_week_start,
    next_period_start,
    period_bounds,
    week_starts_within,
)


def test_fiscal_quarters_start_on_the_fiscal_month_and_every_third_month_after() -> None:
    assert fiscal_quarter_start(date(2025, 1, 15), 2) == date(2024, 11, 1)
    assert fiscal_quarter_start(date(2025, 2, 1), 2) == date(2025, 2, 1)
    assert fiscal_quarter_start(date(2025, 7, 31), 2) == date(2025, 5, 1)
    assert fiscal_quarter_start(date(2025, 3, 3), 1) == date(2025, 1, 1)
    assert fiscal_quarter_start(date(2025, 1, 1), 11) == date(2024, 11, 1)


def test_iso_weeks_start_on_monday() -> None:
    assert iso_week_start(date(2025, 1, 15)) == date(2025, 1, 13)
    assert iso_week_start(date(2025, 1, 13)) == date(2025, 1, 13)
    assert iso_week_start(date(2025, 1, 12)) == date(2025, 1, 6)


def test_months_are_calendar_months_and_periods_are_half_open() -> None:
    assert period_bounds(date(2024, 2, 29), "month") == (date(2024, 2, 1), date(2024, 3, 1))
    assert next_period_start(date(2024, 11, 1), "quarter") == date(2025, 2, 1)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_completed_periods_end_on_or_before_the_as_of_day_oldest_first() -> None:
    periods = completed_periods(date(2025, 1, 15), "quarter", 3, 2)
    assert periods == [(date(2024, 2, 1), date(2024, 5, 1)), (date(2024, 5, 1), date(2024, 8, 1)),
                       (date(2024, 8, 1), date(2024, 11, 1))]


def test_back_test_points_inside_a_period_are_the_mondays_after_its_start() -> None:
    weeks = week_starts_within(date(2024, 11, 1), date(2024, 12, 1))
    assert weeks == [date(2024, 11, 4), date(2024, 11, 11), date(2024, 11, 18), date(2024, 11, 25)]
    assert week_starts_within(date(2024, 11, 4), date(2024, 11, 12)) == [date(2024, 11, 11)]


def test_fiscal_quarter_label_names_the_year_in_which_the_fiscal_year_ends() -> None:
    assert fiscal_quarter_label(date(2024, 11, 1), 2) == "Q4 FY2025"
    assert fiscal_quarter_label(date(2025, 2, 1), 2) == "Q1 FY2026"
    assert fiscal_quarter_label(date(2025, 4, 1), 1) == "Q2 FY2025"


def test_an_invalid_fiscal_month_is_rejected_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="fiscal_year_start_month"):
        fiscal_quarter_start(date(2025, 1, 1), 13)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 12))
def test_every_day_falls_in_exactly_one_fiscal_quarter(day: date, fiscal_month: int) -> None:
    start = fiscal_quarter_start(day, fiscal_month)
    end = next_period_start(start, "quarter")
    assert start <= day < end
    assert start.day == 1 and (start.month - fiscal_month) % 3 == 0
    assert fiscal_quarter_start(end - timedelta(days=1), fiscal_month) == start
