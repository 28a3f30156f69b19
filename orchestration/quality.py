"""Great Expectations suites on the landing tables, as Dagster asset checks on the raw assets.

Critical expectations are blocking checks: when one fails, the downstream models are not built in the
same run. Results are also kept in `ops.check_results`."""

import dagster as dg

from orchestration.resources import RevopsResource
from revops import quality


def _asset_key(suite: quality.Suite) -> dg.AssetKey:
    if suite.schema == "raw_inputs":
        return dg.AssetKey(["inputs", "files"])
    return dg.AssetKey([suite.schema.removeprefix("raw_"), suite.table])


def _suite_check(suite: quality.Suite, critical: bool) -> dg.AssetChecksDefinition:
    kinds = [e for e in suite.expectations if e.critical == critical]
    name = f"{'critical' if critical else 'quality'}_{suite.table}" if suite.schema == "raw_inputs" else (
        "critical_expectations" if critical else "quality_expectations")
    described = "; ".join(f"{e.kind} {e.column}" for e in kinds)

    @dg.asset_check(asset=_asset_key(suite), name=name, blocking=critical,
                    description=f"Great Expectations on {suite.asset}: {described}.")
    def _check(revops: RevopsResource) -> dg.AssetCheckResult:
        import duckdb

        cfg = revops.config
        with duckdb.connect(str(cfg.warehouse_path)) as con:
            sets = quality._sets(con, cfg)
            sub = quality.Suite(suite.schema, suite.table, kinds)
            results = quality.run_suite(con, sub, sets)
        failed = [r for r in results if not r["passed"]]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR if critical else dg.AssetCheckSeverity.WARN,
            description="; ".join(r["description"] for r in failed)[:2000] or "all expectations met",
            metadata={"expectations": len(results), "failed": len(failed)},
        )

    return _check


def build() -> list[dg.AssetChecksDefinition]:
    checks = []
    for suite in quality.SUITES:
        for critical in (True, False):
            if any(e.critical == critical for e in suite.expectations):
                checks.append(_suite_check(suite, critical))
    return checks


def freshness_checks(asset_keys: list[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """Every landed object must have been synced within the last 26 hours (hourly sync, nightly slack)."""
    from datetime import timedelta

    return list(dg.build_last_update_freshness_checks(assets=asset_keys, lower_bound_delta=timedelta(hours=26)))
