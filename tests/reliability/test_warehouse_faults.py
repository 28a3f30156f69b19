"""The warehouse cannot be written: a read-only file system, a full disk, a lock held by another
program. The sync fails with an error naming the warehouse (or the cause), the previous content is
intact and readable, and the run after the problem is fixed completes exactly.

Read-only and full-disk runs happen in a child process inside a private mount namespace (a read-only
bind mount; a tiny tmpfs filled up), so nothing outside the test's folder is touched; they are
skipped where `unshare -m` is not permitted."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.reliability.harness import available_crms
from tests.reliability.processes import child_command, folder_size, run_in_namespace, unshare_available

pytestmark = pytest.mark.reliability
CRMS = available_crms()
NAMESPACES = unshare_available()


def _said(outcome: dict[str, str]) -> str:
    return f"{outcome.get('raised') or outcome.get('outcome')}: {outcome.get('message')}"


@pytest.mark.skipif(not NAMESPACES, reason="needs `unshare -m` (a private mount namespace) for a read-only mount")
@pytest.mark.parametrize("crm", CRMS)
def test_a_read_only_warehouse_fails_naming_its_path_and_keeps_its_content(rig, crm: str) -> None:
    r = rig(crm, "warehouse on a read-only file system")
    r.check(r.sync())
    before = r.advance(1)
    folder = r.warehouse.parent
    prelude = f"mount --bind '{folder}' '{folder}'\nmount -o remount,ro,bind '{folder}'"
    outcome = run_in_namespace(prelude, child_command(crm, r.env, r.warehouse, r.pipelines))
    r.record.runs += 1
    r.record.outcomes.append(outcome.get("raised") or outcome.get("outcome", "?"))
    r.record.messages.append(_said(outcome)[:300])
    r.faults.counts["read-only warehouse"] += 1
    assert outcome.get("outcome") == "failed", outcome  # reported as a failed run, not raised
    assert str(r.warehouse) in str(outcome.get("message")), _said(outcome)
    assert "Read-only" in str(outcome.get("message")), _said(outcome)
    assert "read-write" in str(outcome.get("message")), _said(outcome)  # what to do
    comparison = r.compare(before)  # untouched: exactly the previous day's content
    assert comparison.ok, comparison.summary()
    r.check(r.sync())


@pytest.mark.skipif(not NAMESPACES, reason="needs `unshare -m` (a private mount namespace) for a small tmpfs")
@pytest.mark.parametrize("full", ["warehouse volume", "whole data folder"])
@pytest.mark.parametrize("crm", CRMS)
def test_a_full_disk_fails_the_sync_without_corrupting_the_warehouse(rig, crm: str, full: str) -> None:
    """`warehouse volume`: only the warehouse's folder fills up (the load into DuckDB fails);
    `whole data folder`: dlt's working folder is on the same full disk (extraction fails first)."""
    r = rig(crm, f"disk full during the sync ({full})")
    r.check(r.sync())
    before = r.advance(1)
    data, stash, after = r.folder / "data", r.folder / "stash", r.folder / "after"
    data.mkdir()
    shutil.move(str(r.warehouse.parent), data / "warehouse")
    pipelines = r.pipelines
    if full == "whole data folder":
        pipelines = data / "pipelines"
        shutil.move(str(r.pipelines), pipelines)
    warehouse = data / "warehouse" / r.warehouse.name
    # room for what is there plus 64 KiB: a full refresh writes far more than that
    size = folder_size(data) + 16 * 4096
    prelude = (f"mkdir -p '{stash}' '{after}'\ncp -a '{data}/.' '{stash}/'\n"
               f"mount -t tmpfs -o size={size} tmpfs '{data}'\ncp -a '{stash}/.' '{data}/'")
    outcome = run_in_namespace(prelude, child_command(crm, r.env, warehouse, pipelines, full_refresh=True),
                               epilogue=f"cp -a '{data}/.' '{after}/'")
    r.record.runs += 1
    r.record.outcomes.append(outcome.get("raised") or outcome.get("outcome", "?"))
    r.record.messages.append(_said(outcome)[:300])
    r.faults.counts["disk full"] += 1
    assert outcome.get("outcome") != "success", "the disk was meant to fill up during the run"
    # what the full disk left behind opens, and holds every record at its previous or new version
    r.warehouse = after / "warehouse" / r.warehouse.name
    if full == "whole data folder":
        r.pipelines = after / "pipelines"
    interrupted = r.compare(previous=before)
    assert interrupted.ok, interrupted.summary()
    # with room again, the next run completes it exactly
    r.check(r.sync())
    # the failed run was reported, not raised, and its message names the cause, the place and what to do
    message = str(outcome.get("message"))
    assert outcome.get("outcome") == "failed", _said(outcome)
    assert "No space left" in message and str(data) in message and "Free space" in message, _said(outcome)


@pytest.mark.parametrize("crm", CRMS)
def test_a_warehouse_locked_by_another_program_fails_naming_it_and_is_not_changed(rig, crm: str) -> None:
    r = rig(crm, "warehouse locked by another process")
    r.check(r.sync())
    before = r.advance(1)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(r.warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        # the runner cannot even record the run, and still reports it as a failed result, not an exception
        result = r.sync()
        text = f"{result.outcome}: {result.message}"
        r.faults.counts["warehouse locked"] += 1
        assert result.outcome == "failed", text
        assert str(r.warehouse) in text and "locked by another program" in text and "Close" in text, text
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    comparison = r.compare(before)
    assert comparison.ok, comparison.summary()
    r.check(r.sync())
