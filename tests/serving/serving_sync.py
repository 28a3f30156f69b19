"""A working warehouse that a simulated sync writes into (inserts, then a dbt-like create-or-replace of
a derived table), and the invariant every complete publication of it satisfies."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

BATCH = 50  # deals inserted per sync round

# The derived table is rebuilt from the deals, so in a complete publication its total equals the deal
# count; a copy taken between the insert and the rebuild would break that.
REBUILD_KPIS = (
    "create or replace table kpi.kpi_values as "
    "select 'quarter' as grain, date '2025-05-01' as period_start, 'company' as scope_type, 'all' as scope_id, "
    "'opportunities_created' as kpi, count(*)::double as value from marts.fct_deals "
    "union all select 'quarter', date '2025-05-01', 'team', team, 'opportunities_created', count(*)::double "
    "from marts.fct_deals group by team"
)


def create_working(path: Path) -> None:
    """The working warehouse before any sync: public schemas plus raw and ops tables that are not
    published."""
    with duckdb.connect(str(path)) as con:
        for schema in ("raw_salesforce", "ops", "marts", "kpi", "forecast", "team_health"):
            con.execute(f"create schema if not exists {schema}")
        con.execute("create table raw_salesforce.opportunity (id varchar, amount double)")
        con.execute("create table ops.sync_runs (run_id varchar, rows integer)")
        con.execute("create table marts.fct_deals (deal_id varchar, team varchar, amount_corporate double)")
        con.execute("create table marts.dim_reps as select 'r' || range as rep_id from range(3)")
        con.execute("create table forecast.period_forecasts (method varchar, forecast double)")
        con.execute("insert into forecast.period_forecasts values ('monte_carlo', 1.5e6)")
        con.execute("create table team_health.team_health_monthly (month date, headcount_end integer)")
        con.execute(REBUILD_KPIS)


def insert_batch(con: duckdb.DuckDBPyConnection, round_no: int) -> None:
    """One sync round's landing: raw rows, a sync run and the new deals."""
    start = (round_no - 1) * BATCH
    con.execute(
        "insert into raw_salesforce.opportunity select 'o' || range, range from range(?, ?)",
        [start, start + BATCH],
    )
    con.execute("insert into ops.sync_runs values (?, ?)", [f"run-{round_no}", BATCH])
    con.execute(
        "insert into marts.fct_deals select 'd' || range, ['north', 'south'][range % 2 + 1], range * 10.0 "
        "from range(?, ?)",
        [start, start + BATCH],
    )


def publication_state(run: Any) -> dict[str, Any]:
    """What a reader of the serving copy sees; `run(sql)` returns one scalar."""
    return {
        "deals": int(run("select count(*) from marts.fct_deals")),
        "kpi_total": float(run("select value from kpi.kpi_values where scope_type = 'company'")),
        "team_total": float(run("select sum(value) from kpi.kpi_values where scope_type = 'team'")),
        "published": int(run("select count(*) from meta.published")),
        "raw_tables": int(
            run(
                "select count(*) from information_schema.tables where table_schema in "
                "('raw_salesforce', 'ops')"
            )
        ),
    }


def is_complete(state: dict[str, Any]) -> bool:
    """Whether a state is that of a complete publication."""
    return (
        state["deals"] % BATCH == 0
        and state["kpi_total"] == state["deals"] == state["team_total"]
        and state["published"] == 1
        and state["raw_tables"] == 0
    )


def sync_and_publish(
    working: str,
    serving: str,
    exports: str,
    rounds: int,
    written: Sequence[Any],
    read: Sequence[Any],
    published: Sequence[Any],
) -> None:
    """The writer process: each round lands a batch (rounds 2, 3, …), waits (holding the working file) until the reader
    has looked at the serving copy, rebuilds the derived table, then publishes."""
    from revops.serving import publish

    for i in range(1, rounds + 1):
        con = duckdb.connect(working)
        insert_batch(con, i + 1)  # round 1 was landed before the first publication
        written[i - 1].set()
        if not read[i - 1].wait(120):
            raise TimeoutError(f"round {i}: the reader never read the serving copy")
        con.execute(REBUILD_KPIS)
        con.close()
        publish(Path(working), Path(serving), Path(exports))
        published[i - 1].set()
