"""The monthly results review shows the tracking table of the last complete month and its quarter,
the top movers and the headline KPI trends exactly as the warehouse holds them."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from report_html import parse, rows_of
from report_warehouse import AS_OF, CURRENCY, FY_START, HEADLINE

from revops.kpis import CATALOGUE
from revops.reports import fmt as f
from revops.reports.numbers import monthly
from revops.reports.numbers.common import tracking_rows

APRIL, MARCH, QUARTER = date(2025, 4, 1), date(2025, 3, 1), date(2025, 2, 1)
TRACKING = (
    "select kpi, target, actual, gap, pct_of_target, status, corrective_action from kpi.kpi_tracking "
    "where grain = ? and period_start = ? and scope_type = 'company' and scope_id = 'all'"
)


def test_review_covers_the_last_complete_month_and_the_quarter_holding_it() -> None:
    assert monthly.review_periods(AS_OF, FY_START) == (APRIL, QUARTER)
    assert monthly.review_periods(date(2025, 6, 15), FY_START) == (date(2025, 5, 1), date(2025, 5, 1))


@pytest.mark.parametrize(
    ("grain", "start", "table_id"),
    [("month", APRIL, "tracking-month"), ("quarter", QUARTER, "tracking-quarter")],
)
def test_tracking_table_rows_equal_kpi_tracking(sql, written, grain, start, table_id) -> None:
    expected = {r[0]: r for r in sql(TRACKING, [grain, start])}
    rows = rows_of(written["monthly"], table_id)
    classes = parse(written["monthly"]).cell_classes[table_id]
    assert [r[0] for r in rows] == [CATALOGUE[k].label for k in HEADLINE]
    assert set(expected) >= set(HEADLINE)
    for kpi, row, cls in zip(HEADLINE, rows, classes, strict=True):
        _, target, actual, gap, pct, status, action = expected[kpi]
        assert row[1:6] == [
            "no target" if target is None else f.kpi_value(kpi, target, CURRENCY),
            f.kpi_value(kpi, actual, CURRENCY),
            f.kpi_change(kpi, gap, CURRENCY),
            f.pct(pct, 0),
            status or "no target",
        ]
        assert f"status-{status or 'none'}" in cls[5]
        assert row[6] == (action or "")


def test_a_headline_kpi_without_a_target_shows_its_actual_and_no_target(sql, written) -> None:
    ((target, actual, status),) = sql(
        TRACKING.replace(
            "kpi, target, actual, gap, pct_of_target, status, corrective_action", "target, actual, status"
        )
        + " and kpi = 'forecast_accuracy'",
        ["month", APRIL],
    )
    assert target is None and status is None and actual is not None
    row = next(
        r
        for r in rows_of(written["monthly"], "tracking-month")
        if r[0] == CATALOGUE["forecast_accuracy"].label
    )
    assert row[1:3] == ["no target", f.pct(actual)]
    assert row[5] == "no target"


def test_a_headline_kpi_missing_from_the_tracking_table_takes_its_value_from_kpi_values(wh, sql) -> None:
    assert not sql(TRACKING + " and kpi = 'won_amount'", ["month", APRIL])
    ((value,),) = sql(
        "select value from kpi.kpi_values where grain = 'month' and period_start = ? and kpi = 'won_amount' "
        "and scope_type = 'company'",
        [APRIL],
    )
    rows = tracking_rows(wh, "month", APRIL, ["win_rate_count", "won_amount"])
    assert list(rows["kpi"]) == ["win_rate_count", "won_amount"]
    won = rows.set_index("kpi").loc["won_amount"]
    assert (won["actual"], won["has_target"]) == (pytest.approx(value), False)


def test_forecast_accuracy_trend_comes_from_the_tracking_table_when_kpi_values_lacks_it(wh, sql) -> None:
    trends = monthly.kpi_trends(wh, AS_OF, ["forecast_accuracy"])
    tracked = dict(
        sql(
            "select period_start, actual from kpi.kpi_tracking where grain = 'month' and kpi = 'forecast_accuracy' "
            "and scope_type = 'company'"
        )
    )
    values = dict(
        sql(
            "select period_start, value from kpi.kpi_values where grain = 'month' and kpi = 'forecast_accuracy' "
            "and scope_type = 'company'"
        )
    )
    for r in trends.itertuples(index=False):
        assert r.value == pytest.approx(values.get(r.period_start, tracked.get(r.period_start)))


def _expected_movers(sql, per_kpi: int) -> list[tuple[str, str, str, float, float]]:
    got = sql(
        "select c.kpi, c.scope_type, c.scope_id, p.value, c.value from kpi.kpi_values c join kpi.kpi_values p "
        "using (kpi, scope_type, scope_id) where c.grain = 'month' and p.grain = 'month' and c.period_start = ? "
        "and p.period_start = ? and c.scope_type in ('rep', 'team') and c.value is not null and p.value is not null "
        "and not c.is_small_sample and not p.is_small_sample",
        [APRIL, MARCH],
    )
    out = []
    for kpi in HEADLINE:
        sign = -1 if CATALOGUE[kpi].direction == "lower_is_better" else 1
        cands = sorted(
            (
                (sign * (cur - prev), st, sid, prev, cur)
                for k, st, sid, prev, cur in got
                if k == kpi and sign * (cur - prev) > 0
            ),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        out += [(kpi, st, sid, prev, cur) for _, st, sid, prev, cur in cands[:per_kpi]]
    return out


def test_top_movers_are_the_largest_improvements_per_headline_kpi(wh, sql, config, written) -> None:
    movers = monthly.top_movers(wh, AS_OF, HEADLINE, config.reports.top_movers)
    expected = _expected_movers(sql, config.reports.top_movers)
    assert len(expected) > 3
    got = [(r.kpi, r.scope_type, r.scope_id, r.previous, r.current) for r in movers.itertuples(index=False)]
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[3:] == pytest.approx(e[3:])
    table = rows_of(written["monthly"], "top-movers")
    assert [(r[3], r[4]) for r in table] == [
        (f.kpi_value(k, p, CURRENCY), f.kpi_value(k, c, CURRENCY)) for k, _, _, p, c in expected
    ]


def test_a_shorter_sales_cycle_counts_as_an_improvement(wh) -> None:
    movers = monthly.top_movers(wh, AS_OF, ["sales_cycle_days_mean"], 10)
    assert len(movers) > 0
    assert (movers["current"] < movers["previous"]).all()


def test_top_movers_leave_out_small_samples_and_scopes_missing_a_month(wh, sql) -> None:
    movers = monthly.top_movers(wh, AS_OF, HEADLINE, 50)
    small = set(
        sql(
            "select kpi, scope_id from kpi.kpi_values where grain = 'month' and period_start in (?, ?) "
            "and is_small_sample",
            [APRIL, MARCH],
        )
    )
    assert not small & set(zip(movers["kpi"], movers["scope_id"], strict=True))
    assert "west" not in set(movers[movers["scope_type"] == "team"]["scope_id"])  # no March row for west


def test_rep_movers_are_named_from_dim_reps(wh, sql) -> None:
    movers = monthly.top_movers(wh, AS_OF, HEADLINE, 50)
    reps = movers[movers["scope_type"] == "rep"]
    names = dict(sql("select lower(email), full_name from marts.dim_reps"))
    assert len(reps) > 0
    assert list(reps["name"]) == [names[e] for e in reps["scope_id"]]


def test_kpi_trends_are_the_company_monthly_values_of_the_last_twelve_months(wh, sql) -> None:
    trends = monthly.kpi_trends(wh, AS_OF, HEADLINE)
    expected = {
        (k, d): v
        for k, d, v in sql(
            "select kpi, period_start, value from kpi.kpi_values where grain = 'month' and scope_type = 'company' "
            "and period_start between ? and ?",
            [date(2024, 5, 1), APRIL],
        )
    }
    assert len(trends) == 12 * len(HEADLINE)
    for r in trends.itertuples(index=False):
        assert r.value == pytest.approx(expected[(r.kpi, r.period_start)])
    targets = dict(
        sql(
            "select period_start, target from kpi.kpi_tracking where grain = 'month' "
            "and kpi = 'win_rate_count' and scope_type = 'company'"
        )
    )
    win = trends[trends["kpi"] == "win_rate_count"]
    assert win["target"].notna().sum() == 12
    assert np.allclose(win["target"], [targets.get(d, np.nan) for d in win["period_start"]], equal_nan=True)
