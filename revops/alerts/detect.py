"""Read `kpi.kpi_values` and `kpi.kpi_tracking` and judge each rule's scopes for one period.

The detection period of a rule is the latest period of its grain that has data and is complete at
the as-of date (`period: completed`, its end is on or before the as-of date) or has started
(`period: current`). A finding says whether the condition holds (`breach`), does not (`normal`),
would hold but is not judged (`suppressed`), or cannot be judged at all (`unknown`: no value, an
immature cohort, too little history), in which case the alerting state is left as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import duckdb

from revops.alerts.config import AlertRule
from revops.alerts.drift import DriftSettings, Observation, breach_since, detect_drift
from revops.alerts.periods import fiscal_start_month_from_quarter_start, period_end, quarter_position
from revops.kpis import CATALOGUE

FindingStatus = Literal["breach", "normal", "suppressed", "unknown"]


class AlertDataError(Exception):
    """The warehouse lacks what alert evaluation needs; the message says what to build."""


@dataclass(frozen=True)
class Finding:
    """The judgement of one rule for one scope and period."""

    rule: AlertRule
    scope_id: str
    period_start: date
    status: FindingStatus
    detail: str
    unit: str | None = None
    value: float | None = None
    expected_low: float | None = None
    expected_high: float | None = None
    score: float | None = None
    target: float | None = None
    gap: float | None = None
    since: date | None = None


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])


def _require(con: duckdb.DuckDBPyConnection, schema: str, name: str, rule: AlertRule) -> None:
    if not table_exists(con, schema, name):
        raise AlertDataError(
            f"alert rule {rule.name!r} reads {schema}.{name}, which does not exist in the warehouse; "
            "build the kpi models (dbt build) before evaluating alerts"
        )


def detection_period(starts: Iterable[date], grain: str, as_of: date, mode: str) -> date | None:
    """Latest period start that is complete (or, in `current` mode, started) at `as_of`."""
    if mode == "current":
        eligible = [s for s in starts if s <= as_of]
    else:
        eligible = [s for s in starts if period_end(grain, s) <= as_of]
    return max(eligible, default=None)


def fiscal_start_month(con: duckdb.DuckDBPyConnection, configured: int | None) -> int | None:
    """The configured fiscal-year start month, else one read from quarter rows of kpi.kpi_values."""
    if configured is not None:
        return configured
    if not table_exists(con, "kpi", "kpi_values"):
        return None
    row = con.execute(
        "select period_start from kpi.kpi_values where grain = 'quarter' limit 1"
    ).fetchone()
    return fiscal_start_month_from_quarter_start(row[0]) if row else None


def _scope_filter(rule: AlertRule) -> tuple[str, list[object]]:
    if rule.scope_ids is None:
        return "", []
    return " and list_contains(?, scope_id)", [list(rule.scope_ids)]


def find_drift(con: duckdb.DuckDBPyConnection, rule: AlertRule, as_of: date,
               fiscal_month: int | None) -> list[Finding]:
    """Drift findings for every scope of a drift rule."""
    _require(con, "kpi", "kpi_values", rule)
    where, params = _scope_filter(rule)
    rows = con.execute(
        "select scope_id, period_start, value, denominator, is_mature, unit from kpi.kpi_values "
        f"where kpi = ? and grain = ? and scope_type = ?{where} order by scope_id, period_start",
        [rule.kpi, rule.grain, rule.scope_type, *params],
    ).fetchall()
    detection = detection_period({r[1] for r in rows}, rule.grain, as_of, rule.period)
    if detection is None:
        return []
    position = _position_matcher(rule, fiscal_month)
    targets = _targets_for(con, rule, detection)
    series: dict[str, list[Observation]] = defaultdict(list)
    units: dict[str, str | None] = {}
    for scope_id, start, value, denominator, mature, unit in rows:
        series[scope_id].append(Observation(start, _float(value), _float(denominator), mature))
        units[scope_id] = unit
    settings = DriftSettings(rule.threshold, rule.training_periods, rule.min_training_periods,
                             rule.min_denominator, rule.fallback_scale)
    findings = []
    for scope_id, history in series.items():
        result = detect_drift(history, detection, settings, position(detection) if position else None)
        target, gap = targets.get(scope_id, (None, None))
        if gap is None and target is not None and result.value is not None:
            gap = result.value - target
        status: FindingStatus
        if result.status == "breach":
            status = "breach"
        elif result.status == "normal":
            status = "normal"
        elif result.would_breach or result.status == "mad_zero":
            status = "suppressed"
        else:
            status = "unknown"
        score = result.score
        since = (breach_since(history, detection, settings, position) if status == "breach" else None)
        findings.append(Finding(
            rule=rule, scope_id=scope_id, period_start=detection, status=status, detail=result.detail,
            unit=units[scope_id], value=result.value,
            expected_low=score.low if score else None, expected_high=score.high if score else None,
            score=score.z if score else None, target=target, gap=gap, since=since,
        ))
    return findings


def _position_matcher(rule: AlertRule,
                      fiscal_month: int | None) -> Callable[[date], Callable[[date], bool]] | None:
    if rule.seasonality != "quarter_position":
        return None
    if fiscal_month is None:
        raise AlertDataError(
            f"alert rule {rule.name!r} uses quarter_position seasonality but the fiscal-year start "
            "month is unknown: set alerts.fiscal_year_start_month (the company's "
            "fiscal_year_start_month) or build kpi.kpi_values with quarter rows"
        )

    def matcher(detection: date) -> Callable[[date], bool]:
        wanted = quarter_position(rule.grain, detection, fiscal_month)
        return lambda start: quarter_position(rule.grain, start, fiscal_month) == wanted

    return matcher


def _targets_for(con: duckdb.DuckDBPyConnection, rule: AlertRule,
                 period: date) -> dict[str, tuple[float | None, float | None]]:
    if not table_exists(con, "kpi", "kpi_tracking"):
        return {}
    rows = con.execute(
        "select scope_id, target, gap from kpi.kpi_tracking "
        "where kpi = ? and grain = ? and scope_type = ? and period_start = ?",
        [rule.kpi, rule.grain, rule.scope_type, period],
    ).fetchall()
    return {r[0]: (_float(r[1]), _float(r[2])) for r in rows}


def target_since(statuses: Sequence[tuple[date, str | None]], detection: date, grain: str,
                 breaching: frozenset[str]) -> date:
    """First period of the uninterrupted run of breaching statuses ending at `detection`."""
    by_start = dict(statuses)
    since = detection
    earlier = sorted((s for s in by_start if s < detection), reverse=True)
    for start in earlier:
        if period_end(grain, start) != since or by_start[start] not in breaching:
            break
        since = start
    return since


def find_target(con: duckdb.DuckDBPyConnection, rule: AlertRule, as_of: date) -> list[Finding]:
    """Target-breach findings (status red, or amber when configured) from kpi.kpi_tracking."""
    _require(con, "kpi", "kpi_tracking", rule)
    where, params = _scope_filter(rule)
    rows = con.execute(
        "select scope_id, period_start, status, target, actual, gap, pct_of_target, direction "
        f"from kpi.kpi_tracking where kpi = ? and grain = ? and scope_type = ?{where} "
        "order by scope_id, period_start",
        [rule.kpi, rule.grain, rule.scope_type, *params],
    ).fetchall()
    detection = detection_period({r[1] for r in rows}, rule.grain, as_of, rule.period)
    if detection is None:
        return []
    breaching = frozenset({"red", "amber"} if rule.include_amber else {"red"})
    unit = CATALOGUE[rule.kpi].unit
    by_scope: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_scope[row[0]].append(row)
    findings = []
    for scope_id, scope_rows in by_scope.items():
        current = next((r for r in scope_rows if r[1] == detection), None)
        if current is None:
            continue
        _, _, status, target, actual, gap, pct, direction = current
        if status is None or actual is None or target is None:
            findings.append(Finding(rule, scope_id, detection, "unknown", "no status for the period"))
            continue
        target, actual = float(target), float(actual)
        lower_is_better = direction == "lower_is_better"
        breach = status in breaching
        since = (target_since([(r[1], r[2]) for r in scope_rows], detection, rule.grain, breaching)
                 if breach else None)
        findings.append(Finding(
            rule=rule, scope_id=scope_id, period_start=detection,
            status="breach" if breach else "normal",
            detail=f"status {status}", unit=unit, value=actual,
            expected_low=None if lower_is_better else target,
            expected_high=target if lower_is_better else None,
            score=_float(pct), target=target, gap=_float(gap) if gap is not None else actual - target,
            since=since,
        ))
    return findings


def _float(v: object) -> float | None:
    return None if v is None else float(v)  # type: ignore[arg-type]
