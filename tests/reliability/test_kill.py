"""A sync process killed with SIGKILL at a random moment (extracting, normalising or loading) leaves a
warehouse that opens, holds no half-written records, and that the next run completes to exactly the
sandbox's content: cursors only move with the data they describe."""

from __future__ import annotations

import random
import time

import pytest

from tests.reliability.harness import available_crms
from tests.reliability.processes import child_command, run_and_kill

pytestmark = pytest.mark.reliability
CRMS = available_crms()
SEEDS = (1, 2, 3)
_durations: dict[str, float] = {}


def _child_seconds(rig, crm: str) -> float:  # noqa: ANN001
    """How long an undisturbed full-refresh sync takes in a child process after its imports (measured
    once per CRM), so the kills spread over extraction, normalisation, loading and reconciliation."""
    if crm not in _durations:
        baseline = rig(crm, "baseline child run for the kill timing (no fault)")
        baseline.check(baseline.sync())
        baseline.advance(1)
        t0 = time.perf_counter()
        done = run_and_kill(child_command(crm, baseline.env, baseline.warehouse, baseline.pipelines,
                                          full_refresh=True), delay=120.0, wait_exit=True)
        _durations[crm] = time.perf_counter() - t0
        assert '"outcome": "success"' in done.output, done.output
        baseline.record.runs += 1
        baseline.record.outcomes.append("success (child process, timed)")
        comparison = baseline.compare()
        assert comparison.ok, comparison.summary()
    return _durations[crm]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("crm", CRMS)
def test_a_sync_killed_at_a_random_moment_is_completed_exactly_by_the_next_run(rig, crm: str, seed: int) -> None:
    rng = random.Random(f"kill/{crm}/{seed}")
    span = _child_seconds(rig, crm)
    r = rig(crm, f"process killed (SIGKILL) at a random moment, seed {seed}")
    # first a clean full sync, then a day of changes: the killed run is incremental on a real state
    r.check(r.sync())
    before = r.advance(1)
    # a full refresh re-merges every record: the longest run, with the most to lose. Seed n kills in
    # the n-th third of the run, so early (extracting), middle and late (loading, reconciling) are hit.
    delay = (seed - 1 + rng.uniform(0.05, 1.0)) / len(SEEDS) * span
    killed = run_and_kill(child_command(crm, r.env, r.warehouse, r.pipelines, full_refresh=True), delay)
    # the warehouse opens and holds, per record, the previous or the new version, never anything else
    interrupted = r.compare(previous=before)
    r.record.runs += 1
    r.record.outcomes.append("finished before the kill" if killed.finished else
                             f"killed after {delay:.2f}s of {span:.2f}s, {interrupted.behind} records behind")
    r.faults.counts["kill -9"] += 0 if killed.finished else 1
    assert interrupted.ok, interrupted.summary()
    r.check(r.sync())
