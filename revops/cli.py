"""`revops`: the command line for the people who operate the warehouse.

Exit codes: 0 success; 1 a step failed (a source, the build, a report); 2 the configuration is invalid
or a command was misused; 3 credentials are missing or refused; 4 the data has problems (reconciliation
mismatches, failed checks)."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

import revops.telemetry  # noqa: F401
from revops.config import ConfigError, RevopsConfig, load_config

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_CREDENTIALS, EXIT_DATA = 0, 1, 2, 3, 4

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="RevOps warehouse: sync CRMs, build the KPI warehouse, forecast, alert, report.")
sandbox_app = typer.Typer(no_args_is_help=True, help="The built-in sandbox company and its local CRM servers.")
app.add_typer(sandbox_app, name="sandbox")
console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="revops.yml path (default: $REVOPS_CONFIG or ./revops.yml)")]


def _load(config: Path | None) -> RevopsConfig:
    try:
        return load_config(config)
    except ConfigError as exc:
        err.print(f"[red]configuration error[/red]\n{exc}")
        raise typer.Exit(EXIT_CONFIG) from None


def _say(message: str) -> None:
    console.print(f"[dim]{datetime.now().strftime('%H:%M:%S')}[/dim] {message}")


@app.command()
def sync(
    config: ConfigOpt = None,
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="salesforce, hubspot, pipedrive or files; repeatable")] = None,
    full_refresh: Annotated[bool, typer.Option("--full-refresh", help="ignore saved cursors and re-read everything")] = False,
    obj: Annotated[list[str] | None, typer.Option("--object", "-o", help="only these objects (raw table names)")] = None,
) -> None:
    """Sync the CRMs and input files into the warehouse (incremental by default)."""
    from revops import pipeline

    cfg = _load(config)
    allowed = [*cfg.sources.enabled_crms(), "files"]
    for s in source or []:
        if s not in ("salesforce", "hubspot", "pipedrive", "files"):
            err.print(f"--source {s!r}: unknown source; allowed: salesforce, hubspot, pipedrive, files")
            raise typer.Exit(EXIT_CONFIG)
        if s not in allowed:
            err.print(f"--source {s}: the source is disabled in the configuration (sources.{s}.enabled)")
            raise typer.Exit(EXIT_CONFIG)
    with pipeline.runtime(cfg, _say) as rt:
        for note in rt.notes:
            _say(note)
        results = pipeline.sync(rt, source, full_refresh=full_refresh, objects=obj, progress=_say)
    raise typer.Exit(_sync_exit(results))


def _sync_exit(results: list[Any]) -> int:
    if any(not r.ok for r in results):
        for r in results:
            if not r.ok:
                err.print(f"[red]{r.source} failed[/red]: {r.message}")
        return EXIT_CREDENTIALS if all("credential" in r.message.lower() or "auth" in r.message.lower()
                                       for r in results if not r.ok) else EXIT_FAILED
    mismatches = [(r.source, x) for r in results for x in r.reconciliation if x["status"] != "ok"]
    for source, x in mismatches:
        err.print(f"[yellow]reconciliation[/yellow] {source} {x['object']}: source has {x['source_count']}, "
                  f"warehouse has {x['warehouse_count']}")
    return EXIT_DATA if mismatches else EXIT_OK


@app.command()
def build(config: ConfigOpt = None, select: Annotated[str | None, typer.Option(help="dbt selector")] = None) -> None:
    """Build the warehouse: dbt models and tests, then the Python marts."""
    from revops import pipeline

    cfg = _load(config)
    with pipeline.runtime(cfg, _say) as rt:
        pipeline.write_config_tables(rt)
        result = pipeline.build(rt, select=select, progress=_say)
    for f in result["failed"]:
        err.print(f"[red]failed[/red] {f}")
    if result["exception"]:
        err.print(f"[red]dbt error[/red] {result['exception']}")
        raise typer.Exit(EXIT_FAILED)
    raise typer.Exit(EXIT_OK if result["ok"] else EXIT_DATA)


@app.command()
def status(config: ConfigOpt = None) -> None:
    """Last sync per source and object, freshness, row counts, reconciliation and failed checks."""
    from revops.status import collect_status

    cfg = _load(config)
    if not cfg.warehouse_path.exists():
        err.print(f"no warehouse yet at {cfg.warehouse_path}; run `revops sync` (or `make demo`) first")
        raise typer.Exit(EXIT_FAILED)
    st = collect_status(cfg.warehouse_path)
    table = Table(title="Last sync per source and object")
    for col in ("source", "object", "last sync (UTC)", "age", "outcome", "rows loaded", "rows in warehouse", "reconciliation"):
        table.add_column(col)
    for row in st["objects"]:
        table.add_row(*[str(row[k]) for k in ("source", "object", "last_sync", "age", "outcome", "rows", "warehouse_rows", "reconciliation")])
    console.print(table)
    if st["failed_checks"]:
        console.print(f"[red]{len(st['failed_checks'])} failed check(s)[/red]")
        for c in st["failed_checks"]:
            console.print(f"  - {c}")
    if st["rejected"]:
        console.print(f"[yellow]{st['rejected']} rejected record(s)[/yellow] in ops.rejected_records")
    raise typer.Exit(EXIT_DATA if st["failed_checks"] or st["mismatches"] else EXIT_OK)


@app.command()
def doctor(config: ConfigOpt = None) -> None:
    """Validate the configuration and credentials, and test each connection."""
    from revops.doctor import run_doctor

    cfg = _load(config)
    console.print(f"[green]✓[/green] configuration {cfg.base_dir / 'revops.yml'} is valid")
    code = run_doctor(cfg, console)
    raise typer.Exit(code)


@app.command()
def demo(config: ConfigOpt = None) -> None:
    """Run the whole pipeline against the sandbox company and print a summary."""
    from revops.demo import run_demo

    cfg = _load(config)
    t0 = time.perf_counter()
    code = run_demo(cfg, console, progress=_say)
    _say(f"demo finished in {time.perf_counter() - t0:.0f}s")
    raise typer.Exit(code)


@app.command()
def report(config: ConfigOpt = None) -> None:
    """Write the weekly, monthly, quarterly and team-health reports (HTML)."""
    from revops import pipeline

    cfg = _load(config)
    with pipeline.runtime(cfg, _say) as rt:
        try:
            paths = pipeline.reports(rt, progress=_say)
        except pipeline.StepUnavailable as exc:
            err.print(str(exc))
            raise typer.Exit(EXIT_FAILED) from None
    for p in paths:
        console.print(f"wrote {p}")


@app.command()
def dev(
    config: ConfigOpt = None,
    port: Annotated[int, typer.Option(help="port of the UI on 127.0.0.1")] = 3000,
    dagster_home: Annotated[Path | None, typer.Option("--dagster-home", help="Dagster instance folder (default: $DAGSTER_HOME, else <data folder>/dagster_home)")] = None,
    prepare: Annotated[bool, typer.Option("--prepare/--no-prepare", help="prepare the dbt manifest first")] = True,
) -> None:
    """Start the Dagster UI and daemon on 127.0.0.1 with the project's definitions (and the sandbox
    servers when no CRM credentials are set)."""
    from orchestration.dev import run_dev
    from revops.config import default_config_path

    cfg = _load(config)
    config_file = (config or default_config_path()).resolve()
    try:
        code = run_dev(cfg, config_file, port=port, home=dagster_home, prepare=prepare, say=_say)
    except RuntimeError as exc:  # the manifest could not be prepared
        err.print(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    raise typer.Exit(code)


@app.command()
def prepare() -> None:
    """Prepare the dbt manifest the Dagster definitions load (a build step, never done at import)."""
    from orchestration.dbt import prepare_manifest

    try:
        path = prepare_manifest()
    except RuntimeError as exc:
        err.print(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    console.print(f"dbt manifest written to {path}")


@sandbox_app.command("serve")
def sandbox_serve(config: ConfigOpt = None) -> None:
    """Serve the sandbox company on local ports and print the variables that point the connectors at it."""
    from sandbox.launch import Sandbox, ensure_dataset, write_inputs

    cfg = _load(config)
    sb = cfg.sandbox
    if sb is None:
        err.print("the configuration has no `sandbox:` section; add one (see revops.yml)")
        raise typer.Exit(EXIT_CONFIG)
    ds = ensure_dataset(cfg.data_dir / "sandbox" / "dataset", seed=sb.seed, size=sb.size, as_of=sb.as_of,
                        fiscal_year_start_month=cfg.company.fiscal_year_start_month,
                        corporate_currency=cfg.company.corporate_currency, scenario=sb.scenario)
    write_inputs(ds, cfg.resolve(cfg.sources.files.folder))
    with Sandbox(ds, cfg.data_dir / "sandbox" / "tls") as running:
        console.print("# sandbox CRM servers are running; in another shell:")
        for k, v in running.env().items():
            console.print(f"export {k}={v}")
        console.print("# Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@sandbox_app.command("step")
def sandbox_step(
    days: Annotated[int, typer.Option("--days", min=1, help="how many days the company moves forward")] = 1,
    config: ConfigOpt = None,
) -> None:
    """Move the saved sandbox company forward: new deals, stage changes, wins, losses, edits, deletions.

    The next `revops sync` then has a day (or more) of changes to pick up incrementally.
    """
    import json
    from datetime import date

    from sandbox.generator import generate, render, step
    from sandbox.generator.settings import HORIZON_DAYS

    cfg = _load(config)
    sb = cfg.sandbox
    if sb is None:
        err.print("the configuration has no `sandbox:` section; add one (see revops.yml)")
        raise typer.Exit(EXIT_CONFIG)
    if sb.as_of is not None:
        err.print(f"sandbox.as_of is fixed at {sb.as_of} in the configuration, so the next run would make the "
                  "company again at that date; remove sandbox.as_of to let it move forward")
        raise typer.Exit(EXIT_CONFIG)
    folder = cfg.data_dir / "sandbox" / "dataset"
    meta_path = folder / "meta.json"
    if not meta_path.exists():
        err.print(f"no sandbox company at {folder} yet: run `revops demo` (or `revops sync`) first")
        raise typer.Exit(EXIT_FAILED)
    meta = json.loads(meta_path.read_text())
    as_of = date.fromisoformat(str(meta["as_of"])[:10])
    # The company is always made again at the date it was first generated and moved forward from there:
    # generated at a later date, its whole history would be drawn anew.
    generated = date.fromisoformat(str(meta.get("generated_as_of", meta["as_of"]))[:10])
    offset = (as_of - generated).days + days
    if offset > HORIZON_DAYS:
        err.print(f"the sandbox company is simulated {HORIZON_DAYS} days past {generated}, the day it was made; "
                  f"it stands at {as_of} and cannot move {days} more day(s). Delete {folder} to make it again "
                  "at today's date")
        raise typer.Exit(EXIT_FAILED)
    console.print(f"sandbox: moving the company from {as_of} forward by {days} day(s)")
    world = generate(seed=int(meta.get("seed", sb.seed)), size=str(meta.get("size", sb.size)), as_of=generated,
                     fiscal_year_start_month=cfg.company.fiscal_year_start_month,
                     corporate_currency=cfg.company.corporate_currency, scenario=meta.get("scenario"))
    render(step(world, offset)).save(folder)
    new_meta = json.loads(meta_path.read_text())
    new_meta["generated_as_of"] = generated.isoformat()
    meta_path.write_text(json.dumps(new_meta, indent=2, default=str))
    console.print(f"sandbox: the company now stands at {str(new_meta['as_of'])[:10]}; run `revops sync` "
                  "to pick up the changes")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
