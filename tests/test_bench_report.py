"""The benchmark report's summaries: runs of one size that synced different CRMs are not repeats."""

from __future__ import annotations

from typing import Any

from benchmarks.report import sync_summaries


def _run(crm: str, compared: int, peak: float) -> dict[str, Any]:
    sync = {"seconds": 1.0, "outcome": "success"}
    return {"generate_s": 2.0, "records": {}, "full": {crm: sync}, "incremental": {crm: sync}, "step_s": 1.0,
            "worker_peak_mb": peak, "mismatches": {crm: {"mismatches": 0, "records_compared": compared, "seconds": 3.0}}}


def test_runs_of_different_crms_are_checked_apart_and_repeats_together() -> None:
    sums = sync_summaries({"large": [_run("salesforce", 4_000_000, 9000.0), _run("pipedrive", 1_000_000, 6000.0)],
                           "small": [_run("hubspot", 200, 500.0), _run("hubspot", 200, 700.0)]})
    large = {tuple(c["crms"]): c for c in sums["large"]["checks"]}
    assert set(large) == {("salesforce",), ("pipedrive",)}
    assert large[("salesforce",)]["records_compared"]["median"] == 4_000_000
    assert large[("pipedrive",)]["worker_peak_mb"]["median"] == 6000.0
    (small,) = sums["small"]["checks"]
    assert small["crms"] == ["hubspot"] and small["worker_peak_mb"]["median"] == 600.0
