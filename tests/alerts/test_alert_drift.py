"""Robust z-score, training windows, the MAD = 0 rule and quarter positions, as pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from revops.alerts.drift import (
    MAD_TO_SIGMA,
    DriftSettings,
    Observation,
    breach_since,
    detect_drift,
    robust_score,
    training_window,
)
from revops.alerts.periods import fiscal_quarter_start, period_end, quarter_position

START = date(2024, 1, 1)


def series(values: Sequence[float | None], denominator: float | None = 100) -> list[Observation]:
    return [Observation(START + timedelta(weeks=i), v, denominator, True) for i, v in enumerate(values)]


def test_robust_z_uses_median_and_scaled_mad() -> None:
    score = robust_score(9.0, [1, 2, 3, 4, 5], threshold=3.5)
    assert score.median == 3
    assert score.mad == 1
    assert score.z == pytest.approx(6 / MAD_TO_SIGMA)
    assert (score.low, score.high) == pytest.approx((3 - 3.5 * MAD_TO_SIGMA, 3 + 3.5 * MAD_TO_SIGMA))


def test_one_outlier_in_the_training_window_barely_moves_the_expected_range() -> None:
    calm = robust_score(10.0, [10, 11, 9, 10, 12, 8, 10, 11, 9, 10], threshold=3.5)
    with_outlier = robust_score(10.0, [10, 11, 9, 10, 12, 8, 10, 11, 9, 500], threshold=3.5)
    assert with_outlier.median == calm.median
    assert with_outlier.high == pytest.approx(calm.high)


def test_detection_period_is_not_part_of_its_own_training_window() -> None:
    history = series([0.4] * 5 + [0.41, 0.39] * 4 + [0.1])
    detection = history[-1].period_start
    window = training_window(history, detection, DriftSettings())
    assert detection not in [o.period_start for o in window]
    assert len(window) == 12


def test_a_drop_far_below_the_history_is_a_breach() -> None:
    history = series([0.40, 0.41, 0.39, 0.42, 0.38, 0.40, 0.41, 0.39, 0.40, 0.42, 0.38, 0.40, 0.15])
    result = detect_drift(history, history[-1].period_start, DriftSettings())
    assert result.status == "breach"
    assert result.score is not None and result.score.z is not None and result.score.z < -3.5


def test_small_denominator_is_not_judged_but_says_it_would_breach() -> None:
    history = series([0.40, 0.41, 0.39, 0.42, 0.38, 0.40, 0.41, 0.39, 0.40, 0.42]) + [
        Observation(START + timedelta(weeks=10), 0.10, 12, True)]
    result = detect_drift(history, history[-1].period_start, DriftSettings(min_denominator=30))
    assert result.status == "small_sample"
    assert result.would_breach
    assert "12" in result.detail and "30" in result.detail


def test_small_training_periods_are_left_out_of_the_window() -> None:
    history = series([0.4] * 10) + [Observation(START + timedelta(weeks=10), 0.9, 5, True),
                                    Observation(START + timedelta(weeks=11), 0.4, 100, True)]
    window = training_window(history, history[-1].period_start, DriftSettings(min_denominator=30))
    assert all(o.value == 0.4 for o in window)


def test_constant_history_and_equal_value_is_normal() -> None:
    history = series([0.5] * 12 + [0.5])
    result = detect_drift(history, history[-1].period_start, DriftSettings())
    assert result.status == "normal"
    assert result.score is not None and result.score.z == 0


def test_constant_history_and_different_value_without_fallback_is_not_scored() -> None:
    history = series([0.5] * 12 + [0.3])
    result = detect_drift(history, history[-1].period_start, DriftSettings())
    assert result.status == "mad_zero"
    assert result.score is not None and result.score.z is None
    assert "MAD 0" in result.detail


def test_constant_history_uses_the_fallback_scale_when_given() -> None:
    history = series([0.5] * 12 + [0.3])
    result = detect_drift(history, history[-1].period_start, DriftSettings(fallback_scale=0.05))
    assert result.status == "breach"
    assert result.score is not None and result.score.z == pytest.approx(-4.0)
    assert (result.score.low, result.score.high) == pytest.approx((0.325, 0.675))


def test_too_little_history_is_not_judged() -> None:
    history = series([0.4] * 5 + [0.1])
    assert detect_drift(history, history[-1].period_start, DriftSettings()).status == "insufficient_history"


def test_an_immature_cohort_is_not_judged() -> None:
    history = series([0.4] * 12) + [Observation(START + timedelta(weeks=12), 0.05, 100, False)]
    assert detect_drift(history, history[-1].period_start, DriftSettings()).status == "immature"


def test_since_is_the_first_period_of_the_breach_streak() -> None:
    values = [0.40, 0.41, 0.39, 0.42, 0.38, 0.40, 0.41, 0.39, 0.40, 0.42, 0.38, 0.40]
    history = series(values + [0.15, 0.14, 0.16])
    since = breach_since(history, history[-1].period_start, DriftSettings())
    assert since == history[12].period_start


def test_weeks_are_positioned_from_the_end_of_their_quarter() -> None:
    # Q1 2024 ends on 1 April; its last Monday is 25 March
    assert quarter_position("week", date(2024, 3, 25), 1) == 0
    assert quarter_position("week", date(2024, 3, 18), 1) == 1
    assert quarter_position("week", date(2024, 1, 1), 1) == 12
    # Q3 2024 has 14 Mondays: its last week still gets position 0
    assert quarter_position("week", date(2024, 9, 30), 1) == 0
    assert quarter_position("week", date(2024, 7, 1), 1) == 13


def test_positions_follow_the_fiscal_year_start() -> None:
    assert fiscal_quarter_start(date(2024, 4, 29), 2) == date(2024, 2, 1)
    assert quarter_position("week", date(2024, 4, 29), 2) == 0
    assert quarter_position("month", date(2024, 4, 1), 2) == 3
    assert quarter_position("month", date(2024, 5, 1), 2) == 1
    assert quarter_position("month", date(2024, 12, 1), 1) == 3


def test_period_end_is_the_next_period_start() -> None:
    assert period_end("week", date(2024, 12, 30)) == date(2025, 1, 6)
    assert period_end("month", date(2024, 12, 1)) == date(2025, 1, 1)
    assert period_end("quarter", date(2024, 11, 1)) == date(2025, 2, 1)
