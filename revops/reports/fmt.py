"""Number formatting shared by the report pages and their Markdown summaries.

One function per kind of number, so the tests can format a value computed with SQL the same way and
look for it in the page."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from revops.kpis import CATALOGUE

NA = "–"
MULTIPLE_KPIS = {"pipeline_coverage"}  # ratios read as "3.1×", not as a percentage


def missing(value: Any) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def text(value: Any, default: str = "") -> str:
    """A text value from the warehouse; `default` for NULL, NaN and the empty string."""
    if value is None or missing(value):
        return default
    return str(value) or default


def money(value: Any, currency: str) -> str:
    """'1,234,567 EUR' (whole units of the corporate currency)."""
    return NA if missing(value) else f"{float(value):,.0f} {currency}"


def signed_money(value: Any, currency: str) -> str:
    """'+12,345 EUR' / '-12,345 EUR'."""
    return NA if missing(value) else f"{float(value):+,.0f} {currency}"


def money_short(value: Any, currency: str) -> str:
    """'1.23M EUR', '456k EUR', '789 EUR' for chart labels."""
    if missing(value):
        return NA
    v = float(value)
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.2f}M {currency}"
    if abs(v) >= 1e3:
        return f"{v / 1e3:,.0f}k {currency}"
    return f"{v:,.0f} {currency}"


def pct(value: Any, digits: int = 1) -> str:
    """A 0–1 share as '42.3%'."""
    return NA if missing(value) else f"{float(value) * 100:.{digits}f}%"


def signed_pct(value: Any, digits: int = 1) -> str:
    """A 0–1 share as '+4.2%' (used for relative changes and bias)."""
    return NA if missing(value) else f"{float(value) * 100:+.{digits}f}%"


def pts(value: Any) -> str:
    """A change of a 0–1 share in percentage points: '+3.2 pts'."""
    return NA if missing(value) else f"{float(value) * 100:+.1f} pts"


def count(value: Any) -> str:
    """'1,234'."""
    return NA if missing(value) else f"{float(value):,.0f}"


def days(value: Any) -> str:
    """'42.5 days'."""
    return NA if missing(value) else f"{float(value):,.1f} days"


def day(value: date | None) -> str:
    """ISO date or the missing marker."""
    return NA if value is None or missing(value) else value.isoformat()


def unit_of(kpi: str, unit: str | None = None) -> str:
    """The unit of a KPI: the one given, else the catalogue's, else 'count'."""
    if unit and not missing(unit):
        return str(unit)
    entry = CATALOGUE.get(kpi)
    return entry.unit if entry else "count"


def label_of(kpi: str) -> str:
    """The KPI's label from the catalogue (the name itself when unknown)."""
    entry = CATALOGUE.get(kpi)
    return entry.label if entry else kpi


def direction_of(kpi: str) -> str:
    """'higher_is_better' or 'lower_is_better'."""
    entry = CATALOGUE.get(kpi)
    return entry.direction if entry else "higher_is_better"


def kpi_value(kpi: str, value: Any, currency: str, unit: str | None = None) -> str:
    """A KPI value in its unit: money, %, ×, days, points, counts."""
    if missing(value):
        return NA
    u, v = unit_of(kpi, unit), float(value)
    if kpi in MULTIPLE_KPIS:
        return f"{v:.2f}×"
    if u == "currency":
        return money(v, currency)
    if u == "ratio":
        return pct(v)
    if u == "days":
        return days(v)
    if u == "per_rep_week":
        return f"{v:,.1f} per rep-week"
    if u == "per_day":
        return f"{money(v, currency)}/day"
    if u == "points":
        return f"{v:+.0f}"
    return count(v) if v == round(v) else f"{v:,.2f}"


def kpi_change(kpi: str, delta: Any, currency: str, unit: str | None = None) -> str:
    """A signed change of a KPI: percentage points for shares, × for coverage, units otherwise."""
    if missing(delta):
        return NA
    u, v = unit_of(kpi, unit), float(delta)
    if kpi in MULTIPLE_KPIS:
        return f"{v:+.2f}×"
    if u == "currency":
        return signed_money(v, currency)
    if u == "ratio":
        return pts(v)
    if u == "days":
        return f"{v:+,.1f} days"
    if u == "per_day":
        return f"{signed_money(v, currency)}/day"
    return f"{v:+,.0f}" if v == round(v) else f"{v:+,.2f}"
