"""The pipeline's steps as plain functions: sandbox, sync, build, marts, alerts, serving, reports.

The command line and the Dagster assets both call these, so a scheduled run and `revops demo` do the
same thing."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import revops.telemetry  # noqa: F401  (telemetry off before any library loads)
from revops.config import RevopsConfig
from revops.env import load_env

CREDENTIAL_VARS = {
    "salesforce": (("SALESFORCE_USERNAME", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN"),
                   ("SALESFORCE_INSTANCE_URL", "SALESFORCE_ACCESS_TOKEN"),
                   ("SALESFORCE_USERNAME", "SALESFORCE_CONSUMER_KEY", "SALESFORCE_PRIVATE_KEY_FILE"),
                   ("SALESFORCE_CONSUMER_KEY", "SALESFORCE_CONSUMER_SECRET", "SALESFORCE_DOMAIN")),
    "hubspot": (("HUBSPOT_ACCESS_TOKEN",),),
    "pipedrive": (("PIPEDRIVE_API_TOKEN",),),
}

Progress = Callable[[str], None]


def has_credentials(source: str, env: dict[str, str]) -> bool:
    return any(all(env.get(v) for v in combo) for combo in CREDENTIAL_VARS[source])


@dataclass
class Runtime:
    """A loaded configuration plus the environment the connectors will see."""

    config: RevopsConfig
    env: dict[str, str]
    sandbox: Any = None  # sandbox.launch.Sandbox when the sandbox serves the CRMs
    notes: list[str] = field(default_factory=list)

    @property
    def warehouse(self) -> Path:
        return self.config.warehouse_path

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    @property
    def as_of(self) -> date:
        if self.sandbox is not None:
            return date.fromisoformat(str(self.sandbox.dataset.meta.get("as_of"))[:10])
        # set by `revops dev` when it serves the sandbox to the Dagster runs (YYYY-MM-DD)
        pinned = self.env.get("REVOPS_AS_OF")
        return date.fromisoformat(pinned) if pinned else date.today()


def sandbox_needed(config: RevopsConfig, env: dict[str, str]) -> bool:
    """The sandbox serves the CRMs when the config has a sandbox section and no CRM has credentials."""
    return config.sandbox is not None and not any(
        has_credentials(s, env) for s in config.sources.enabled_crms())


@contextlib.contextmanager
def runtime(config: RevopsConfig, progress: Progress | None = None) -> Iterator[Runtime]:
    """Load the environment; start the sandbox servers if the demo needs them (stopped on exit)."""
    env = load_env(config.base_dir / ".env")
    rt = Runtime(config=config, env=env)
    if sandbox_needed(config, env):
        from sandbox.launch import Sandbox, ensure_dataset, write_inputs

        assert config.sandbox is not None
        say = progress or (lambda _m: None)
        say(f"sandbox: preparing the demo company (seed {config.sandbox.seed}, size {config.sandbox.size})")
        dataset = ensure_dataset(
            config.data_dir / "sandbox" / "dataset", seed=config.sandbox.seed, size=config.sandbox.size,
            as_of=config.sandbox.as_of, fiscal_year_start_month=config.company.fiscal_year_start_month,
            corporate_currency=config.company.corporate_currency, scenario=config.sandbox.scenario)
        if config.sources.files.enabled:
            write_inputs(dataset, config.resolve(config.sources.files.folder))
        rt.sandbox = Sandbox(dataset, config.data_dir / "sandbox" / "tls").start()
        env.update(rt.sandbox.env())
        rt.notes.append("no CRM credentials set: the built-in sandbox company serves Salesforce, HubSpot "
                        "and Pipedrive on 127.0.0.1")
        say("sandbox: servers up on " + ", ".join(f"{k} {s.base_url}" for k, s in rt.sandbox.servers.items()))
    try:
        yield rt
    finally:
        if rt.sandbox is not None:
            rt.sandbox.stop()


def write_config_tables(rt: Runtime) -> None:
    """Land the configuration the warehouse needs (stage mapping, targets, actions, settings)."""
    from connectors.runner import write_config_tables as write
    from revops.kpis import CATALOGUE

    cfg = rt.config
    actions = []
    for name, kpi in CATALOGUE.items():
        configured = cfg.kpis.actions.get(name, {})
        actions.append({"kpi": name, "status": "red", "action": configured.get("red", kpi.red_action)})
        actions.append({"kpi": name, "status": "amber", "action": configured.get("amber", kpi.amber_action)})
        actions.append({"kpi": name, "status": "green", "action": configured.get("green", "Keep the current plan")})
    settings = {
        "corporate_currency": cfg.company.corporate_currency,
        "fiscal_year_start_month": str(cfg.company.fiscal_year_start_month),
        "amber_share": str(cfg.kpis.amber_share),
        "smb_max_employees": str(cfg.segments.smb_max_employees),
        "mid_market_max_employees": str(cfg.segments.mid_market_max_employees),
        "as_of_date": rt.as_of.isoformat(),
    }
    write(rt.warehouse, {
        "config_stage_mapping": cfg.stage_mapping_rows(),
        "config_kpi_targets": [t.model_dump() for t in cfg.kpis.targets],
        "config_kpi_actions": actions,
        "config_headline_kpis": [{"kpi": k, "position": i + 1} for i, k in enumerate(cfg.kpis.headline)],
        "config_kpi_catalogue": [{"kpi": k.name, "label": k.label, "unit": k.unit, "direction": k.direction}
                                 for k in CATALOGUE.values()],
        "config_settings": [{"key": k, "value": v} for k, v in settings.items()],
    })


def sync(rt: Runtime, sources: Sequence[str] | None = None, *, full_refresh: bool = False,
         objects: Sequence[str] | None = None, progress: Progress | None = None) -> list[Any]:
    """Sync the enabled (or the given) sources; each source's failure is contained and reported."""
    from connectors.runner import sync_crm, sync_files

    say = progress or (lambda _m: None)
    cfg = rt.config
    wanted = list(sources) if sources else [*cfg.sources.enabled_crms(), "files"]
    pipelines_dir = rt.data_dir / "dlt_pipelines"
    results = []
    # connector settings kept in revops.yml reach the connectors through their settings variables
    rt.env.setdefault("SALESFORCE_BULK_THRESHOLD", str(cfg.sources.salesforce.bulk_threshold))
    rt.env.setdefault("SALESFORCE_API_BUDGET_RESERVE", str(cfg.sources.salesforce.api_budget_reserve))
    write_config_tables(rt)
    for name in wanted:
        if name == "files":
            if not cfg.sources.files.enabled:
                continue
            say("sync files: loading input CSV files")
            results.append(sync_files(cfg.resolve(cfg.sources.files.folder), rt.warehouse, pipelines_dir))
        else:
            say(f"sync {name}: {'full refresh' if full_refresh else 'incremental'}")
            results.append(sync_crm(name, rt.env, rt.warehouse, pipelines_dir, objects=objects,
                                    full_refresh=full_refresh,
                                    overlap=timedelta(minutes=cfg.sync.overlap_minutes)))
        r = results[-1]
        rows = sum(r.rows.values())
        say(f"sync {name}: {r.outcome}, {rows} rows, {sum(r.rejected.values())} rejected, "
            f"{r.requests} requests, {r.seconds:.1f}s" + (f" — {r.message}" if r.message else ""))
    return results


