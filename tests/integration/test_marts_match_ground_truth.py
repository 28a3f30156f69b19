"""The Python marts on the synced sandbox company agree with what the generator knows independently:
team health (turnover, absenteeism, eNPS, headcount) and ramp time equal its ground truth, the manager
change it staged is found with the effect's sign, and the forecast's back-test actuals equal the won
amounts of the ground truth."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from sandbox.dataset import read_csv

MONTHLY = ["headcount_start", "headcount_end", "hires", "voluntary_exits", "involuntary_exits",
           "voluntary_exits_12m", "voluntary_turnover_12m", "absenteeism_rate", "unplanned_absence_days",
           "scheduled_days", "enps", "enps_respondents"]


def _num(v: object) -> float | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "":
        return None
    return float(v)  # type: ignore[arg-type]


def _same(a: object, b: object) -> bool:
    x, y = _num(a), _num(b)
    if x is None or y is None:
        return x is None and y is None
    return math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-6)


def _query(e2e: dict, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(e2e["rt"].warehouse), read_only=True) as con:
        return con.execute(sql).df()


def _truth(e2e: dict, name: str) -> pd.DataFrame:
    return pd.DataFrame(read_csv(e2e["truth"][name]))


@pytest.mark.parametrize("scope_type", ["company", "team", "manager"])
def test_team_health_monthly_equals_ground_truth(e2e, e2e_marts, scope_type):
    truth = _truth(e2e, "team_health.csv")
    truth = truth[truth["scope_type"] == scope_type]
    ours = _query(e2e, "select cast(month as varchar) as month, scope_type, scope_id, "
                       f"{', '.join(MONTHLY)} from team_health.team_health_monthly")
    merged = truth.merge(ours, on=["month", "scope_type", "scope_id"], how="left", suffixes=("_t", "_w"),
                         indicator=True)
    problems: list[str] = []
    # A manager scope with nobody in it yet has no row of ours; the truth lists it with zeros.
    missing = merged[merged["_merge"] == "left_only"]
    empty = missing["headcount_start_t"].astype(float).eq(0) & missing["headcount_end_t"].astype(float).eq(0)
    if (~empty).any():
        problems.append(f"{int((~empty).sum())} scope-months missing, e.g. "
                        f"{missing[~empty][['month', 'scope_id']].head(3).to_dict('records')}")
    both = merged[merged["_merge"] == "both"]
    for column in MONTHLY:
        t, w = both[f"{column}_t"], both[f"{column}_w"]
        if column == "enps_respondents":  # a month without a survey: ours NULL (no survey), the truth 0
            w = w.astype(object).where(w.notna(), 0)
        wrong = [not _same(a, b) for a, b in zip(t, w, strict=True)]
        if any(wrong):
            sample = both[wrong][["month", "scope_id", f"{column}_t", f"{column}_w"]].head(3).to_dict("records")
            problems.append(f"{column}: {sum(wrong)} of {len(both)} differ, e.g. {sample}")
    assert len(both) > 0
    assert not problems, f"team_health_monthly ({scope_type}):\n" + "\n".join(problems)


def test_ramp_time_of_every_new_rep_equals_ground_truth(e2e, e2e_marts):
    truth = _truth(e2e, "rep_ramp.csv")
    ours = _query(e2e, "select email, role, cast(hire_date as varchar) as hire_date, ramp_days "
                       "from team_health.rep_ramp")
    merged = truth.merge(ours, left_on="rep_email", right_on="email", how="left", suffixes=("_t", "_w"),
                         indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]["rep_email"].tolist()
    wrong = [r.rep_email for r in merged.itertuples(index=False)
             if not (_same(r.ramp_days_t, r.ramp_days_w) and r.role_t == r.role_w and r.hire_date_t == r.hire_date_w)]
    assert not wrong, merged[merged["rep_email"].isin(wrong)].to_dict("records")
    assert merged["ramp_days_t"].map(_num).notna().sum() > 0, "no rep of the truth reached ramp: nothing compared"


def test_the_staged_manager_change_is_found_with_both_managers(e2e, e2e_marts):
    truth = _truth(e2e, "manager_changes.csv")
    ours = _query(e2e, "select distinct team, cast(change_date as varchar) as change_date, old_manager_email, "
                       "new_manager_email from team_health.manager_impact")
    expected = {tuple(r) for r in truth[["team", "change_date", "old_manager_email", "new_manager_email"]]
                .itertuples(index=False)}
    assert expected <= {tuple(r) for r in ours.itertuples(index=False)}


def test_manager_impact_on_win_rate_has_the_sign_built_in(e2e, e2e_marts):
    truth = _truth(e2e, "manager_changes.csv").iloc[0]
    rows = _query(e2e, "select * from team_health.manager_impact where kpi = 'win_rate_count'")
    row = rows[rows["team"] == truth["team"]].iloc[0]
    raw = (row["after_value"] - row["before_value"]) - (row["comparison_after"] - row["comparison_before"])
    assert float(truth["built_in_effect_win_rate_points"]) > 0
    assert raw > 0, f"difference in differences {raw:+.3f}, the generator built in a rise"
    # The verdict says whether the samples allow an estimate; an estimate only comes with enough deals.
    enough = min(row["team_n_before"], row["team_n_after"]) >= e2e["cfg"].team_health.min_deals_per_side
    assert (row["verdict"] != "not enough data") == enough
    assert pd.isna(row["did_estimate"]) == (not enough)


def test_forecast_backtest_actuals_equal_the_won_amount_of_the_ground_truth(e2e, e2e_marts):
    truth = _truth(e2e, "kpi_values.csv")
    truth = truth[(truth["kpi"] == "won_amount") & (truth["scope_type"] == "company")]
    won = {(g, p): float(v) for g, p, v in zip(truth["grain"], truth["period_start"], truth["value"], strict=True)}
    actuals = _query(e2e, "select distinct grain, cast(period_start as varchar) as period_start, actual "
                          "from forecast.forecast_accuracy where scope_type = 'company'")
    assert len(actuals) > 0
    compared = 0
    for r in actuals.itertuples(index=False):
        if (r.grain, r.period_start) in won:
            compared += 1
            assert math.isclose(r.actual, won[(r.grain, r.period_start)], rel_tol=1e-6, abs_tol=0.01), r
    assert compared > 0, "no back-tested period of the forecast is in the ground truth"


def test_pipeline_waterfall_identity_holds_for_every_scope(e2e, e2e_marts):
    bad = _query(e2e, "select * from forecast.pipeline_waterfall where abs(start_amount + created + pulled_in "
                      "+ increased - decreased - pushed_out - lost - won - end_amount) > 0.01")
    assert bad.empty, bad.head().to_dict("records")


def test_team_health_kpis_reach_kpi_values_and_the_tracking_table(e2e, e2e_marts):
    truth = _truth(e2e, "team_health.csv")
    truth = truth[truth["scope_type"] == "company"]
    ours = _query(e2e, "select cast(period_start as varchar) as month, kpi, value from kpi.kpi_values "
                       "where scope_type = 'company' and grain = 'month' "
                       "and kpi in ('voluntary_turnover_12m', 'absenteeism_rate')")
    assert set(ours["kpi"]) == {"voluntary_turnover_12m", "absenteeism_rate"}
    merged = truth.merge(ours.pivot(index="month", columns="kpi", values="value").reset_index(), on="month",
                         suffixes=("_t", "_k"))
    assert len(merged) == len(truth)
    for kpi in ("voluntary_turnover_12m", "absenteeism_rate"):
        wrong = [m for m, a, b in zip(merged["month"], merged[f"{kpi}_t"], merged[f"{kpi}_k"], strict=True)
                 if not _same(a, b)]
        assert not wrong, f"{kpi} in kpi.kpi_values differs from the truth in {wrong[:3]}"
    tracked = _query(e2e, "select kpi, status, target, actual from kpi.kpi_tracking where scope_type = 'company' "
                          "and grain = 'month' and kpi in ('voluntary_turnover_12m', 'absenteeism_rate', 'enps', "
                          "'ramp_days_median') and actual is not null")
    assert {"voluntary_turnover_12m", "absenteeism_rate"} <= set(tracked["kpi"])
    assert tracked["status"].isin(["green", "amber", "red"]).all()
