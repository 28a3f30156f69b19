"""One `dbt build` of the hand-made raw world, shared by the warehouse tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from warehouse_dbt import DbtRun, run_dbt
from warehouse_raw_fixture import AS_OF, write_raw_fixture

VARIABLES = {"as_of_date": AS_OF, "fiscal_year_start_month": 2}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DbtRun]:
    """The fixture warehouse after `dbt build` (seeds, models, data tests, unit tests)."""
    folder = tmp_path_factory.mktemp("warehouse")
    warehouse = folder / "warehouse.duckdb"
    write_raw_fixture(str(warehouse))
    run = run_dbt("build", warehouse, folder, VARIABLES)
    return warehouse, run


@pytest.fixture
def con(built: tuple[Path, DbtRun]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built fixture warehouse."""
    with duckdb.connect(str(built[0]), read_only=True) as connection:
        yield connection
