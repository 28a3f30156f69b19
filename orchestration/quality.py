"""Data-quality checks on the landing tables: the Great Expectations suites of `revops.quality` as asset
checks, and freshness checks.

Each suite gives up to two checks on its raw asset: `critical_expectations` (blocking, severity ERROR:
when it fails, the assets downstream of that table are not materialized in the same run) and
`quality_expectations` (a warning). Results are also appended to `ops.check_results`, where
`revops status` reads them."""

import warnings
from collections.abc import Collection
from datetime import timedelta

import dagster as dg

from orchestration.resources import WAREHOUSE_POOL, RevopsResource
from revops import quality

# Hourly syncs; a day and two hours of slack covers a nightly maintenance window of a CRM.
FRESHNESS_WINDOW = timedelta(hours=26)


def suite_asset_key(suite: quality.Suite) -> dg.AssetKey:
    """`raw_salesforce.opportunity` -> `[salesforce, opportunity]`, `raw_inputs.quotas` -> `[inputs, quotas]`."""
    return dg.AssetKey([suite.schema.removeprefix("raw_"), suite.table])


def _suite_check(suite: quality.Suite, critical: bool) -> dg.AssetChecksDefinition:
    chosen = [e for e in suite.expectations if e.critical == critical]
    described = "; ".join(f"{e.kind} {e.column}" for e in chosen)
    severity = dg.AssetCheckSeverity.ERROR if critical else dg.AssetCheckSeverity.WARN

    @dg.asset_check(asset=suite_asset_key(suite), name="critical_expectations" if critical else "quality_expectations",
                    blocking=critical, pool=WAREHOUSE_POOL,
                    description=f"Great Expectations on {suite.asset}: {described}."
                                + (" Blocks the downstream models when it fails." if critical else ""))
    def _check(revops: RevopsResource) -> dg.AssetCheckResult:
        import duckdb
        import pandas as pd

        from connectors.runner import ensure_ops

        cfg = revops.config
        with duckdb.connect(str(cfg.warehouse_path)) as con:
            sets = quality._sets(con, cfg)
            results = quality.run_suite(con, quality.Suite(suite.schema, suite.table, chosen), sets)
            ensure_ops(con)
            frame = pd.DataFrame(results)  # noqa: F841 - read by name in the SQL below
            con.execute("insert into ops.check_results select checked_at, check_name, asset, passed, severity, "
                        "description, metadata from frame")
        failed = [r for r in results if not r["passed"]]
        return dg.AssetCheckResult(
            passed=not failed, severity=severity,
            description="; ".join(r["description"] for r in failed)[:2000] or "all expectations met",
            metadata={"expectations": len(results), "failed": len(failed),
                      "failed_expectations": ", ".join(r["check_name"] for r in failed) or "none"},
        )

    return _check


def build(asset_keys: Collection[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """The suite checks whose landing asset is defined (a disabled source has no assets, so no checks)."""
    checks = []
    for suite in quality.SUITES:
        if suite_asset_key(suite) not in asset_keys:
            continue
        for critical in (True, False):
            if any(e.critical == critical for e in suite.expectations):
                checks.append(_suite_check(suite, critical))
    return checks


def freshness_checks(asset_keys: list[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """Every landing table must have been materialized within FRESHNESS_WINDOW."""
    # Dagster 1.13 marks these builders superseded by asset freshness policies; the check form is kept
    # because its pass/fail history sits beside the other checks of the landing table.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.SupersessionWarning)
        return list(dg.build_last_update_freshness_checks(assets=asset_keys, lower_bound_delta=FRESHNESS_WINDOW))


def freshness_sensor(checks: list[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    """Evaluates the freshness checks between syncs (they need no warehouse access, only run history)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.SupersessionWarning)
        return dg.build_sensor_for_freshness_checks(freshness_checks=checks, minimum_interval_seconds=600,
                                                    name="landing_freshness_sensor",
                                                    default_status=dg.DefaultSensorStatus.RUNNING)
