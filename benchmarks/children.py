"""What the benchmark runs in child processes, so each measurement has its own memory and clock.

    python benchmarks/children.py sync '<json>'    # one connector sync through connectors.runner
    python benchmarks/children.py build '<json>'   # input files, config tables and `dbt build`
    python benchmarks/children.py marts '<json>'   # the forecast and team-health marts on a built warehouse

Each prints one JSON line: the outcome, the seconds of the work itself (imports excluded) and the
process's peak resident memory, after the imports and at the end."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    """This program's peak RSS. Linux's `VmHWM` belongs to the program's own address space; `ru_maxrss`
    (the fallback elsewhere) keeps the parent's peak across fork and exec, which a child of a process
    holding a large sandbox company would report as its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sync(args: dict[str, Any]) -> dict[str, Any]:
    """One CRM sync with the connector's own client and settings (real retries, real limits)."""
    from connectors.runner import sync_crm

    before = _peak_mb()
    t0 = time.perf_counter()
    result = sync_crm(args["crm"], args["env"], Path(args["warehouse"]), Path(args["pipelines"]),
                      full_refresh=bool(args.get("full_refresh")))
    seconds = time.perf_counter() - t0
    return {"outcome": result.outcome, "message": result.message, "rows": result.rows,
            "rejected": result.rejected, "requests": result.requests, "seconds": round(seconds, 3),
            "reconciled": result.reconciled, "rss_after_imports_mb": before, "rss_peak_mb": _peak_mb()}


def build(args: dict[str, Any]) -> dict[str, Any]:
    """Land the input files and config tables, then `dbt build`, as `revops build` does after a sync."""
    from connectors.runner import sync_files
    from revops import pipeline
    from revops.config import load_config

    config = load_config(Path(args["config"]))
    dataset = SimpleNamespace(meta={"as_of": args["as_of"]})  # Runtime reads the as-of date from it
    rt = pipeline.Runtime(config=config, env={}, sandbox=SimpleNamespace(dataset=dataset))
    t0 = time.perf_counter()
    pipeline.write_config_tables(rt)
    files = sync_files(config.resolve(config.sources.files.folder), rt.warehouse, rt.data_dir / "dlt_pipelines")
    inputs_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        out = pipeline.build(rt)
    except Exception as exc:  # noqa: BLE001 - reported as "not available", honestly
        return {"available": False, "error": f"{type(exc).__name__}: {exc}"[:500], "inputs_s": round(inputs_s, 3)}
    return {"available": True, "ok": out["ok"], "counts": out["counts"], "failed": out["failed"][:10],
            "exception": out["exception"], "seconds": round(time.perf_counter() - t0, 3),
            "inputs_s": round(inputs_s, 3), "files_outcome": files.outcome, "rss_peak_mb": _peak_mb()}


def marts(args: dict[str, Any]) -> dict[str, Any]:
    """The forecast and the team-health marts on the built warehouse, timed apart, with the settings of
    the run's revops.yml (as `revops build` computes them after dbt)."""
    from datetime import date

    import duckdb

    from revops.config import load_config
    from revops.forecast import build_forecast
    from revops.team_health import build_team_health

    cfg = load_config(Path(args["config"]))
    as_of = date.fromisoformat(str(args["as_of"])[:10])
    out: dict[str, Any] = {}
    with duckdb.connect(str(cfg.warehouse_path)) as con:
        t0 = time.perf_counter()
        rows = build_forecast(con, as_of=as_of, fiscal_year_start_month=cfg.company.fiscal_year_start_month,
                              corporate_currency=cfg.company.corporate_currency, seed=cfg.forecast.seed,
                              simulations=cfg.forecast.simulations, backtest_periods=cfg.forecast.backtest_periods)
        out["forecast_s"] = round(time.perf_counter() - t0, 3)
        out["forecast_rows"] = rows
        out["forecast_rss_peak_mb"] = _peak_mb()
        t = cfg.team_health
        t0 = time.perf_counter()
        rows = build_team_health(con, as_of=as_of, min_survey_respondents=t.min_survey_respondents,
                                 small_team_threshold=t.small_team_threshold, ramp_share=t.ramp_share,
                                 sdr_monthly_meeting_target=t.sdr_monthly_meeting_target,
                                 impact_window_days=t.impact_window_days, min_deals_per_side=t.min_deals_per_side,
                                 fiscal_year_start_month=cfg.company.fiscal_year_start_month)
        out["team_health_s"] = round(time.perf_counter() - t0, 3)
        out["team_health_rows"] = rows
        out["deals"] = con.execute("select count(*) from marts.fct_deals").fetchone()[0]
        out["open_deals"] = con.execute("select count(*) from marts.fct_deals where status not in ('won', 'lost')").fetchone()[0]
    out["rss_peak_mb"] = _peak_mb()
    return out


if __name__ == "__main__":
    kind, payload = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({"sync": sync, "build": build, "marts": marts}[kind](payload), default=str), flush=True)
