"""The team-health report shows headcount, turnover, absenteeism and eNPS as the warehouse holds them,
keeps hidden values hidden, and lists manager impact with its verdicts."""

from __future__ import annotations

from datetime import date

import pytest
from report_html import parse, rows_of
from report_warehouse import AS_OF, make_config

from revops.reports import fmt as f
from revops.reports import open_warehouse, render_report
from revops.reports.numbers import team_health

APRIL = date(2025, 4, 1)


def _overview_rows(written: dict[str, str]) -> dict[str, list[str]]:
    return {r[0]: r for r in rows_of(written["team_health"], "team-health-overview")}


def test_overview_rows_equal_team_health_monthly_of_the_last_complete_month(sql, written) -> None:
    expected = sql(
        "select scope_type, scope_id, headcount_start, headcount_end, hires, voluntary_exits, "
        "voluntary_turnover_12m, absenteeism_rate, attainment_median from team_health.team_health_monthly "
        "where month = ? and scope_type in ('company', 'team')",
        [APRIL],
    )
    rows = _overview_rows(written)
    assert len(rows) == len(expected) == 4
    for stype, sid, hc0, hc1, hires, vol, turnover, absent, attain in expected:
        row = rows["Company" if stype == "company" else sid]
        assert row[1:4] == [f"{hc0} → {hc1}", f.count(hires), f.count(vol)]
        if turnover is not None:
            assert row[4] == f.pct(turnover)
        assert row[5] == f.pct(absent)
        assert row[8] == f.pct(attain, 0)


def test_small_teams_show_the_exit_count_instead_of_a_turnover_rate(sql, written) -> None:
    ((exits, rate),) = sql(
        "select voluntary_exits_12m, voluntary_turnover_12m from team_health.team_health_monthly "
        "where month = ? and scope_id = 'west'",
        [APRIL],
    )
    assert rate is None
    assert _overview_rows(written)["west"][4] == f"{exits} exits (no rate under 8 people)"


def test_enps_under_the_respondent_minimum_shows_hidden(sql, written) -> None:
    ((enps, n),) = sql(
        "select enps, enps_respondents from team_health.team_health_monthly "
        "where month = ? and scope_id = 'west'",
        [APRIL],
    )
    assert enps is None and 0 < n < 5
    row = _overview_rows(written)["west"]
    assert row[6] == "hidden (n < 5)"
    ((company_enps,),) = sql(
        "select enps from team_health.team_health_monthly where month = ? and scope_type = 'company'", [APRIL]
    )
    assert _overview_rows(written)["Company"][6] == f"{company_enps:+.0f}"


def test_the_hidden_label_follows_the_configured_minimum(warehouse) -> None:
    config = make_config()
    config.team_health.min_survey_respondents = 4
    with open_warehouse(warehouse) as wh:
        page = render_report(wh, "team_health", as_of=AS_OF, config=config)
    assert "hidden (n &lt; 4)" in page.html


def test_enps_is_taken_from_the_latest_survey_when_the_month_had_none(wh, sql) -> None:
    frame = team_health.overview(wh, date(2025, 6, 10))  # May has no survey; April had one
    company = frame[frame["scope_type"] == "company"].iloc[0]
    ((enps, n),) = sql(
        "select enps, enps_respondents from team_health.team_health_monthly "
        "where month = ? and scope_type = 'company'",
        [APRIL],
    )
    assert company["month"] == date(2025, 5, 1)
    assert company["enps_month"] == APRIL
    assert (company["enps"], company["enps_respondents"]) == (enps, n)


def test_ramp_summary_equals_rep_ramp_medians(wh, sql, written) -> None:
    expected = sql(
        "select role, count(*), count(ramp_days), median(ramp_days) from team_health.rep_ramp "
        "group by role order by role"
    )
    got = team_health.ramp_summary(wh)
    assert [(r.role, r.reps, r.ramped) for r in got.itertuples(index=False)] == [e[:3] for e in expected]
    rows = rows_of(written["team_health"], "ramp-summary")
    assert [r[3] for r in rows] == [f.days(e[3]) for e in expected]


def test_ramp_curves_show_the_latest_six_cohorts_per_role(wh) -> None:
    curves = team_health.ramp_curves(wh)
    assert curves.groupby("role")["hire_cohort"].nunique().to_dict() == {"ae": 6, "sdr": 6}
    assert min(curves["hire_cohort"]) == date(2023, 8, 1)


def test_manager_impact_lists_every_estimate_with_its_verdict(sql, written) -> None:
    expected = sql("select kpi, verdict, did_estimate from team_health.manager_impact order by kpi")
    rows = rows_of(written["team_health"], "manager-impact")
    classes = parse(written["team_health"]).cell_classes["manager-impact"]
    assert sorted(r[9] for r in rows) == sorted(v for _, v, _ in expected)
    for row, cls in zip(rows, classes, strict=True):
        assert f"verdict-{row[9].replace(' ', '-')}" in cls[9]
    estimates = {r[6] for r in rows}
    assert estimates == {f.pts(d) for _, _, d in expected}


@pytest.mark.parametrize("card", ["Headcount", "Voluntary turnover (12 months)", "Absenteeism", "eNPS"])
def test_key_numbers_appear_in_the_markdown_summary(warehouse, config, card) -> None:
    with open_warehouse(warehouse) as wh:
        page = render_report(wh, "team_health", as_of=AS_OF, config=config)
    assert f"**{card}**" in page.markdown
