"""Drift detection on a KPI series: a robust z-score against a training window of earlier periods.

    z = (x - median) / (1.4826 * MAD)

over the training window: the `training_periods` most recent earlier periods (the detection period
is never part of it) that have a value, are mature, and meet `min_denominator` when the KPI has a
denominator. With quarter-position seasonality only earlier periods with the same position in their
quarter are comparable (see `revops.alerts.periods`). The expected range is median ± threshold ×
scale. When the MAD is 0 (a constant training window) a value equal to the median is normal; a
different value is scored with `fallback_scale` when one is configured and otherwise reported as not
scorable, never as an alert. Everything here is pure.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

MAD_TO_SIGMA = 1.4826  # makes the MAD a consistent estimate of the standard deviation for normal data

DriftStatus = Literal[
    "breach",  # |z| above the threshold
    "normal",  # scored and within the expected range
    "small_sample",  # denominator under min_denominator: not judged
    "mad_zero",  # constant training window, value differs, no fallback scale: not judged
    "immature",  # the period's cohort is still maturing (is_mature false): not judged
    "no_value",  # no value for the detection period
    "insufficient_history",  # fewer comparable earlier periods than min_training_periods
]


@dataclass(frozen=True)
class Observation:
    """One period of a KPI series for one scope."""

    period_start: date
    value: float | None
    denominator: float | None = None
    is_mature: bool | None = None


@dataclass(frozen=True)
class RobustScore:
    """Robust z-score of a value against a training sample."""

    median: float
    mad: float
    scale: float | None  # 1.4826 × MAD, or the fallback scale when the MAD is 0; None if neither
    z: float | None  # None when the value cannot be scored (MAD 0, value differs, no fallback)
    low: float | None
    high: float | None


@dataclass(frozen=True)
class DriftResult:
    """Outcome of drift detection for one period."""

    status: DriftStatus
    value: float | None
    denominator: float | None
    score: RobustScore | None
    training_size: int
    detail: str
    would_breach: bool = False  # the score passes the threshold (also set when too small to judge)


@dataclass(frozen=True)
class DriftSettings:
    threshold: float = 3.5
    training_periods: int = 12
    min_training_periods: int = 8
    min_denominator: float = 30
    fallback_scale: float | None = None


def robust_score(value: float, training: Sequence[float], threshold: float,
                 fallback_scale: float | None = None) -> RobustScore:
    """Score `value` against `training` (median and MAD); the range is median ± threshold × scale."""
    if not training:
        raise ValueError("robust_score needs at least one training value")
    median = statistics.median(training)
    mad = statistics.median(abs(v - median) for v in training)
    if mad > 0:
        scale: float | None = MAD_TO_SIGMA * mad
    else:
        scale = fallback_scale
    if scale is None:
        # constant history: the only expected value is the median itself
        same = math.isclose(value, median, rel_tol=1e-9, abs_tol=1e-12)
        return RobustScore(median, mad, None, 0.0 if same else None, median, median)
    return RobustScore(median, mad, scale, (value - median) / scale,
                       median - threshold * scale, median + threshold * scale)


def training_window(history: Sequence[Observation], detection_start: date, settings: DriftSettings,
                    same_position: Callable[[date], bool] | None = None) -> list[Observation]:
    """Earlier usable periods, most recent last, at most `training_periods` of them."""
    usable = [
        o for o in history
        if o.period_start < detection_start
        and o.value is not None
        and o.is_mature is not False
        and (o.denominator is None or o.denominator >= settings.min_denominator)
        and (same_position is None or same_position(o.period_start))
    ]
    usable.sort(key=lambda o: o.period_start)
    return usable[-settings.training_periods:]


def detect_drift(history: Sequence[Observation], detection_start: date, settings: DriftSettings,
                 same_position: Callable[[date], bool] | None = None) -> DriftResult:
    """Judge the period starting at `detection_start` against the earlier periods of `history`."""
    current = next((o for o in history if o.period_start == detection_start), None)
    if current is None or current.value is None:
        return DriftResult("no_value", None, None, None, 0, "no value for the period")
    value, denominator = current.value, current.denominator
    if current.is_mature is False:
        return DriftResult("immature", value, denominator, None, 0,
                           "the period's cohort is not mature yet")
    training = training_window(history, detection_start, settings, same_position)
    if len(training) < settings.min_training_periods:
        return DriftResult("insufficient_history", value, denominator, None, len(training),
                           f"{len(training)} comparable earlier periods, "
                           f"{settings.min_training_periods} needed")
    score = robust_score(value, [o.value for o in training if o.value is not None],
                         settings.threshold, settings.fallback_scale)
    breach = score.z is not None and abs(score.z) > settings.threshold
    if denominator is not None and denominator < settings.min_denominator:
        # too few cases to judge either way: neither an alert nor a recovery
        return DriftResult("small_sample", value, denominator, score, len(training),
                           f"denominator {denominator:g} is under min_denominator "
                           f"{settings.min_denominator:g}", would_breach=breach)
    if score.z is None:
        return DriftResult("mad_zero", value, denominator, score, len(training),
                           f"the {len(training)} training values are all {score.median:g} (MAD 0) and "
                           "no fallback_scale is configured")
    if breach:
        return DriftResult("breach", value, denominator, score, len(training),
                           f"robust z {score.z:+.2f} beyond ±{settings.threshold:g}", would_breach=True)
    return DriftResult("normal", value, denominator, score, len(training), "within range")


def breach_since(history: Sequence[Observation], detection_start: date, settings: DriftSettings,
                 same_position_for: Callable[[date], Callable[[date], bool]] | None = None,
                 max_periods: int = 104) -> date:
    """First period of the breach streak ending at `detection_start`.

    Walks back over the earlier periods of the series while each one, judged against its own
    training window, breached in the same direction.
    """
    first = detect_drift(history, detection_start, settings,
                         same_position_for(detection_start) if same_position_for else None)
    if first.score is None or first.score.z is None:
        return detection_start
    sign = math.copysign(1.0, first.score.z)
    since = detection_start
    earlier = sorted((o.period_start for o in history if o.period_start < detection_start), reverse=True)
    for start in earlier[:max_periods]:
        result = detect_drift(history, start, settings,
                              same_position_for(start) if same_position_for else None)
        if result.status != "breach" or result.score is None or result.score.z is None:
            break
        if math.copysign(1.0, result.score.z) != sign:
            break
        since = start
    return since
