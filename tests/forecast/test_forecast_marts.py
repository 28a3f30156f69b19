"""Reading the marts: the streamed reader gives what a plain sorted SQL read gives, batch size aside."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from revops.forecast import load_marts
from revops.forecast import marts as marts_module


def _expected_pipeline(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT (CAST(snapshot_date AS DATE) - DATE '1970-01-01') AS day, deal_id, owner_rep_id, stage, segment,"
        " CAST(amount_corporate AS DOUBLE) AS amount_corporate,"
        " (CAST(expected_close_date AS DATE) - DATE '1970-01-01') AS ecd_day"
        " FROM marts.fct_pipeline_daily ORDER BY day, deal_id"
    ).df()


def _same(read: pd.Series, expected: pd.Series) -> bool:
    a, b = read.to_numpy(dtype=object), expected.to_numpy(dtype=object)
    na_a, na_b = pd.isna(read).to_numpy(), pd.isna(expected).to_numpy()
    if not (na_a == na_b).all():
        return False
    if read.dtype.kind == "f":
        return bool(np.allclose(read.to_numpy()[~na_a], expected.to_numpy(dtype="float64")[~na_b]))
    return bool((a[~na_a] == b[~na_b]).all())


@pytest.mark.parametrize("batch_rows", [7, 1 << 20])
def test_pipeline_read_in_batches_equals_a_sorted_sql_read(warehouse_file: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, batch_rows: int) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse_file, path)
    with duckdb.connect(str(path)) as con:
        # NULL texts and dates must survive the batching (a deal without owner or close date).
        con.execute("UPDATE marts.fct_pipeline_daily SET owner_rep_id = NULL, expected_close_date = NULL"
                    " WHERE hash(deal_id) % 5 = 0")
        # Shuffle the stored order so the reader has to sort.
        con.execute("CREATE OR REPLACE TABLE marts.fct_pipeline_daily AS"
                    " SELECT * FROM marts.fct_pipeline_daily ORDER BY hash(deal_id || snapshot_date)")
        monkeypatch.setattr(marts_module, "_BATCH_ROWS", batch_rows)
        read = load_marts(con).pipeline
        expected = _expected_pipeline(con)
    assert len(read) == len(expected) > 100
    assert read["owner_rep_id"].isna().any() and read["ecd_day"].isna().any()
    for column in expected.columns:
        assert _same(read[column], expected[column]), column
    # Equal texts are one Python object, however many rows and batches repeat them.
    ids = read["deal_id"].to_numpy(dtype=object)
    assert len({id(x) for x in ids}) == len(set(ids))


def test_empty_tables_read_as_empty_frames_with_their_columns(warehouse_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse_file, path)
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM marts.fct_pipeline_daily")
        con.execute("DELETE FROM marts.fct_lead_funnel")
        m = load_marts(con)
    assert len(m.pipeline) == 0 and {"day", "deal_id", "ecd_day"} <= set(m.pipeline.columns)
    assert len(m.leads) == 0 and "mql_at" in m.leads.columns
    assert len(m.deals) > 0


def test_a_rep_without_a_manager_makes_no_manager_scope(warehouse_file: Path, tmp_path: Path) -> None:
    from revops.forecast.scopes import ScopeResolver

    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse_file, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE marts.dim_reps SET manager_email = NULL"
                    " WHERE rep_id = (SELECT min(rep_id) FROM marts.dim_reps WHERE manager_email IS NOT NULL)")
        m = load_marts(con)
    assert m.reps["manager_email"].isna().sum() >= 1
    resolver = ScopeResolver.from_reps(m.reps)
    resolver.memberships(m.deals[["owner_rep_id", "segment", "source"]].drop_duplicates())
    managers = {scope_id for scope_type, scope_id in resolver.scopes if scope_type == "manager"}
    assert managers and not any(str(s).lower() in ("nan", "none", "") for s in managers), managers
