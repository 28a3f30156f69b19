"""Alerts, the serving copy for BI tools, and the review reports, downstream of the marts.

Each asset calls the step of `revops.pipeline` that the command line calls (`alerts`, `publish`,
`reports`), so a scheduled run and a manual one behave the same."""

from typing import Any

import dagster as dg

from orchestration.marts import forecast_keys, team_health_keys
from orchestration.resources import WAREHOUSE_POOL, RevopsResource

OWNERS = ["team:revops"]
KPI_KEYS = [dg.AssetKey(["kpi", "kpi_values"]), dg.AssetKey(["kpi", "kpi_tracking"])]
SERVING_KEY = dg.AssetKey(["serving", "serving_copy"])
# Slack, e-mail and webhooks fail for passing reasons too; the alert log keeps a message from repeating.
DELIVERY_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)


def public_keys(dbt_mart_keys: list[dg.AssetKey]) -> list[dg.AssetKey]:
    """What the serving copy publishes: the dbt marts and KPIs, forecast and team health."""
    return [*dbt_mart_keys, *KPI_KEYS, *forecast_keys(), *team_health_keys()]


def alerts_asset() -> dg.AssetsDefinition:
    @dg.asset(key=["ops", "alert_events"], group_name="alerts", kinds={"python", "duckdb"}, owners=OWNERS,
              deps=KPI_KEYS, pool=WAREHOUSE_POOL, retry_policy=DELIVERY_RETRY,
              description="Target breaches and KPI drift evaluated on kpi.kpi_values / kpi.kpi_tracking, sent "
                          "once per condition through the configured channels; every event kept in "
                          "ops.alert_events.")
    def kpi_alerts(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
        from revops import pipeline

        with revops.runtime(context.log) as rt:
            events = pipeline.alerts(rt, progress=context.log.info)
        sent = [e for e in events if getattr(e, "sent", False)]
        return dg.MaterializeResult(metadata={"events": len(events), "sent": len(sent)})

    return kpi_alerts


def serving_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(key=SERVING_KEY, group_name="serving", kinds={"duckdb", "parquet"}, owners=OWNERS,
              deps=deps, pool=WAREHOUSE_POOL,
              description="Read-only copy of marts, kpi, forecast and team_health for BI tools, swapped "
                          "atomically, with Parquet exports and their manifest.")
    def serving_copy(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
        from revops import pipeline

        with revops.runtime(context.log) as rt:
            out = pipeline.publish(rt, progress=context.log.info)
        return dg.MaterializeResult(metadata={"path": str(out["serving_path"]), "tables": len(out["tables"]),
                                              "dagster/row_count": sum(t["rows"] for t in out["tables"])})

    return serving_copy


def report_asset(kind: str, title: str) -> dg.AssetsDefinition:
    """One review report (HTML plus a Markdown twin shown as the asset's preview)."""

    # Reports read the serving copy; before the first publish they fall back to the working warehouse,
    # which a writer in another process would lock: hence the pool, although they write nothing there.
    @dg.asset(key=["reports", f"{kind}_report"], group_name="reports", kinds={"html"}, owners=OWNERS,
              deps=[SERVING_KEY],
              pool=WAREHOUSE_POOL, description=f"{title} (self-contained HTML, charts rendered from the warehouse).")
    def _report(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
        from revops import pipeline

        with revops.runtime(context.log) as rt:
            paths = pipeline.reports(rt, progress=context.log.info, kinds=[kind])
        if not paths:
            raise dg.Failure(description=f"the {kind} report wrote no file; see the step log")
        meta: dict[str, Any] = {"path": str(paths[0]), "as_of": rt.as_of.isoformat()}
        md = paths[0].with_suffix(".md")
        if md.exists():
            meta["preview"] = dg.MetadataValue.md(md.read_text(encoding="utf-8")[:20000])
        return dg.MaterializeResult(metadata=meta)

    return _report


REPORT_KINDS: dict[str, str] = {
    "weekly": "Weekly pipeline review: pipeline created, deals in negotiation, forecast adjusted, waterfall",
    "monthly": "Monthly results against objectives: tracking table, corrective actions, top movers",
    "quarterly": "Quarterly review with next-quarter projection: forecast range, accuracy, coverage",
    "team_health": "Team health: turnover, absenteeism, engagement, ramp, manager impact",
}


def build(dbt_mart_keys: list[dg.AssetKey]) -> list[dg.AssetsDefinition]:
    """Alerts, the serving copy and one asset per report."""
    return [alerts_asset(), serving_asset(public_keys(dbt_mart_keys)),
            *(report_asset(kind, title) for kind, title in REPORT_KINDS.items())]
