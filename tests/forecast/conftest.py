"""Shared fixtures: one synthetic warehouse and one forecast build per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from forecast_warehouse import BUILD_SETTINGS, DEFAULT_CONFIG, build_synthetic_warehouse, generate

from revops.forecast import Marts, build_forecast, load_marts

CONFIG = DEFAULT_CONFIG


@pytest.fixture(scope="session")
def synthetic_tables() -> dict[str, pd.DataFrame]:
    """The synthetic marts as frames."""
    return generate(CONFIG)


@pytest.fixture(scope="session")
def warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding only the synthetic marts (copy it before writing)."""
    return build_synthetic_warehouse(tmp_path_factory.mktemp("forecast") / "synthetic.duckdb", CONFIG)


@pytest.fixture(scope="session")
def marts(warehouse_file: Path) -> Marts:
    """The synthetic marts as the forecast reads them."""
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        return load_marts(con)


@pytest.fixture(scope="session")
def built(warehouse_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A copy of the synthetic warehouse with the forecast schema built, and the rows written."""
    path = tmp_path_factory.mktemp("forecast_built") / "warehouse.duckdb"
    shutil.copy(warehouse_file, path)
    with duckdb.connect(str(path)) as con:
        counts = build_forecast(con, **BUILD_SETTINGS)
    return path, counts


@pytest.fixture()
def built_con(built: tuple[Path, dict[str, int]]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built warehouse."""
    with duckdb.connect(str(built[0]), read_only=True) as con:
        yield con
