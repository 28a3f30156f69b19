"""The quarterly review shows last quarter against its targets, the forecast range of the current and
the next quarter, the forecast accuracy history and next quarter's coverage as the warehouse holds them."""

from __future__ import annotations

from datetime import date

import pytest
from report_html import rows_of
from report_warehouse import AS_OF, CURRENCY, FY_START, HEADLINE, METHODS

from revops.kpis import CATALOGUE
from revops.reports import fmt as f
from revops.reports.calendar import quarter_label
from revops.reports.numbers import quarterly
from revops.reports.pages.weekly import method_label

LAST, CURRENT, NEXT = date(2025, 2, 1), date(2025, 5, 1), date(2025, 8, 1)
COMPANY = "scope_type = 'company' and scope_id = 'all'"


def test_quarters_follow_the_fiscal_calendar() -> None:
    assert quarterly.quarters(AS_OF, FY_START) == (LAST, CURRENT, NEXT)
    assert quarter_label(CURRENT, FY_START) == "Q2 FY2026"


def test_last_quarter_tracking_lists_headline_kpis_then_other_targets(sql, written) -> None:
    expected = {
        r[0]: r
        for r in sql(
            "select kpi, target, actual, gap, pct_of_target, status from kpi.kpi_tracking where grain = 'quarter' "
            f"and period_start = ? and {COMPANY}",
            [LAST],
        )
    }
    rows = rows_of(written["quarterly"], "last-quarter-tracking")
    order = [*HEADLINE, "won_amount"]
    assert [r[0] for r in rows] == [CATALOGUE[k].label for k in order]
    for kpi, row in zip(order, rows, strict=True):
        _, target, actual, gap, pct, status = expected[kpi]
        assert row[1:6] == [
            f.kpi_value(kpi, target, CURRENCY),
            f.kpi_value(kpi, actual, CURRENCY),
            f.kpi_change(kpi, gap, CURRENCY),
            f.pct(pct, 0),
            status,
        ]


def test_last_quarter_results_are_the_company_kpi_values(sql, written) -> None:
    expected = dict(
        sql(
            f"select kpi, value from kpi.kpi_values where grain = 'quarter' and period_start = ? and {COMPANY}",
            [LAST],
        )
    )
    shown = dict((r[0], r[1]) for r in rows_of(written["quarterly"], "last-quarter-results"))
    assert shown["Revenue won"] == f.money(expected["won_amount"], CURRENCY)
    assert shown["Quota attainment"] == f.pct(expected["quota_attainment"])
    assert shown["Opportunities created"] == f.count(expected["opportunities_created"])


def test_forecast_ranges_use_the_latest_forecast_of_both_quarters(sql, written) -> None:
    expected = sql(
        "select period_start, method, forecast, p10, p50, p90, closed_won_to_date, open_pipeline "
        f"from forecast.period_forecasts where grain = 'quarter' and {COMPANY} and as_of_date = ? "
        "order by period_start, method",
        [AS_OF],
    )
    assert len(expected) == 2 * len(METHODS)
    rows = rows_of(written["quarterly"], "forecast-methods")
    assert len(rows) == len(expected)
    for (start, method, fc, p10, p50, p90, won, pipe), row in zip(expected, rows, strict=True):
        assert row == [
            quarter_label(start, FY_START),
            method_label(method),
            f.money(fc, CURRENCY),
            f.money(p10, CURRENCY),
            f.money(p50, CURRENCY),
            f.money(p90, CURRENCY),
            f.money(won, CURRENCY),
            f.money(pipe, CURRENCY),
        ]


def test_recommended_numbers_come_from_forecast_summary(sql, written) -> None:
    expected = sql(
        "select period_start, recommended, p10, p90, method_accuracy from forecast.forecast_summary "
        f"where grain = 'quarter' and {COMPANY} order by period_start"
    )
    rows = rows_of(written["quarterly"], "recommended")
    assert [r[:4] for r in rows] == [
        [quarter_label(s, FY_START), f.money(r, CURRENCY), f.money(lo, CURRENCY), f.money(hi, CURRENCY)]
        for s, r, lo, hi, _ in expected
    ]
    assert [r[5] for r in rows] == [f.pct(a, 0) for *_, a in expected]


def test_accuracy_history_is_the_back_test_at_each_quarters_start(wh, sql, written) -> None:
    history, by_method = quarterly.accuracy_history(wh)
    expected = {
        m: (n, acc, bias)
        for m, n, acc, bias in sql(
            "select method, count(*), avg(accuracy), avg(bias) from forecast.forecast_accuracy where grain = 'quarter' "
            f"and {COMPANY} and snapshot_label = 'period_start' group by method"
        )
    }
    assert set(by_method["method"]) == set(METHODS)
    for r in by_method.itertuples(index=False):
        n, acc, bias = expected[r.method]
        assert (r.quarters, r.mean_accuracy, r.mean_bias) == (n, pytest.approx(acc), pytest.approx(bias))
    assert list(by_method["mean_accuracy"]) == sorted(by_method["mean_accuracy"], reverse=True)
    rows = rows_of(written["quarterly"], "accuracy-by-method")
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (method_label(m), f.pct(expected[m][1]), f.signed_pct(expected[m][2])) for m in by_method["method"]
    ]
    grid = {r[0]: r[1:] for r in rows_of(written["quarterly"], "accuracy-history")}
    cells = sql(
        "select method, accuracy from forecast.forecast_accuracy where grain = 'quarter' and "
        f"{COMPANY} and snapshot_label = 'period_start' order by period_start"
    )
    for method in METHODS:
        assert grid[method_label(method)] == [f.pct(a) for m, a in cells if m == method]
    assert len(history) == 4 * len(METHODS)


def test_next_quarter_coverage_is_pipeline_coverage_at_its_start(sql, written) -> None:
    expected = sql(
        "select scope_type, scope_id, value, numerator, denominator from kpi.kpi_values "
        "where kpi = 'pipeline_coverage' and grain = 'quarter' and period_start = ? "
        "and scope_type in ('company', 'team') order by scope_type = 'team', scope_id",
        [NEXT],
    )
    ((target,),) = sql(
        "select target from kpi.kpi_tracking where kpi = 'pipeline_coverage' and grain = 'quarter' "
        f"and period_start = ? and {COMPANY}",
        [NEXT],
    )
    rows = rows_of(written["quarterly"], "coverage")
    assert len(rows) == len(expected) == 4
    for (stype, sid, value, num, den), row in zip(expected, rows, strict=True):
        assert row[0] == ("Company" if stype == "company" else f"Team {sid}")
        assert row[1:4] == [f"{value:.2f}×", f.money(num, CURRENCY), f.money(den, CURRENCY)]
        assert row[4] == ("on target" if value >= target else "below target")
