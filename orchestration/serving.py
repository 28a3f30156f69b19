"""Alerts, the serving copy for BI tools, and the review reports, as assets downstream of the marts."""

import dagster as dg

from orchestration.resources import RevopsResource

PUBLIC_DEPS = [dg.AssetKey(["kpi_values"]), dg.AssetKey(["kpi_tracking"]), dg.AssetKey(["forecast", "forecast_marts"]),
               dg.AssetKey(["team_health", "team_health_marts"])]


@dg.asset(key=["ops", "kpi_alerts"], group_name="alerts", kinds={"python", "slack", "email"}, owners=["team:revops"],
          deps=PUBLIC_DEPS, tags={"revops/writes_warehouse": "true"}, pool="warehouse",
          description="Target breaches and KPI drift (robust z-score) evaluated from kpi.kpi_values / kpi_tracking, "
                      "sent once per condition; every event stored in ops.alert_events.")
def kpi_alerts(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
    from revops import pipeline

    with revops.runtime(context.log) as rt:
        events = pipeline.alerts(rt, progress=context.log.info)
    sent = [e for e in events if getattr(e, "sent", False)]
    return dg.MaterializeResult(metadata={"events": len(events), "sent": len(sent)})


@dg.asset(key=["serving", "serving_copy"], group_name="serving", kinds={"duckdb", "parquet"}, owners=["team:revops"],
          deps=PUBLIC_DEPS, tags={"revops/writes_warehouse": "true"}, pool="warehouse",
          description="Read-only copy of marts, kpi, forecast and team_health for BI tools, swapped atomically; "
                      "Parquet exports with a manifest.")
def serving_copy(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
    from revops import pipeline

    with revops.runtime(context.log) as rt:
        out = pipeline.publish(rt, progress=context.log.info)
    return dg.MaterializeResult(metadata={"path": out["serving_path"], "tables": len(out["tables"]),
                                          "rows": sum(t["rows"] for t in out["tables"])})


def _report_asset(kind: str, title: str) -> dg.AssetsDefinition:
    @dg.asset(key=["reports", f"{kind}_report"], group_name="reports", kinds={"html"}, owners=["team:revops"],
              deps=[dg.AssetKey(["serving", "serving_copy"])],
              description=f"{title} (self-contained HTML, charts rendered from the warehouse).")
    def _report(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
        from revops import pipeline

        with revops.runtime(context.log) as rt:
            paths = pipeline.reports(rt, progress=context.log.info, kinds=[kind])
        meta: dict[str, object] = {"path": str(paths[0]) if paths else ""}
        md = paths[0].with_suffix(".md") if paths else None
        if md is not None and md.exists():
            meta["preview"] = dg.MetadataValue.md(md.read_text()[:20000])
        return dg.MaterializeResult(metadata=meta)

    return _report


REPORTS = [
    _report_asset("weekly", "Weekly pipeline review: pipeline created, deals in negotiation, forecast adjusted, waterfall"),
    _report_asset("monthly", "Monthly results against objectives: tracking table, corrective actions, top movers"),
    _report_asset("quarterly", "Quarterly review with next-quarter projection: forecast range, accuracy, coverage"),
    _report_asset("team_health", "Team health: turnover, absenteeism, engagement, ramp, manager impact"),
]
