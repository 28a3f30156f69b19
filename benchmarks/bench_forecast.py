"""Benchmark of the forecast mart: a full build on a synthetic warehouse of a few thousand deals, the
training of the learnt models, and a Monte Carlo run of 10,000 open deals x 10,000 simulations.

The warehouse comes from the generator the forecast tests use (tests/forecast/forecast_warehouse.py).
Prints one JSON object (seconds, rows, peak memory of the simulation).

    .venv/bin/python benchmarks/bench_forecast.py [--deals 4000] [--sim-deals 10000] [--simulations 10000]

With `--warehouse PATH`, it measures the forecast on that warehouse instead (opened read-only; nothing
is written): reading the marts, then computing every forecast table, with the process's peak memory.
`--full-pipeline` reads every daily pipeline row, as the forecast did before its compact read, to
compare the two (run each in a process of its own: the peak is the process's).

    .venv/bin/python benchmarks/bench_forecast.py --warehouse data/warehouse.duckdb [--full-pipeline]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "forecast"))

from forecast_warehouse import DEFAULT_CONFIG, generate, write_warehouse  # noqa: E402

from revops.forecast import as_of_view, build_forecast, load_marts  # noqa: E402
from revops.forecast.methods import estimate_open_deals  # noqa: E402
from revops.forecast.models import train_models  # noqa: E402
from revops.forecast.montecarlo import quantiles, simulate_open_outcomes  # noqa: E402
from revops.forecast.timing import SlipModel  # noqa: E402


def bench_build(deals: int, seed: int) -> dict[str, object]:
    """Generate, load, train once, then run the whole build."""
    cfg = replace(DEFAULT_CONFIG, n_deals=deals, n_people=deals, seed=seed)
    out: dict[str, object] = {"deals": deals}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        t = time.perf_counter()
        tables = generate(cfg)
        with duckdb.connect(str(path)) as con:
            write_warehouse(con, tables)
        out["generate_s"] = round(time.perf_counter() - t, 2)
        out["pipeline_rows"] = len(tables["fct_pipeline_daily"])
        with duckdb.connect(str(path)) as con:
            t = time.perf_counter()
            marts = load_marts(con)
            out["load_marts_s"] = round(time.perf_counter() - t, 2)
            with threadpool_limits(limits=1, user_api="openmp"):
                t = time.perf_counter()
                view = as_of_view(marts, cfg.as_of)
                models = train_models(view, seed=0)
                out["train_models_s"] = round(time.perf_counter() - t, 2)
                t = time.perf_counter()
                est = estimate_open_deals(view, models)
                out["score_open_deals_s"] = round(time.perf_counter() - t, 3)
            out["training_rows"] = models.training_rows
            out["open_deals"] = len(est.deals)
            out["deal_model"] = {k: round(v, 4) for k, v in (models.deal.metrics if models.deal else {}).items()}
            t = time.perf_counter()
            rows = build_forecast(con, as_of=cfg.as_of, fiscal_year_start_month=cfg.fiscal_year_start_month,
                                  corporate_currency="USD", seed=0, simulations=5000, backtest_periods=6)
            out["build_forecast_s"] = round(time.perf_counter() - t, 2)
            out["rows"] = rows
            acc = con.execute("""select method, round(avg(accuracy), 3) from forecast.forecast_accuracy
                                 where scope_type = 'company' and grain = 'quarter' group by 1 order by 2 desc""")
            out["backtest_accuracy_quarter_company"] = dict(acc.fetchall())
    return out


def bench_warehouse(path: Path, *, full_pipeline: bool, as_of: str | None) -> dict[str, object]:
    """Read the marts of an existing warehouse and compute the forecast tables (not written), with the
    settings of the repository's revops.yml."""
    from datetime import date

    from revops.config import load_config
    from revops.forecast import compute_forecast

    cfg = load_config(ROOT / "revops.yml")
    out: dict[str, object] = {"warehouse": str(path), "full_pipeline": full_pipeline}
    with duckdb.connect(str(path), read_only=True) as con:
        day = date.fromisoformat(as_of) if as_of else con.execute(
            "SELECT max(CAST(snapshot_date AS DATE)) FROM marts.fct_pipeline_daily").fetchall()[0][0]
        out["as_of"] = str(day)
        out["pipeline_rows_in_warehouse"] = con.execute("SELECT count(*) FROM marts.fct_pipeline_daily").fetchall()[0][0]
        out["deals"] = con.execute("SELECT count(*) FROM marts.fct_deals").fetchall()[0][0]
        t = time.perf_counter()
        marts = load_marts(con) if full_pipeline else load_marts(con, complete_days=[day])
        out["load_marts_s"] = round(time.perf_counter() - t, 2)
    out["pipeline_rows_read"] = len(marts.pipeline)
    out["peak_rss_through_load_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    t = time.perf_counter()
    with threadpool_limits(limits=1, user_api="openmp"):
        frames = compute_forecast(marts, as_of=day, fiscal_year_start_month=cfg.company.fiscal_year_start_month,
                                  corporate_currency=cfg.company.corporate_currency, seed=cfg.forecast.seed,
                                  simulations=cfg.forecast.simulations, backtest_periods=cfg.forecast.backtest_periods)
    out["compute_forecast_s"] = round(time.perf_counter() - t, 2)
    out["rows"] = {name: len(frame) for name, frame in frames.items()}
    return out


def bench_monte_carlo(deals: int, simulations: int, scopes: int, seed: int) -> dict[str, object]:
    """Simulate `deals` open deals `simulations` times over three periods and `scopes` scopes."""
    rng = np.random.default_rng(seed)
    day = 20_000
    amount = rng.lognormal(10, 1, deals)
    p = rng.beta(2, 5, deals)
    ecd = day + rng.integers(-30, 150, deals).astype(float)
    slip = SlipModel(np.sort(rng.normal(15, 30, 5000).round()), np.sort(rng.uniform(0.7, 1.1, 2000)))
    # Each deal counts for the company, one of the teams and one of the segments.
    rows = np.concatenate([np.zeros(deals), 1 + rng.integers(0, scopes - 4, deals), scopes - 3 + rng.integers(0, 3, deals)])
    cols = np.tile(np.arange(deals), 3)
    membership = sparse.csr_matrix((np.ones(3 * deals), (rows.astype(int), cols)), shape=(scopes, deals))
    periods = [(day, day + 90), (day + 90, day + 181), (day, day + 30)]
    tracemalloc.start()
    t = time.perf_counter()
    totals = simulate_open_outcomes(amount, p, ecd, day, slip, periods, membership, simulations, seed=seed)
    elapsed = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    q = quantiles(totals[:, :1, :])
    return {"deals": deals, "simulations": simulations, "scopes": scopes, "periods": len(periods),
            "seconds": round(elapsed, 2), "draws_per_second": round(3 * deals * simulations / elapsed),
            "traced_peak_mb": round(peak / 2**20, 1), "result_mb": round(totals.nbytes / 2**20, 1),
            "company_quarter_p10_p50_p90": [round(float(q[k][0, 0])) for k in ("p10", "p50", "p90")]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=4000, help="deals in the synthetic warehouse")
    parser.add_argument("--sim-deals", type=int, default=10_000, help="open deals in the Monte Carlo run")
    parser.add_argument("--simulations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warehouse", type=Path, help="measure the forecast on this warehouse instead")
    parser.add_argument("--full-pipeline", action="store_true", help="with --warehouse: read every daily row")
    parser.add_argument("--as-of", help="with --warehouse: the forecast's day (default: the latest snapshot)")
    args = parser.parse_args()
    if args.warehouse is not None:
        if not args.warehouse.exists():
            parser.error(f"--warehouse {args.warehouse}: no such file")
        result = bench_warehouse(args.warehouse, full_pipeline=args.full_pipeline, as_of=args.as_of)
        result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(result, indent=2, default=str))
        return
    result = {
        "build": bench_build(args.deals, args.seed),
        "monte_carlo": bench_monte_carlo(args.sim_deals, args.simulations, scopes=40, seed=args.seed),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