def dbt_project_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "dbt_project"


def dbt_env(rt: Runtime) -> dict[str, str]:
    return {"REVOPS_WAREHOUSE_PATH": str(rt.warehouse), "DBT_DUCKDB_PATH": str(rt.warehouse)}


def dbt_vars(rt: Runtime) -> dict[str, Any]:
    return {"as_of_date": rt.as_of.isoformat(),
            "fiscal_year_start_month": rt.config.company.fiscal_year_start_month}


def build(rt: Runtime, *, select: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """`dbt build` (models and tests) on the warehouse; returns counts and the failed nodes."""
    import json

    from dbt.cli.main import dbtRunner

    say = progress or (lambda _m: None)
    project = dbt_project_dir()
    if not (project / "dbt_project.yml").exists():
        raise RuntimeError(f"dbt project not found at {project}")
    os.environ.update(dbt_env(rt))
    args = ["build", "--project-dir", str(project), "--profiles-dir", str(project),
            "--vars", json.dumps(dbt_vars(rt)), "--target-path", str(rt.data_dir / "dbt_target"),
            "--log-path", str(rt.data_dir / "dbt_logs"), "--quiet"]
    if select:
        args += ["--select", select]
    say("build: dbt build (models and tests)")
    res = dbtRunner().invoke(args)
    failed, counts = [], {"success": 0, "pass": 0, "warn": 0, "error": 0, "fail": 0, "skipped": 0}
    for r in (res.result or []) if res.result is not None and hasattr(res.result, "__iter__") else []:
        status = str(getattr(r, "status", "")).lower()
        counts[status] = counts.get(status, 0) + 1
        if status in ("error", "fail"):
            failed.append(f"{r.node.unique_id}: {(r.message or '').strip()[:300]}")
    say(f"build: {counts}")
    return {"ok": bool(res.success), "counts": counts, "failed": failed,
            "exception": str(res.exception) if res.exception else None}


class StepUnavailable(RuntimeError):
    """A pipeline step whose code is not part of this installation."""


def _module(name: str) -> Any:
    import importlib
    import importlib.util

    if importlib.util.find_spec(name) is None:
        raise StepUnavailable(f"{name} is not available in this installation")
    return importlib.import_module(name)


KPI_REFRESH_SELECT = ("stg_forecast__forecast_accuracy stg_forecast__forecast_summary stg_team_health__kpi_values "
                      "kpi_values kpi_tracking")


def marts(rt: Runtime, *, progress: Progress | None = None) -> dict[str, dict[str, int]]:
    """The Python marts: forecast and team health, computed as of the runtime's date."""
    import duckdb

    say = progress or (lambda _m: None)
    cfg = rt.config
    out: dict[str, dict[str, int]] = {}
    with duckdb.connect(str(rt.warehouse)) as con:
        say("marts: forecast (weighted, stage conversion, deal model, Monte Carlo, back-tests)")
        forecast = _module("revops.forecast")
        out["forecast"] = forecast.build_forecast(
            con, as_of=rt.as_of, fiscal_year_start_month=cfg.company.fiscal_year_start_month,
            corporate_currency=cfg.company.corporate_currency, seed=cfg.forecast.seed,
            simulations=cfg.forecast.simulations, backtest_periods=cfg.forecast.backtest_periods)
        say("marts: team health (turnover, absenteeism, eNPS, ramp, manager impact)")
        th = _module("revops.team_health")
        t = cfg.team_health
        out["team_health"] = th.build_team_health(
            con, as_of=rt.as_of, min_survey_respondents=t.min_survey_respondents,
            small_team_threshold=t.small_team_threshold, ramp_share=t.ramp_share,
            sdr_monthly_meeting_target=t.sdr_monthly_meeting_target,
            impact_window_days=t.impact_window_days, min_deals_per_side=t.min_deals_per_side,
            fiscal_year_start_month=cfg.company.fiscal_year_start_month)
    # kpi.kpi_values and kpi.kpi_tracking read the forecast accuracy and the team-health KPIs back:
    # rebuilt now, they hold this run's figures rather than the previous run's.
    say("marts: kpi tables refreshed with the forecast accuracy and the team-health KPIs")
    refresh = build(rt, select=KPI_REFRESH_SELECT, progress=say)
    if not refresh["ok"]:
        detail = "; ".join(refresh["failed"]) or refresh["exception"] or "see data/dbt_logs"
        raise RuntimeError(f"refreshing the kpi tables after the marts failed: {detail}. "
                           f"Run `revops build --select {KPI_REFRESH_SELECT.split()[-1]}` to see the dbt output")
    out["kpi_refresh"] = {k: v for k, v in refresh["counts"].items() if v}
    return out


def checks(rt: Runtime, *, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Data-quality suites on the raw landing tables (recorded in ops.check_results)."""
    quality = _module("revops.quality")
    return quality.run_checks(rt.warehouse, rt.config, progress=progress)  # type: ignore[no-any-return]


def alerts(rt: Runtime, *, progress: Progress | None = None) -> list[Any]:
    """KPI drift and target-breach alerts through the configured channels."""
    import duckdb

    mod = _module("revops.alerts")
    config = mod.AlertsConfig.model_validate(
        {"fiscal_year_start_month": rt.config.company.fiscal_year_start_month, **rt.config.alerts})
    from revops.ops_alerts import flush_spooled

    with duckdb.connect(str(rt.warehouse)) as con:
        spooled = flush_spooled(rt.config, con)
        events = mod.evaluate_and_send(con, config, as_of=rt.as_of, env=rt.env)
    if progress:
        if spooled:
            progress(f"alerts: {spooled} operational alert(s) kept while the warehouse was locked now logged")
        progress(f"alerts: {len(events)} event(s) evaluated")
    return events  # type: ignore[no-any-return]


def publish(rt: Runtime, *, progress: Progress | None = None) -> dict[str, Any]:
    """Publish the serving copy and Parquet exports for BI tools."""
    serving = _module("revops.serving")
    cfg = rt.config
    out = serving.publish(rt.warehouse, cfg.resolve(cfg.warehouse.serving_path), cfg.resolve(cfg.warehouse.exports_dir),
                          history_days=cfg.warehouse.forecast_history_days)
    if progress:
        progress(f"serving: published {cfg.resolve(cfg.warehouse.serving_path)}")
        trimmed = out.get("forecast_history", {}).get("trimmed_rows")
        if trimmed:
            progress(f"serving: {trimmed} forecast history row(s) before {out['forecast_history']['trimmed_before']} "
                     f"dropped (warehouse.forecast_history_days: {cfg.warehouse.forecast_history_days})")
        for warning in out.get("warnings", []):
            progress(f"serving: {warning}")
    return out  # type: ignore[no-any-return]


def reports(rt: Runtime, *, progress: Progress | None = None, kinds: Sequence[str] | None = None) -> list[Path]:
    """The review reports (HTML): weekly pipeline, monthly results, quarterly review, team health; read
    from the serving copy when one is published, else from the working warehouse."""
    mod = _module("revops.reports")
    cfg = rt.config
    paths = mod.write_reports(rt.warehouse, cfg.resolve(cfg.reports.output_dir), as_of=rt.as_of,
                              config=cfg, kinds=kinds, serving=cfg.resolve(cfg.warehouse.serving_path))
    if progress:
        progress(f"reports: wrote {len(paths)} report(s) to {cfg.resolve(cfg.reports.output_dir)}")
    return list(paths)
