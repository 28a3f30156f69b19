"""Benchmark of the team-health build on a synthetic warehouse (about 2,000 reps by default).

Generates the marts team health reads (employment spells with exits and rehires, absences, survey
answers, quotas, deals, activities, stage events), writes them to a temporary DuckDB file, then times
reading the marts, computing and writing the team_health tables. Prints one JSON object.

    .venv/bin/python benchmarks/bench_team_health.py [--reps 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from revops.team_health import build_team_health, compute_team_health, read_marts, write_tables  # noqa: E402
from revops.team_health.builder import TABLE_TYPES  # noqa: E402

AS_OF = date(2025, 6, 30)
START = np.datetime64("2019-01-01")
END = np.datetime64("2025-06-30")


def _dates(days: np.ndarray) -> pd.Series:
    return pd.Series(START + days.astype("timedelta64[D]")).dt.date


def synthetic_marts(reps: int, seed: int) -> dict[str, pd.DataFrame]:
    """Mart tables for `reps` people in teams of about ten, over 2019 – mid 2025."""
    rng = np.random.default_rng(seed)
    span = int((END - START).astype(int))
    emails = np.array([f"rep{i}@example.com" for i in range(reps)])
    rep_ids = np.array([f"r{i:06d}" for i in range(reps)])
    teams = np.array([f"team{i // 10:03d}" for i in range(reps)])
    n_teams = (reps + 9) // 10
    managers = np.array([f"mgr{i // 2:03d}@example.com" for i in range(n_teams)])  # two teams per manager
    manager_of = managers[np.arange(reps) // 10]
    roles = np.where(rng.random(reps) < 0.7, "ae", "sdr")
    hire = rng.integers(-900, span - 60, reps)
    exits = rng.random(reps) < 0.3
    exit_day = np.where(exits, np.minimum(hire + rng.integers(60, 1200, reps), span + 200), -1)
    exit_type = np.where(rng.random(reps) < 0.7, "voluntary", "involuntary")

    spells = pd.DataFrame({
        "employee_id": [f"E{i}" for i in range(reps)], "rep_id": rep_ids, "email": emails, "role": roles,
        "level": "1", "team": teams, "manager_email": manager_of, "spell_start": _dates(hire),
        "spell_end": [d if e else None for d, e in zip(_dates(exit_day), exits, strict=True)],
        "exit_type": [t if e else None for t, e in zip(exit_type, exits, strict=True)],
    })
    rehired = np.nonzero(exits & (exit_day < span - 200) & (rng.random(reps) < 0.1))[0]
    back = spells.iloc[rehired].copy()
    back["spell_start"] = _dates(exit_day[rehired] + rng.integers(30, 150, len(rehired))).to_numpy()
    back["spell_end"] = None
    back["exit_type"] = None
    spells = pd.concat([spells, back], ignore_index=True)
    last = spells.drop_duplicates("rep_id", keep="last")
    dim_reps = last.rename(columns={"spell_start": "hire_date", "spell_end": "exit_date"}).assign(
        full_name=last["email"], manager_rep_id=None, is_active=last["spell_end"].isna(), salesforce_user_id=None,
        hubspot_owner_id=None, pipedrive_user_id=None,
    )

    n_abs = reps * 30
    who = rng.integers(0, reps, n_abs)
    start = rng.integers(0, span, n_abs)
    absences = pd.DataFrame({
        "employee_id": [f"E{i}" for i in who], "rep_id": rep_ids[who], "start_date": _dates(start),
        "end_date": _dates(start + rng.integers(0, 5, n_abs)), "absence_type": "sick",
        "is_planned": rng.random(n_abs) < 0.4,
    })

    survey_days = np.arange(30, span, 91)
    answers = []
    for k, day in enumerate(survey_days):
        present = (hire <= day) & (~exits | (exit_day > day)) & (rng.random(reps) < 0.7)
        answers.append(pd.DataFrame({"survey_id": f"q{k}", "survey_date": _dates(np.full(present.sum(), day)),
                                     "team": teams[present], "enps_score": rng.integers(0, 11, present.sum())}))
    surveys = pd.concat(answers, ignore_index=True)

    quarter_starts = pd.date_range("2019-01-01", "2025-06-30", freq="QS").date
    ae = np.nonzero(roles == "ae")[0]
    q_rep = np.repeat(ae, len(quarter_starts))
    q_start = np.tile(quarter_starts, len(ae))
    quotas = pd.DataFrame({
        "rep_id": rep_ids[q_rep], "email": emails[q_rep], "period_start": q_start,
        "period_end": [(pd.Timestamp(d) + pd.offsets.QuarterEnd(0)).date() for d in q_start],
        "quota_type": "revenue", "quota_amount": rng.choice([60_000.0, 90_000.0, 120_000.0], len(q_rep)),
    })

    n_deals = reps * 75
    owner = rng.choice(ae, n_deals)
    created = rng.integers(0, span - 10, n_deals)
    closed = created + rng.integers(5, 180, n_deals)
    status = np.where(closed > span, "open", np.where(rng.random(n_deals) < 0.3, "won", "lost"))
    deals = pd.DataFrame({
        "deal_id": [f"sf:{i}" for i in range(n_deals)], "owner_rep_id": rep_ids[owner], "team": teams[owner],
        "status": status, "created_date": _dates(created),
        "closed_date": [d if s != "open" else None for d, s in zip(_dates(closed), status, strict=True)],
        "amount_corporate": rng.gamma(2.0, 12_000.0, n_deals),
    })
    stage_rows = rng.random(n_deals) < 0.5
    events = pd.DataFrame({
        "deal_id": deals["deal_id"][stage_rows].to_numpy(), "stage_order": rng.integers(1, 6, stage_rows.sum()),
        "entered_at": pd.to_datetime(_dates(created[stage_rows] + 3)),
    })

    n_act = reps * 500
    actor = rng.integers(0, reps, n_act)
    activities = pd.DataFrame({
        "rep_id": rep_ids[actor], "activity_type": rng.choice(["call", "meeting", "email", "note", "task"], n_act),
        "activity_date": _dates(rng.integers(0, span, n_act)),
    })
    return {"dim_reps": dim_reps, "fct_employment_spells": spells, "fct_absences": absences,
            "fct_survey_responses": surveys, "fct_quotas": quotas, "fct_deals": deals,
            "fct_activities": activities, "fct_deal_stage_events": events}


def manager_changes(reps: int, seed: int) -> pd.DataFrame:
    """One manager change for every tenth team, dated between 2021 and 2024."""
    rng = np.random.default_rng(seed + 1)
    teams = [f"team{i:03d}" for i in range(0, (reps + 9) // 10, 10)]
    days = rng.integers(730, 2000, len(teams))
    return pd.DataFrame({"team": teams, "change_date": _dates(days), "old_manager_email": "old@example.com",
                         "new_manager_email": "new@example.com"})


def write_marts(con: duckdb.DuckDBPyConnection, marts: dict[str, pd.DataFrame]) -> None:
    con.execute("create schema if not exists marts")
    for name, frame in marts.items():
        con.register("_frame", frame)
        con.execute(f"create or replace table marts.{name} as select * from _frame")
        con.unregister("_frame")
    for table, column in [("fct_employment_spells", "spell_start"), ("fct_employment_spells", "spell_end"),
                          ("dim_reps", "hire_date"), ("dim_reps", "exit_date")]:
        con.execute(f"alter table marts.{table} alter {column} type date")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    marts = synthetic_marts(args.reps, args.seed)
    timings["generate"] = time.perf_counter() - clock
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "bench.duckdb"))
        clock = time.perf_counter()
        write_marts(con, marts)
        timings["write_marts"] = time.perf_counter() - clock

        clock = time.perf_counter()
        frames = read_marts(con)
        timings["read_marts"] = time.perf_counter() - clock
        clock = time.perf_counter()
        changes = manager_changes(args.reps, args.seed)
        result = compute_team_health(frames, as_of=AS_OF, manager_changes=changes)
        timings["compute"] = time.perf_counter() - clock
        clock = time.perf_counter()
        write_tables(con, result.tables())
        timings["write_tables"] = time.perf_counter() - clock

        clock = time.perf_counter()
        counts = build_team_health(con, as_of=AS_OF, manager_changes=changes)
        timings["build_team_health"] = time.perf_counter() - clock
        con.close()

    print(json.dumps({
        "benchmark": "team_health",
        "reps": args.reps,
        "input_rows": {name: len(frame) for name, frame in marts.items()},
        "output_rows": counts,
        "tables": sorted(TABLE_TYPES),
        "seconds": {k: round(v, 3) for k, v in timings.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
