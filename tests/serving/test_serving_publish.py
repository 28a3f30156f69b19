"""The serving copy and the Parquet exports: readers only ever see complete publications, an open
reader keeps its copy, and the manifest describes exactly the files written."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from serving_sync import (
    BATCH,
    REBUILD_KPIS,
    create_working,
    insert_batch,
    is_complete,
    publication_state,
    sync_and_publish,
)
from sqlalchemy.pool import NullPool

from revops.serving import PUBLIC_SCHEMAS, publish


def _sync(working: Path, round_no: int) -> None:
    with duckdb.connect(str(working)) as con:
        insert_batch(con, round_no)
        con.execute(REBUILD_KPIS)


def _state_of(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return publication_state(lambda q: con.execute(q).fetchone()[0])  # type: ignore[index]


def _engine(serving: Path) -> sa.Engine:
    # NullPool: every read opens the current file, as a BI tool reconnecting would.
    return sa.create_engine(f"duckdb:///{serving}", connect_args={"read_only": True}, poolclass=NullPool)


def _read(engine: sa.Engine) -> dict[str, object]:
    with engine.connect() as c:
        return publication_state(lambda q: c.execute(sa.text(q)).scalar())


@pytest.fixture
def working(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    create_working(path)
    _sync(path, 1)
    return path


def test_a_reader_of_the_first_copy_keeps_consistent_results_across_two_publishes(working, tmp_path) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    publish(working, serving)
    old = duckdb.connect(str(serving), read_only=True)
    before = _state_of(old)
    assert before["deals"] == BATCH and is_complete(before)
    rows_before = old.execute("select deal_id, amount_corporate from marts.fct_deals order by 1").fetchall()

    for round_no in (2, 3):
        _sync(working, round_no)
        publish(working, serving)
        assert _state_of(old) == before
        assert (
            old.execute("select deal_id, amount_corporate from marts.fct_deals order by 1").fetchall()
            == rows_before
        )

    old.close()
    with duckdb.connect(str(serving), read_only=True) as new:
        after = _state_of(new)
    assert after["deals"] == 3 * BATCH and is_complete(after)
    assert not [p for p in serving.parent.iterdir() if p.name != serving.name]  # no temporary file left


def test_sqlalchemy_reader_only_sees_complete_publications_while_a_sync_writes_and_publishes(
    working, tmp_path
) -> None:
    serving, exports = tmp_path / "serving" / "warehouse.duckdb", tmp_path / "exports"
    publish(working, serving, exports)
    engine = _engine(serving)
    rounds = 4
    ctx = multiprocessing.get_context("spawn")
    written, read, published = ([ctx.Event() for _ in range(rounds)] for _ in range(3))
    writer = ctx.Process(
        target=sync_and_publish,
        args=(str(working), str(serving), str(exports), rounds, written, read, published),
    )
    writer.start()
    seen: list[dict[str, object]] = []
    try:
        for i in range(1, rounds + 1):
            assert written[i - 1].wait(120), f"round {i}: the sync never wrote"
            # the working file now holds deals whose derived table is not rebuilt yet
            mid_sync = _read(engine)
            assert mid_sync["deals"] == (i - 1) * BATCH + BATCH and is_complete(mid_sync)
            read[i - 1].set()
            while not published[i - 1].is_set() and writer.is_alive():
                state = _read(engine)  # reads race the rebuild, the copy and the rename
                seen.append(state)
                assert is_complete(state), state
                assert state["deals"] in (i * BATCH, (i + 1) * BATCH)
            assert published[i - 1].is_set(), f"round {i}: the writer stopped (exit code {writer.exitcode})"
            after = _read(engine)
            assert after["deals"] == (i + 1) * BATCH and is_complete(after)
    finally:
        for event in read:
            event.set()
        writer.join(120)
    assert writer.exitcode == 0
    deals = [s["deals"] for s in seen]
    assert deals == sorted(deals)  # publications only move forward
    manifest = json.loads((exports / "manifest.json").read_text())
    rows = {(f["schema"], f["table"]): f["rows"] for f in manifest["files"]}
    assert rows[("marts", "fct_deals")] == (rounds + 1) * BATCH


def test_manifest_lists_every_parquet_file_with_matching_row_counts(working, tmp_path) -> None:
    serving, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    for round_no in (2, 3):
        _sync(working, round_no)
        publish(working, serving, exports)
    manifest = json.loads((exports / "manifest.json").read_text())
    with duckdb.connect(str(working), read_only=True) as con:
        placeholders = ", ".join("?" for _ in PUBLIC_SCHEMAS)
        public = set(
            con.execute(
                f"select table_schema, table_name from information_schema.tables "
                f"where table_schema in ({placeholders})",
                list(PUBLIC_SCHEMAS),
            ).fetchall()
        )
    listed = {(f["schema"], f["table"]) for f in manifest["files"]}
    assert listed == public | {("meta", "forecast_history")}
    folder = exports / manifest["version"]
    assert {p.name for p in folder.iterdir()} == {Path(f["path"]).name for f in manifest["files"]}
    with duckdb.connect() as con, duckdb.connect(str(serving), read_only=True) as copy:
        for f in manifest["files"]:
            path = exports / f["path"]
            assert path.exists(), f["path"]
            parquet_rows = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
            served = copy.execute(f'select count(*) from {f["schema"]}."{f["table"]}"').fetchone()[0]
            assert f["rows"] == parquet_rows == served, f["path"]
            names = [
                c[0] for c in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
            ]
            assert names == [c["name"] for c in f["columns"]]
    assert (
        dict(((f["schema"], f["table"]), f["rows"]) for f in manifest["files"])[("marts", "fct_deals")]
        == 3 * BATCH
    )


def test_the_serving_copy_holds_only_the_public_schemas_and_refuses_writes(working, tmp_path) -> None:
    serving = tmp_path / "serving.duckdb"
    publish(working, serving)
    engine = _engine(serving)
    with engine.connect() as c:
        schemas = {
            r[0] for r in c.execute(sa.text("select distinct table_schema from information_schema.tables"))
        }
        assert schemas == {*PUBLIC_SCHEMAS, "meta"}
        with pytest.raises(sa.exc.DBAPIError, match="read-only|read only"):
            c.execute(sa.text("delete from marts.fct_deals"))


def test_exports_match_the_manifest_even_when_the_publishing_process_reads_the_serving_copy(
    working, tmp_path
) -> None:
    serving, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    publish(working, serving, exports)
    reader = duckdb.connect(str(serving), read_only=True)
    try:
        _sync(working, 2)
        manifest = publish(working, serving, exports)["exports"]
        with duckdb.connect() as con:
            for f in manifest["files"]:
                rows = con.execute(
                    "select count(*) from read_parquet(?)", [str(exports / f["path"])]
                ).fetchone()[0]
                assert rows == f["rows"], f["path"]
    finally:
        reader.close()
