"""The benchmark suite (`make bench`): connector syncs, dbt builds, forecast, team health and the
end-to-end demo, repeated, with medians and spreads, written to benchmarks/results/bench.md and
bench.json. Not a test: nothing here passes or fails, it measures.

    python benchmarks/run.py                       # default: small x3, medium x1, ~20-25 min on 2 cores
    python benchmarks/run.py --repeats 5 --large-repeats 3
    python benchmarks/run.py --sizes small --skip-demo --skip-marts   # syncs and builds only
    python benchmarks/run.py --quick               # tiny company, one repeat, no demo: a smoke run
    python benchmarks/run.py --sizes small,large   # the full large company (hours: see bench.md)

Sizes: tiny, small and large are the generator's; `medium` (three copies of the small company's org)
stands in for large by default, because large's HubSpot share alone needs at least 100,000 requests at
the 19 requests/s HubSpot allows (more than 95 minutes); `make bench-large` runs large one CRM per run."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

from benchmarks.bench_sync import ALLOWED_RATE  # noqa: E402
from benchmarks.report import write_results  # noqa: E402
from benchmarks.stats import run_child, summary  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CRMS = ("salesforce", "hubspot", "pipedrive")
WORKER_TIMEOUT_S = 8 * 3600  # one repeat at one size; the large company's syncs alone take hours


def log(message: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} {message}", flush=True)


def available_crms(wanted: list[str]) -> list[str]:
    import importlib

    out = []
    for crm in wanted:
        try:
            importlib.import_module(f"connectors.{crm}")
            out.append(crm)
        except Exception as exc:  # noqa: BLE001 - a connector that does not import is left out, and said so
            log(f"{crm}: connector does not import ({type(exc).__name__}: {exc}); left out")
    return out


def bench_syncs(sizes: list[str], repeats: dict[str, int], crms: list[str], *, dbt: bool, check: bool,
                workdir: Path, concurrent: set[str], partial_dir: Path, marts: bool,
                days: int = 1, keep: bool = False) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for size in sizes:
        out[size] = []
        for r in range(repeats[size]):
            log(f"sync benchmark: {size}, repeat {r + 1}/{repeats[size]}"
                + (" (full syncs concurrent)" if size in concurrent else ""))
            partial = partial_dir / f"partial-{size}-{r}.json"
            options = {"size": size, "crms": crms, "folder": str(workdir / f"{size}-{r}"), "dbt": dbt,
                       "check": check, "concurrent": size in concurrent, "partial": str(partial),
                       "marts": marts, "days": days, "keep": keep}
            worker = run_child(["benchmarks/bench_sync.py", json.dumps(options)], timeout=WORKER_TIMEOUT_S)
            run = worker.output
            if "full" not in run:
                # a late failure (hours into a large run) keeps what was measured before it
                error = run.get("error", run)
                if not partial.exists():
                    raise RuntimeError(f"sync benchmark at {size} failed: {error}")
                run = {**json.loads(partial.read_text(encoding="utf-8")), "failed": str(error)[-1500:]}
                log(f"  failed after some measurements (kept from {partial}): {str(error)[-300:]}")
            partial.unlink(missing_ok=True)
            run["worker_peak_mb"] = worker.psutil_peak_mb
            for crm in crms:
                f, i = run["full"].get(crm, {}), run["incremental"].get(crm, {})
                log(f"  {crm}: full {f.get('seconds')}s {f.get('rows_total')} rows {f.get('accepted')} req "
                    f"({f.get('outcome')}); incremental {i.get('seconds')}s {i.get('accepted')} req")
            for later in run.get("later_days", []):
                for crm, i in later["syncs"].items():
                    log(f"  day {later['day']}: {crm} {i.get('seconds')}s {i.get('accepted')} req ({i.get('outcome')})")
            for key in ("build_full", "build_after_incremental"):
                if key in run:
                    log(f"  dbt {key}: {run[key].get('seconds')}s ok={run[key].get('ok')}")
            if "marts" in run:
                m = run["marts"]
                log(f"  marts on the warehouse: forecast {m.get('forecast_s')}s, team health {m.get('team_health_s')}s"
                    + (f" ({m['error'][-200:]})" if "error" in m else ""))
            out[size].append(run)
            save_progress(partial_dir, out)
    return out


def save_progress(folder: Path, syncs: dict[str, list[dict[str, Any]]]) -> None:
    """The sync runs finished so far, so that a run stopped hours in keeps them (`bench.partial.json`;
    `python -m benchmarks.report --merge` can still make a report from it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.partial.json").write_text(json.dumps({"syncs": syncs}, default=str), encoding="utf-8")


def bench_script(script: str, repeats: int, args: list[str]) -> dict[str, Any]:
    """Run one of the existing bench scripts `repeats` times (they print one JSON object)."""
    runs = []
    for r in range(repeats):
        log(f"{script}: repeat {r + 1}/{repeats}")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, f"benchmarks/{script}", *args], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        wall = time.perf_counter() - t0
        try:
            output = json.loads(proc.stdout)
        except ValueError:
            output = {"error": (proc.stderr or proc.stdout)[-1500:]}
        runs.append({"wall_s": round(wall, 2), "returncode": proc.returncode, "output": output})
    return {"runs": runs, "wall_s": summary([r["wall_s"] for r in runs if r["returncode"] == 0])}


