"""`revops demo`: the whole pipeline against the sandbox company, then a short summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table

from revops import pipeline
from revops.config import RevopsConfig

LAYERS = ("raw_salesforce", "raw_hubspot", "raw_pipedrive", "raw_inputs", "staging", "intermediate",
          "marts", "kpi", "forecast", "team_health", "ops")


def run_demo(cfg: RevopsConfig, console: Console, progress: Callable[[str], None]) -> int:
    """Sync, build, marts, checks, alerts, serving copy, reports; print the summary. Returns an exit code."""
    code = 0
    skipped: list[str] = []
    with pipeline.runtime(cfg, progress) as rt:
        for note in rt.notes:
            progress(note)
        results = pipeline.sync(rt, progress=progress)
        if any(not r.ok for r in results):
            code = 1
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("build", lambda: pipeline.build(rt, progress=progress)),
            ("marts", lambda: pipeline.marts(rt, progress=progress)),
            ("checks", lambda: pipeline.checks(rt, progress=progress)),
            ("alerts", lambda: pipeline.alerts(rt, progress=progress)),
            ("serving", lambda: pipeline.publish(rt, progress=progress)),
            ("reports", lambda: pipeline.reports(rt, progress=progress)),
        ]
        for name, step in steps:
            try:
                out = step()
            except pipeline.StepUnavailable as exc:
                skipped.append(f"{name} ({exc})")
                progress(f"{name}: skipped — {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - the demo reports and goes on
                progress(f"[red]{name}: failed[/red] — {type(exc).__name__}: {exc}")
                code = 1
                if name == "build":
                    break
                continue
            if name == "build" and not out["ok"]:
                code = 1
                for f in out["failed"][:20]:
                    progress(f"[red]build failed[/red] {f}")
                if out["exception"]:
                    progress(f"[red]dbt[/red] {out['exception']}")
        print_summary(rt, console, skipped)
    return code


def print_summary(rt: pipeline.Runtime, console: Console, skipped: list[str]) -> None:
    wh = rt.warehouse
    console.rule("RevOps warehouse — demo summary")
    with duckdb.connect(str(wh), read_only=True) as con:
        tables = con.execute("""
            select table_schema, table_name from information_schema.tables
            where table_schema in ({}) order by 1, 2""".format(",".join(f"'{s}'" for s in LAYERS))).fetchall()
        per_layer: dict[str, list[int]] = {}
        for schema, name in tables:
            if name.startswith("_dlt"):
                continue
            n = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]  # type: ignore[index]
            per_layer.setdefault(schema, [0, 0])
            per_layer[schema][0] += 1
            per_layer[schema][1] += int(n)
        t = Table(title="Rows per layer")
        t.add_column("schema")
        t.add_column("tables / views", justify="right")
        t.add_column("rows", justify="right")
        for schema in LAYERS:
            if schema in per_layer:
                t.add_row(schema, str(per_layer[schema][0]), f"{per_layer[schema][1]:,}")
        console.print(t)
        if ("kpi", "kpi_tracking") in tables:
            # The last complete quarter: a running one compares a partial actual with a full target.
            rows = con.execute("""
                with latest as (
                  select max(period_start) as p from kpi.kpi_tracking
                  where grain = 'quarter' and scope_type = 'company' and actual is not null and is_complete)
                select kpi_label, target, actual, gap, pct_of_target, status, corrective_action
                from kpi.kpi_tracking, latest
                where grain = 'quarter' and scope_type = 'company' and period_start = latest.p and is_headline
                order by kpi""").fetchall()
            period = con.execute("""select max(period_start) from kpi.kpi_tracking
                where grain = 'quarter' and scope_type = 'company' and actual is not null and is_complete"""
                                 ).fetchone()[0]  # type: ignore[index]
            kt = Table(title=f"KPI tracking — company, last complete fiscal quarter (from {period})")
            for col in ("KPI", "target", "actual", "gap", "% of target", "status", "corrective action"):
                kt.add_column(col)
            colours = {"green": "green", "amber": "yellow", "red": "red"}
            for label, target, actual, gap, pct, status, action in rows:
                kt.add_row(label, _fmt(target), _fmt(actual), _fmt(gap), "-" if pct is None else f"{pct:.0%}",
                           f"[{colours.get(status, 'white')}]{status or '-'}[/]",
                           action if status in ("red", "amber") else "")
            console.print(kt)
            console.print("The running quarter, the months and every team and rep are in kpi.kpi_tracking "
                          "and the monthly report.")
    console.print(f"Warehouse: {wh}")
    serving = rt.config.resolve(rt.config.warehouse.serving_path)
    if serving.exists():
        console.print(f"Serving copy for BI tools (read-only, safe during syncs): {serving}")
    reports = rt.config.resolve(rt.config.reports.output_dir)
    if reports.exists():
        console.print(f"Reports: {reports}")
    console.print("Dagster UI: `make dev`, then open http://127.0.0.1:3000")
    for s in skipped:
        console.print(f"[yellow]not run:[/yellow] {s}")


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)
