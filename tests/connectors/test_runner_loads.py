"""The runner's pipelines apply each merge and each table replacement whole or not at all, and the
sync after a failed load brings the warehouse up to date.

A merge is a delete of the loaded keys followed by an insert from the staging dataset. The failure
between the two is made deterministic here by slipping a statement that raises between them, or by
refusing the load jobs (on a real system: a commit refused by a full disk)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402
import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pytest  # noqa: E402
from dlt.destinations.insert_job_client import InsertValuesLoadJob  # noqa: E402
from dlt.destinations.job_client_impl import SqlLoadJob  # noqa: E402
from dlt.pipeline.exceptions import PipelineStepFailed  # noqa: E402

from connectors.runner import make_pipeline, run_pipeline  # noqa: E402

NAME = "merge_probe"


def deals(version: int) -> Any:
    """Three deals, all at `version`, merged on `id`."""
    rows = [{"id": i, "title": f"deal {i}", "version": version} for i in (1, 2, 3)]
    return dlt.resource(rows, name="deals", primary_key="id", write_disposition="merge")


def held(warehouse: Path) -> list[tuple[int, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [(int(i), int(v)) for i, v in
                con.execute(f"select id, version from raw_{NAME}.deals order by id").fetchall()]


def _fail_after_delete(monkeypatch: pytest.MonkeyPatch, table: str) -> None:
    """Every SQL job on `table` raises right after its delete, before its insert."""
    original = SqlLoadJob._split_fragments

    def split(self: SqlLoadJob, sql: str) -> list[str]:
        out: list[str] = []
        for fragment in original(self, sql):
            out.append(fragment)
            if fragment.upper().startswith("DELETE") and f'"raw_{NAME}"."{table}"' in fragment:
                out.append("SELECT error('the disk is full')")
        return out

    monkeypatch.setattr(SqlLoadJob, "_split_fragments", split)


def test_a_merge_that_fails_after_its_delete_leaves_every_previous_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    pipeline = make_pipeline(NAME, warehouse, tmp_path / "pipelines")
    run_pipeline(pipeline, deals(1))
    assert held(warehouse) == [(1, 1), (2, 1), (3, 1)]
    _fail_after_delete(monkeypatch, "deals")
    with pytest.raises(PipelineStepFailed):
        run_pipeline(pipeline, deals(2))
    # the delete was rolled back with the failed insert: nothing is missing, nothing half-applied
    assert held(warehouse) == [(1, 1), (2, 1), (3, 1)]
    monkeypatch.undo()
    run_pipeline(make_pipeline(NAME, warehouse, tmp_path / "pipelines"), deals(2))
    assert held(warehouse) == [(1, 2), (2, 2), (3, 2)]


def test_a_replaced_table_keeps_its_rows_when_the_replacement_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    pipeline = make_pipeline(NAME, warehouse, tmp_path / "pipelines")

    def targets(version: int) -> Any:
        rows = [{"id": i, "version": version} for i in (1, 2)]
        return dlt.resource(rows, name="deals", write_disposition="replace")

    run_pipeline(pipeline, targets(1))
    monkeypatch.setattr(InsertValuesLoadJob, "run", _refuse)  # the new rows cannot be written
    with pytest.raises(PipelineStepFailed):
        run_pipeline(pipeline, targets(2))
    assert held(warehouse) == [(1, 1), (2, 1)]  # not emptied before the new rows could land
    monkeypatch.undo()
    run_pipeline(make_pipeline(NAME, warehouse, tmp_path / "pipelines"), targets(3))
    assert held(warehouse) == [(1, 3), (2, 3)]


def test_the_sync_after_a_failed_load_lands_the_pending_load_and_then_the_new_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    pipeline = make_pipeline(NAME, warehouse, tmp_path / "pipelines")
    run_pipeline(pipeline, deals(1))
    monkeypatch.setattr(SqlLoadJob, "run", _refuse)
    with pytest.raises(PipelineStepFailed):
        run_pipeline(pipeline, deals(2))
    monkeypatch.undo()
    again = make_pipeline(NAME, warehouse, tmp_path / "pipelines")
    assert again.has_pending_data  # version 2 waits in its load package
    run_pipeline(again, deals(3))
    # `Pipeline.run` alone would have landed version 2 and stopped there
    assert held(warehouse) == [(1, 3), (2, 3), (3, 3)]
    assert not again.has_pending_data


def _refuse(self: Any) -> None:
    from dlt.destinations.exceptions import DatabaseTransientException

    raise DatabaseTransientException(OSError("No space left on device"))


def test_a_hubspot_table_first_loaded_from_dicts_takes_arrow_pages_and_keeps_its_dlt_columns(
        tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    pipeline = make_pipeline("hubspot", warehouse, tmp_path / "pipelines")
    dicts = [{"id": "1", "version": 1}]
    run_pipeline(pipeline, dlt.resource(dicts, name="deals", primary_key="id", write_disposition="merge"))
    page = pa.table({"id": ["1", "2"], "version": [2, 2]})
    run_pipeline(pipeline, dlt.resource(page, name="deals", primary_key="id", write_disposition="merge"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select id, version, _dlt_load_id is not null and _dlt_id is not null "
                           "from raw_hubspot.deals order by id").fetchall()
    assert rows == [("1", 2, True), ("2", 2, True)]
