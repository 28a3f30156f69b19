"""Reading the marts: the streamed reader gives what a plain sorted SQL read gives, batch size aside."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from revops.forecast import Marts, load_marts
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


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


def test_a_compact_pipeline_gives_the_same_forecast_from_a_fraction_of_the_rows(warehouse_file: Path,
                                                                               tmp_path: Path) -> None:
    from forecast_warehouse import BUILD_SETTINGS

    from revops.forecast import compute_forecast
    from revops.forecast.marts import day_number, is_complete_day

    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse_file, path)
    as_of = BUILD_SETTINGS["as_of"]
    with duckdb.connect(str(path)) as con:
        # A run of days with a gap in it and a deal without close date: both must survive the compaction.
        con.execute("DELETE FROM marts.fct_pipeline_daily WHERE hash(deal_id) % 11 = 0"
                    " AND dayofmonth(snapshot_date) IN (9, 10)")
        con.execute("UPDATE marts.fct_pipeline_daily SET expected_close_date = NULL WHERE hash(deal_id) % 13 = 0")
        full = load_marts(con)
        compact = load_marts(con, complete_days=[as_of])
        assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()[0][0]
    assert full.compact_days is None and compact.compact_days == frozenset({day_number(as_of)})
    assert len(compact.pipeline) < 0.6 * len(full.pipeline), (len(compact.pipeline), len(full.pipeline))
    # Complete days hold every row; the other days only rows of the full read.
    complete = full.pipeline["day"].map(lambda d: is_complete_day(int(d), compact.compact_days))
    _frames_equal(compact.pipeline[compact.pipeline["day"].isin(full.pipeline.loc[complete, "day"])],
                  full.pipeline[complete])
    keys = set(zip(full.pipeline["day"], full.pipeline["deal_id"], strict=True))
    assert all(k in keys for k in zip(compact.pipeline["day"], compact.pipeline["deal_id"], strict=True))

    settings = {k: v for k, v in BUILD_SETTINGS.items() if k not in ("simulations",)}
    a = compute_forecast(full, **settings, simulations=300)
    b = compute_forecast(compact, **settings, simulations=300)
    assert a.keys() == b.keys()
    for name in a:
        assert len(a[name]) > 0, name
        _frames_equal(a[name], b[name])


def test_a_compact_pipeline_refuses_a_view_of_a_day_it_does_not_hold_in_full(marts_compact: Marts) -> None:
    from datetime import date

    from revops.forecast import as_of_view
    from revops.forecast.marts import is_complete_day

    tuesday = date(2023, 3, 14)
    assert not is_complete_day((tuesday - date(1970, 1, 1)).days, frozenset())
    with pytest.raises(ValueError, match="compact"):
        as_of_view(marts_compact, tuesday)
    as_of_view(marts_compact, date(2023, 3, 13))  # a Monday
    as_of_view(marts_compact, date(2023, 3, 1))  # a first of the month


@pytest.fixture()
def marts_compact(warehouse_file: Path) -> Marts:
    from forecast_warehouse import BUILD_SETTINGS

    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        return load_marts(con, complete_days=[BUILD_SETTINGS["as_of"]])


@pytest.mark.parametrize("limit", [None, "3GiB"])
def test_a_compact_read_puts_the_connections_settings_back(warehouse_file: Path, limit: str | None) -> None:
    from forecast_warehouse import BUILD_SETTINGS

    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        if limit:
            con.execute(f"SET memory_limit = '{limit}'")
        before = con.execute("SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
                             ).fetchall()
        load_marts(con, complete_days=[BUILD_SETTINGS["as_of"]])
        after = con.execute("SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
                            ).fetchall()
    assert after == before
