"""Fixtures for the report tests: a synthetic warehouse, a configuration and the reports written once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from report_warehouse import AS_OF, build_warehouse, make_config

from revops.config import RevopsConfig
from revops.reports import Warehouse, open_warehouse, write_reports


@pytest.fixture(scope="session")
def config() -> RevopsConfig:
    return make_config()


@pytest.fixture(scope="session")
def as_of() -> date:
    return AS_OF


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("reports") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def written(
    warehouse: Path, config: RevopsConfig, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Every report written once from the synthetic warehouse: kind -> HTML text."""
    out = tmp_path_factory.mktemp("out")
    paths = write_reports(warehouse, out, as_of=AS_OF, config=config)
    return {p.stem: p.read_text(encoding="utf-8") for p in paths}


@pytest.fixture
def wh(warehouse: Path) -> Iterator[Warehouse]:
    with open_warehouse(warehouse) as w:
        yield w


@pytest.fixture
def sql(warehouse: Path) -> Iterator[Any]:
    """Run SQL directly on the warehouse: sql(query, params) -> list of tuples."""
    con = duckdb.connect(str(warehouse), read_only=True)

    def run(query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return con.execute(query, params or []).fetchall()

    yield run
    con.close()