STEP_RE = re.compile(r"^(\d\d):(\d\d):(\d\d) (sandbox|sync|build|marts|checks|alerts|serving|reports|demo)\b")


def bench_demo(workdir: Path, repeats: int) -> dict[str, Any]:
    """`revops demo` on the small sandbox, in a fresh folder each time (a cold start: the company is
    generated too), as a user runs it; the step times come from its progress lines."""
    runs = []
    for r in range(repeats):
        folder = workdir / f"demo-{r}"
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "revops.yml", folder / "revops.yml")
        log(f"revops demo: repeat {r + 1}/{repeats}")
        revops = Path(sys.executable).with_name("revops")
        command = [str(revops)] if revops.exists() else [sys.executable, "-c", "from revops.cli import main; main()"]
        t0 = time.perf_counter()
        proc = subprocess.run([*command, "demo", "--config", str(folder / "revops.yml")], cwd=folder,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                                   "COLUMNS": "200"})
        wall = time.perf_counter() - t0
        runs.append({"wall_s": round(wall, 2), "returncode": proc.returncode, "steps": _steps(proc.stdout),
                     "tail": proc.stdout[-600:] if proc.returncode else ""})
        shutil.rmtree(folder, ignore_errors=True)
    return {"runs": runs, "wall_s": summary([r["wall_s"] for r in runs])}


def _steps(stdout: str) -> dict[str, float]:
    """Seconds per demo step, from the first progress line of each step to the next step's."""
    marks: list[tuple[str, int]] = []
    for line in stdout.splitlines():
        m = STEP_RE.match(line)
        if m:
            h, mi, s, step = int(m[1]), int(m[2]), int(m[3]), m[4]
            if not marks or marks[-1][0] != step:
                marks.append((step, h * 3600 + mi * 60 + s))
    out: dict[str, float] = {}
    for (step, t), (_, t_next) in zip(marks, marks[1:], strict=False):
        out[step] = out.get(step, 0) + (t_next - t) % 86400
    return out


def environment(args: argparse.Namespace) -> dict[str, Any]:
    import psutil

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "commit": commit.stdout.strip() or None, "argv": sys.argv[1:],
            "allowed_rates_per_s": ALLOWED_RATE, "options": vars(args)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,medium", help="comma-separated: tiny, small, medium, large")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of everything at the first size")
    parser.add_argument("--large-repeats", type=int, default=1, help="repeats at the other sizes")
    parser.add_argument("--demo-repeats", type=int, default=1)
    parser.add_argument("--crms", default=",".join(CRMS))
    parser.add_argument("--skip-dbt", action="store_true")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-marts", action="store_true", help="skip the forecast and team-health scripts")
    parser.add_argument("--concurrent-syncs", default="", metavar="SIZES",
                        help="sizes (comma-separated) whose full syncs run all at once, each CRM into its own "
                             "file, merged before the build: large's take about an hour each")
    parser.add_argument("--days", type=int, default=1,
                        help="simulated days after the full syncs, each followed by incremental syncs (a new API "
                             "day each: a full sync a daily budget stopped continues); the check follows the last")
    parser.add_argument("--no-check", action="store_true", help="skip comparing each warehouse with the sandbox")
    parser.add_argument("--quick", action="store_true", help="tiny company, one repeat, no demo")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep each repeat's folder (warehouse, dbt logs) here instead of in a temporary "
                             "folder removed at the end: to run the marts or queries on a large warehouse later")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats, args.large_repeats, args.skip_demo = "tiny", 1, 1, True
    if args.days < 1:
        parser.error("--days must be at least 1")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    repeats = {s: (args.repeats if i == 0 else args.large_repeats) for i, s in enumerate(sizes)}
    crms = available_crms([c.strip() for c in args.crms.split(",") if c.strip()])
    started = time.perf_counter()
    results: dict[str, Any] = {"environment": environment(args), "sizes": sizes, "repeats": repeats, "crms": crms}
    with contextlib.ExitStack() as stack:
        if args.workdir is not None:
            args.workdir.mkdir(parents=True, exist_ok=True)
            workdir = args.workdir
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="revops-bench-")))
        concurrent = {s.strip() for s in args.concurrent_syncs.split(",") if s.strip()}
        results["syncs"] = bench_syncs(sizes, repeats, crms, dbt=not args.skip_dbt, check=not args.no_check,
                                       workdir=workdir, concurrent=concurrent, partial_dir=args.out,
                                       marts=not args.skip_marts, days=args.days,
                                       keep=args.workdir is not None)
        if not args.skip_marts:
            results["forecast"] = bench_script("bench_forecast.py", args.repeats, [])
            results["team_health"] = bench_script("bench_team_health.py", args.repeats, [])
        if not args.skip_demo:
            results["demo"] = bench_demo(workdir, args.demo_repeats)
    results["total_s"] = round(time.perf_counter() - started, 1)
    md, js = write_results(results, args.out)
    (args.out / "bench.partial.json").unlink(missing_ok=True)
    log(f"wrote {md} and {js} in {results['total_s']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
