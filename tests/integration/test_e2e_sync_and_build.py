"""The sandbox company synced and built end to end: every source lands, reconciles, and dbt passes."""

import duckdb


def test_every_source_syncs_and_reconciles(e2e):
    for r in e2e["sync"]:
        assert r.ok, f"{r.source}: {r.message}"
        bad = [x for x in r.reconciliation if x["status"] != "ok"]
        assert not bad, f"{r.source} reconciliation mismatches: {bad}"


def test_dbt_build_passes_every_test(e2e):
    b = e2e["build"]
    assert b["exception"] is None, b["exception"]
    assert b["failed"] == [], "\n".join(b["failed"])
    assert b["ok"]


def test_marts_are_populated(e2e):
    with duckdb.connect(str(e2e["rt"].warehouse), read_only=True) as con:
        for table in ("dim_reps", "dim_accounts", "fct_deals", "fct_deal_stage_events", "fct_activities",
                      "fct_lead_funnel", "fct_pipeline_daily"):
            n = con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            assert n > 0, f"marts.{table} is empty"
        n = con.execute("select count(*) from kpi.kpi_values").fetchone()[0]
        assert n > 0

