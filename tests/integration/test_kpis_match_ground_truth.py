"""Every KPI the warehouse computes equals the sandbox's ground truth, computed independently by the
generator from its own model of the company (not from the warehouse code), for every scope type."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from sandbox.dataset import read_csv

PIPELINE_KPIS = [
    "opportunities_created", "opportunities_created_amount",
    "stage_conversion_qualification", "stage_conversion_demo", "stage_conversion_proposal",
    "stage_conversion_negotiation", "win_rate_count", "win_rate_value", "sales_cycle_days_mean",
    "sales_cycle_days_median", "average_deal_size", "won_amount", "revenue_growth",
    "activities_call", "activities_meeting", "activities_email", "activities_proposal_sent", "activities_task",
    "activities_note",
    "activities_per_rep_week", "mql_to_sql_conversion", "open_pipeline", "weighted_pipeline",
    "pipeline_coverage", "quota_attainment", "gross_retention", "net_retention", "sales_velocity",
]
KEY = ["grain", "period_start", "scope_type", "scope_id", "kpi"]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


def _num(v: object) -> float | None:
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def truth(e2e) -> pd.DataFrame:
    frame = pd.DataFrame(read_csv(e2e["truth"]["kpi_values.csv"]))
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date.astype(str)
    return frame


@pytest.fixture(scope="module")
def warehouse(e2e) -> pd.DataFrame:
    with duckdb.connect(str(e2e["rt"].warehouse), read_only=True) as con:
        frame = con.execute("select grain, period_start::varchar as period_start, scope_type, scope_id, kpi, "
                            "value, numerator, denominator from kpi.kpi_values").df()
    return frame


@pytest.mark.parametrize("kpi", PIPELINE_KPIS)
def test_kpi_equals_ground_truth_for_every_scope_type(kpi, truth, warehouse):
    t = truth[truth.kpi == kpi]
    assert len(t) > 0, f"the ground truth has no rows for {kpi}"
    w = warehouse[warehouse.kpi == kpi]
    merged = t.merge(w, on=KEY, how="left", suffixes=("_truth", "_wh"), indicator=True)
    problems: list[str] = []
    for scope_type, group in merged.groupby("scope_type"):
        missing = group[group["_merge"] == "left_only"]
        wrong = group[(group["_merge"] == "both") & ~group.apply(
            lambda r: _close(_num(r["value_truth"]), _num(r["value_wh"])), axis=1)]
        if len(missing) or len(wrong):
            sample = (wrong if len(wrong) else missing).head(3)[
                ["grain", "period_start", "scope_id", "value_truth"] + (["value_wh"] if len(wrong) else [])
            ].to_dict("records")
            problems.append(f"{scope_type}: {len(missing)} missing, {len(wrong)} different of {len(group)}; "
                            f"e.g. {sample}")
    assert not problems, f"{kpi}:\n" + "\n".join(problems)



def test_every_kpi_of_the_ground_truth_is_compared(truth):
    assert set(truth["kpi"]) <= set(PIPELINE_KPIS), sorted(set(truth["kpi"]) - set(PIPELINE_KPIS))


STAGES = [("qualification", "demo"), ("demo", "proposal"), ("proposal", "negotiation"),
          ("negotiation", "closed_won")]


def test_stage_conversion_cohorts_are_immature_until_their_typical_deal_had_time_to_pass(e2e):
    """Recomputed in Python from the deals' stage dates: per stage, the 90th percentile of the days
    the passing deals took (30 days when fewer than 30 passed); a period is mature once the days from
    its middle to the as-of date reach it."""
    import numpy as np

    as_of = e2e["rt"].as_of
    with duckdb.connect(str(e2e["rt"].warehouse), read_only=True) as con:
        facts = con.execute("select * from intermediate.int_kpi_deal_facts").df()
        rows = con.execute("select kpi, grain, period_start, period_end, is_mature from kpi.kpi_values "
                           "where kpi like 'stage_conversion_%' and scope_type = 'company'").fetchall()
    windows = {}
    for stage, nxt in STAGES:
        both = facts[facts[f"reached_{stage}_date"].notna() & facts[f"reached_{nxt}_date"].notna()]
        days = (pd.to_datetime(both[f"reached_{nxt}_date"]) - pd.to_datetime(both[f"reached_{stage}_date"])).dt.days
        windows[stage] = max(math.ceil(np.percentile(days, 90)), 1) if len(days) >= 30 else 30
    assert rows
    seen = {True: 0, False: 0}
    for kpi, _grain, start, end, mature in rows:
        middle_age = ((as_of - start).days + (as_of - end).days) / 2
        assert mature == (middle_age >= windows[kpi.removeprefix("stage_conversion_")]), (kpi, start, end)
        seen[bool(mature)] += 1
    assert seen[True] and seen[False]  # both kinds occur, so the rule was really exercised
