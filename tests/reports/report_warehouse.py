"""A small synthetic warehouse for the report tests: the documented tables the reports read (marts,
kpi, forecast, team_health) with a few seeded rows each, written to a DuckDB file."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from report_rows_health import forecast_rows, team_health_rows
from report_rows_sales import deal_rows, kpi_rows
from report_schema import AS_OF, FY_START, HEADLINE, METHODS, TEAMS, Builder

from revops.config import RevopsConfig

__all__ = ["AS_OF", "CURRENCY", "FY_START", "HEADLINE", "METHODS", "TEAMS", "build_warehouse", "make_config"]

CURRENCY = "USD"


def make_config(**company: Any) -> RevopsConfig:
    """A configuration with the synthetic warehouse's company settings (overridable)."""
    base = {"name": "Test Co", "corporate_currency": CURRENCY, "fiscal_year_start_month": FY_START}
    return RevopsConfig.model_validate({"company": {**base, **company}})


def build_warehouse(
    path: Path,
    *,
    as_of: date = AS_OF,
    seed: int = 7,
    skip: Iterable[str] = (),
    forecast_days: Iterable[int] = (7, 0),
    empty: bool = False,
) -> Path:
    """Write the synthetic warehouse to `path`; `skip` leaves out tables ("forecast.period_forecasts")
    or whole schemas ("forecast"); forecast_days are the days before `as_of` with a forecast; `empty`
    creates every table without rows."""
    b = Builder(seed, as_of)
    kpi_rows(b, as_of)
    deal_rows(b, as_of)
    forecast_rows(b, as_of, forecast_days)
    team_health_rows(b, as_of)
    b.write(path, skip, empty=empty)
    return path
