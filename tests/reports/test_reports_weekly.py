"""The weekly pipeline review shows the warehouse's numbers: pipeline created per week, deals in
negotiation, the quarter's forecast against last week's, and the pipeline waterfall."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from report_html import rows_of
from report_warehouse import AS_OF, CURRENCY, FY_START, METHODS, build_warehouse, make_config

from revops.reports import FORECAST_HISTORY, open_warehouse, write_reports
from revops.reports import fmt as f
from revops.reports.calendar import quarter_start
from revops.reports.numbers import weekly

Q = quarter_start(AS_OF, FY_START)
COMPANY = "scope_type = 'company' and scope_id = 'all'"


def test_review_week_on_a_monday_is_the_week_that_just_ended(wh) -> None:
    weeks = weekly.pipeline_created(wh, AS_OF)
    assert weeks["period_start"].iloc[-1] == date(2025, 4, 28)
    assert weeks["is_review_week"].tolist() == [False] * 12 + [True]


def test_pipeline_created_per_week_equals_kpi_values(wh, sql, written) -> None:
    weeks = weekly.pipeline_created(wh, AS_OF)
    expected = dict(
        sql(
            f"select period_start, value from kpi.kpi_values where grain = 'week' and {COMPANY} "
            "and kpi = 'opportunities_created_amount' and period_start between ? and ?",
            [date(2025, 2, 3), date(2025, 4, 28)],
        )
    )
    assert len(expected) == 13
    for row in weeks.itertuples(index=False):
        assert row.opportunities_created_amount == pytest.approx(expected[row.period_start])
    table = rows_of(written["weekly"], "pipeline-created")
    assert [r[2] for r in table] == [f.money(expected[d], CURRENCY) for d in weeks["period_start"]]
    mean_before = sum(v for d, v in expected.items() if d != date(2025, 4, 28)) / 12
    assert f.money(mean_before, CURRENCY) in written["weekly"]


def test_deals_in_negotiation_are_the_open_negotiation_deals_largest_first(sql, written) -> None:
    expected = sql(
        "select deal_name, amount_corporate, expected_close_date from marts.fct_deals "
        "where status = 'open' and stage = 'negotiation' order by amount_corporate desc"
    )
    table = rows_of(written["weekly"], "negotiation")
    assert len(table) == len(expected) > 0
    for (name, amount, close), row in zip(expected, table, strict=True):
        assert row[0] == name
        assert row[2] == f.money(amount, CURRENCY)
        assert row[3].startswith(close.isoformat())
        assert ("past due" in row[3]) == (close < AS_OF)


def test_days_in_negotiation_count_from_the_latest_entry_into_the_stage(wh, sql) -> None:
    deals = weekly.deals_in_negotiation(wh, AS_OF).set_index("deal_id")
    # salesforce:D011 went back to proposal and re-entered negotiation four days before the as-of date
    assert deals.loc["salesforce:D011", "days_in_stage"] == 4
    entered = dict(
        sql(
            "select deal_id, max(entered_at)::date from marts.fct_deal_stage_events "
            "where stage = 'negotiation' group by 1"
        )
    )
    for deal_id, days in deals["days_in_stage"].items():
        assert days == (AS_OF - entered[deal_id]).days


def test_owner_is_the_reps_name_or_the_crm_email_when_the_rep_is_unknown(wh, sql) -> None:
    deals = weekly.deals_in_negotiation(wh, AS_OF).set_index("deal_id")
    assert deals.loc["salesforce:D007", "owner"] == "ghost@example.com"
    names = dict(
        sql(
            "select d.deal_id, r.full_name from marts.fct_deals d join marts.dim_reps r "
            "on r.rep_id = d.owner_rep_id where d.stage = 'negotiation' and d.status = 'open'"
        )
    )
    assert names
    for deal_id, name in names.items():
        assert deals.loc[deal_id, "owner"] == name


def test_forecast_by_method_is_compared_with_the_forecast_a_week_earlier(sql, written) -> None:
    def at(day: date) -> dict[str, float]:
        return dict(
            sql(
                f"select method, forecast from forecast.period_forecasts where grain = 'quarter' and {COMPANY} "
                "and period_start = ? and as_of_date = ?",
                [Q, day],
            )
        )

    now, before = at(AS_OF), at(AS_OF - timedelta(days=7))
    assert set(now) == set(METHODS)
    table = {r[0]: r for r in rows_of(written["weekly"], "forecast-adjusted")}
    from revops.reports.pages.weekly import method_label

    for method in METHODS:
        row = table[method_label(method)]
        assert row[1] == f.money(now[method], CURRENCY)
        assert row[5] == f.money(before[method], CURRENCY)
        assert row[6] == f.signed_money(now[method] - before[method], CURRENCY)


def test_recommended_forecast_and_range_come_from_forecast_summary(sql, written) -> None:
    ((rec, p10, p90),) = sql(
        f"select recommended, p10, p90 from forecast.forecast_summary where grain = 'quarter' "
        f"and {COMPANY} and period_start = ?",
        [Q],
    )
    row = {r[0]: r for r in rows_of(written["weekly"], "forecast-adjusted")}["Recommended"]
    assert row[1:5] == [f.money(rec, CURRENCY), f.money(p10, CURRENCY), f.NA, f.money(p90, CURRENCY)]


def test_last_weeks_forecast_comes_from_the_log_of_earlier_reports_when_the_warehouse_keeps_only_the_latest(
    tmp_path: Path,
) -> None:
    config = make_config()
    out = tmp_path / "out"
    later_day = AS_OF + timedelta(days=7)  # same quarter as AS_OF
    earlier = build_warehouse(tmp_path / "earlier.duckdb", as_of=AS_OF, forecast_days=(0,))
    write_reports(earlier, out, as_of=AS_OF, config=config, kinds=["weekly"])
    log = pd.read_csv(out / FORECAST_HISTORY)
    assert set(log["method"]) == {*METHODS, "recommended"}
    assert set(log["as_of_date"]) == {str(AS_OF)}

    later = build_warehouse(tmp_path / "later.duckdb", as_of=later_day, seed=8, forecast_days=(0,))
    with open_warehouse(later) as wh:
        history = pd.read_csv(out / FORECAST_HISTORY).assign(
            as_of_date=lambda d: pd.to_datetime(d["as_of_date"]).dt.date,
            period_start=lambda d: pd.to_datetime(d["period_start"]).dt.date,
        )
        adjusted = weekly.forecast_adjusted(wh, later_day, FY_START, history)
    assert adjusted["previous_as_of_date"] == AS_OF
    logged = log[log["period_start"] == str(Q)].set_index("method")
    methods = adjusted["methods"].set_index("method")
    for method in METHODS:
        assert methods.loc[method, "prev_forecast"] == pytest.approx(logged.loc[method, "forecast"])
        assert methods.loc[method, "change"] == pytest.approx(
            methods.loc[method, "forecast"] - logged.loc[method, "forecast"]
        )
    assert adjusted["recommended"]["prev_recommended"] == pytest.approx(logged.loc["recommended", "forecast"])

    write_reports(later, out, as_of=later_day, config=config, kinds=["weekly"])
    html = (out / "weekly.html").read_text()
    assert f"Last week ({AS_OF})" in html
    assert "forecast log of earlier weekly reports" in html
    assert sorted(pd.read_csv(out / FORECAST_HISTORY)["as_of_date"].unique()) == [str(AS_OF), str(later_day)]


def test_a_forecast_of_the_previous_quarter_is_not_taken_as_last_weeks(tmp_path: Path) -> None:
    # A Monday review at the start of a quarter has no earlier forecast of that quarter to compare with.
    log = pd.DataFrame(
        {
            "as_of_date": [AS_OF - timedelta(days=7)],
            "period_start": [quarter_start(AS_OF - timedelta(days=7), FY_START)],
            "method": ["monte_carlo"],
            "forecast": [1.0],
            "p10": [1.0],
            "p50": [1.0],
            "p90": [1.0],
        }
    )
    only = build_warehouse(tmp_path / "w.duckdb", forecast_days=(0,))
    with open_warehouse(only) as wh:
        adjusted = weekly.forecast_adjusted(wh, AS_OF, FY_START, log)
    assert adjusted["previous_as_of_date"] is None
    assert adjusted["methods"]["prev_forecast"].isna().all()


def test_without_any_earlier_forecast_the_page_says_there_is_nothing_to_compare(tmp_path: Path) -> None:
    only = build_warehouse(tmp_path / "w.duckdb", forecast_days=(0,))
    (path,) = write_reports(only, tmp_path / "out", as_of=AS_OF, config=make_config(), kinds=["weekly"])
    html = path.read_text()
    assert "nothing to compare with yet" in html
    assert "no earlier forecast to compare with" in (tmp_path / "out" / "weekly.md").read_text()


def test_waterfall_shows_each_movement_of_the_quarters_pipeline(wh, sql, written) -> None:
    cols = [
        "start_amount",
        "created",
        "pulled_in",
        "increased",
        "decreased",
        "pushed_out",
        "lost",
        "won",
        "end_amount",
    ]
    (row,) = sql(
        f"select {', '.join(cols)} from forecast.pipeline_waterfall where grain = 'quarter' and {COMPANY} "
        "and period_start = ?",
        [Q],
    )
    expected = dict(zip(cols, (float(v) for v in row), strict=True))
    got = weekly.quarter_waterfall(wh, AS_OF, FY_START)
    assert got is not None
    for c in cols:
        assert got[c] == pytest.approx(expected[c])
    assert got["check"] == pytest.approx(0)
    table = rows_of(written["weekly"], "waterfall")
    shown = {r[0]: r[1] for r in table}
    assert shown["Start"] == f.money(expected["start_amount"], CURRENCY)
    assert shown["Created"] == f.signed_money(expected["created"], CURRENCY)
    assert shown["Pushed out"] == f.signed_money(-expected["pushed_out"], CURRENCY)
    assert shown["Won"] == f.signed_money(-expected["won"], CURRENCY)
    assert shown["Now"] == f.money(expected["end_amount"], CURRENCY)


def test_a_forecast_summary_with_an_as_of_date_column_is_matched_to_the_forecasts_date(
    tmp_path: Path,
) -> None:
    path = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(path)) as con:  # the forecast builder adds as_of_date to the documented columns
        con.execute("alter table forecast.forecast_summary add column as_of_date date")
        con.execute("update forecast.forecast_summary set as_of_date = ?", [AS_OF])
        con.execute(
            "insert into forecast.forecast_summary (grain, period_start, scope_type, scope_id, recommended, p10, "
            "p90, method, as_of_date) values ('quarter', ?, 'company', 'all', 1000.0, 900.0, 1100.0, "
            "'monte_carlo', ?)",
            [Q, AS_OF - timedelta(days=7)],
        )
        ((rec,),) = con.execute(
            "select recommended from forecast.forecast_summary where period_start = ? and as_of_date = ?",
            [Q, AS_OF],
        ).fetchall()
    with open_warehouse(path) as wh:
        adjusted = weekly.forecast_adjusted(wh, AS_OF, FY_START)
    assert adjusted["recommended"]["recommended"] == pytest.approx(rec)
    assert adjusted["recommended"]["prev_recommended"] == pytest.approx(1000.0)
    assert adjusted["recommended"]["change"] == pytest.approx(rec - 1000.0)
    (page,) = write_reports(path, tmp_path / "out", as_of=AS_OF, config=make_config(), kinds=["quarterly"])
    assert [r[1] for r in rows_of(page.read_text(), "recommended")][0] == f.money(rec, CURRENCY)
