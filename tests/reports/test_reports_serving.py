"""The reports read the serving copy when one is published (so they never wait for a sync), say in the
footer which file they read, show the same numbers as the working warehouse it was published from, and
follow the forecast week by week through the serving copy's forecast history."""

from __future__ import annotations

import multiprocessing
import re
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from report_html import rows_of
from report_lock import hold_for_writing
from report_warehouse import AS_OF, CURRENCY, FY_START, METHODS, build_warehouse

from revops.reports import KINDS, write_reports
from revops.reports import fmt as f
from revops.reports.calendar import quarter_start
from revops.reports.pages.weekly import method_label
from revops.serving import publish

Q = quarter_start(AS_OF, FY_START)
NEGOTIATION = "select count(*) from marts.fct_deals where status = 'open' and stage = 'negotiation'"


def _footer(html: str) -> str:
    found = re.search(r"<footer>(.*?)</footer>", html, flags=re.S)
    assert found is not None
    return found.group(1)


def _count(path: Path, sql: str) -> int:
    with duckdb.connect() as con:  # attach: never a database this process opened earlier
        con.execute(f"attach '{path}' as w (read_only)")
        con.execute("use w")
        return int(con.execute(sql).fetchone()[0])  # type: ignore[index]


def _drop_negotiation_deals(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("delete from marts.fct_deals where stage = 'negotiation'")


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path, dict[str, object]]:
    """A synthetic working warehouse and its serving copy."""
    working, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving" / "warehouse.duckdb"
    build_warehouse(working)
    return working, serving, publish(working, serving)


def test_reports_read_the_serving_copy_and_name_it_with_its_publication_time(
    published, config, tmp_path
) -> None:
    working, serving, out = published
    served = _count(serving, NEGOTIATION)
    _drop_negotiation_deals(working)  # the working warehouse moves on after the publication
    assert served > 0 and _count(working, NEGOTIATION) == 0

    paths = write_reports(working, tmp_path / "out", as_of=AS_OF, config=config, serving=serving)
    weekly = paths[0].read_text()
    assert len(rows_of(weekly, "negotiation")) == served
    published_at = str(out["published_at"])
    when = f"{published_at[:10]} {published_at[11:16]} UTC"
    for p in paths:
        footer = _footer(p.read_text())
        assert (
            f"read from the serving copy {serving.resolve()}, published {when} from warehouse.duckdb"
            in footer
        )
        assert f"published {when}" in p.with_suffix(".md").read_text()


def test_without_a_serving_copy_the_reports_read_the_working_warehouse_and_say_why(config, tmp_path) -> None:
    working = build_warehouse(tmp_path / "warehouse.duckdb")
    missing = tmp_path / "serving" / "warehouse.duckdb"
    (page,) = write_reports(
        working, tmp_path / "out", as_of=AS_OF, config=config, kinds=["monthly"], serving=missing
    )
    footer = _footer(page.read_text())
    assert f"read from the working warehouse {working.resolve()} (no serving copy at {missing} yet)" in footer
    (page,) = write_reports(working, tmp_path / "out2", as_of=AS_OF, config=config, kinds=["monthly"])
    assert "(no serving copy configured)" in _footer(page.read_text())


def test_pages_from_the_serving_copy_equal_the_pages_from_the_warehouse_it_was_published_from(
    published, config, tmp_path
) -> None:
    # The other report tests check every printed number against the working warehouse's tables; this
    # carries those checks over to the serving copy.
    working, serving, _ = published
    direct = write_reports(working, tmp_path / "direct", as_of=AS_OF, config=config)
    served = write_reports(working, tmp_path / "served", as_of=AS_OF, config=config, serving=serving)
    assert [p.name for p in direct] == [p.name for p in served] == [f"{k}.html" for k in KINDS]
    for a, b in zip(direct, served, strict=True):
        html_a, html_b = a.read_text(), b.read_text()
        assert _footer(html_a) != _footer(html_b)
        assert html_a.replace(_footer(html_a), "") == html_b.replace(_footer(html_b), ""), a.name
        assert (
            a.with_suffix(".md").read_text().split("_Data ")[0]
            == b.with_suffix(".md").read_text().split("_Data ")[0]
        )


def test_reports_in_the_publishing_process_read_the_new_copy_while_the_old_one_is_open(
    published, config, tmp_path
) -> None:
    working, serving, _ = published
    old = duckdb.connect(str(serving), read_only=True)  # e.g. a notebook or a BI query in this process
    try:
        before = int(old.execute(NEGOTIATION).fetchone()[0])  # type: ignore[index]
        _drop_negotiation_deals(working)
        publish(working, serving)
        # DuckDB hands this process the database it already has open for that path: the old copy.
        with duckdb.connect(str(serving), read_only=True) as cached:
            assert int(cached.execute(NEGOTIATION).fetchone()[0]) == before > 0  # type: ignore[index]
        (page,) = write_reports(
            working, tmp_path / "out", as_of=AS_OF, config=config, kinds=["weekly"], serving=serving
        )
        assert rows_of(page.read_text(), "negotiation") == [["no rows"]]
    finally:
        old.close()


def test_reports_run_from_the_serving_copy_while_another_process_writes_the_working_warehouse(
    published, config, tmp_path
) -> None:
    working, serving, _ = published
    ctx = multiprocessing.get_context("spawn")
    locked, release = ctx.Event(), ctx.Event()
    writer = ctx.Process(target=hold_for_writing, args=(str(working), locked, release))
    writer.start()
    try:
        assert locked.wait(120), "the writer process never opened the warehouse"
        paths = write_reports(working, tmp_path / "out", as_of=AS_OF, config=config, serving=serving)
        assert len(paths) == len(KINDS)
        with pytest.raises(RuntimeError, match="another process is writing it"):
            write_reports(working, tmp_path / "out2", as_of=AS_OF, config=config, kinds=["weekly"])
    finally:
        release.set()
        writer.join(120)
    assert writer.exitcode == 0


def test_weekly_report_follows_the_forecast_week_by_week_through_the_serving_history(
    config, tmp_path
) -> None:
    serving = tmp_path / "serving" / "warehouse.duckdb"
    days = [AS_OF, AS_OF + timedelta(days=7), AS_OF + timedelta(days=14)]  # one quarter, three Mondays
    expected = []
    for i, day in enumerate(days):
        # each week's build keeps only its own forecast, as the forecast build does
        working = build_warehouse(tmp_path / f"week{i}.duckdb", as_of=day, seed=20 + i, forecast_days=(0,))
        with duckdb.connect(str(working), read_only=True) as con:
            methods = dict(
                con.execute(
                    "select method, forecast from forecast.period_forecasts where grain = 'quarter' and "
                    "scope_type = 'company' and period_start = ?",
                    [Q],
                ).fetchall()
            )
            ((rec, p10, p90),) = con.execute(
                "select recommended, p10, p90 from forecast.forecast_summary where grain = 'quarter' and "
                "scope_type = 'company' and period_start = ?",
                [Q],
            ).fetchall()
        expected.append((day, methods, rec, p10, p90))
        publish(working, serving)

    (page,) = write_reports(
        working, tmp_path / "out", as_of=days[-1], config=config, kinds=["weekly"], serving=serving
    )
    html = page.read_text()
    trail = rows_of(html, "forecast-trail")
    by_method = rows_of(html, "forecast-trail-methods")
    assert len(trail) == len(by_method) == 3
    previous = None
    for row, methods_row, (day, methods, rec, p10, p90) in zip(trail, by_method, expected, strict=True):
        assert row[:2] == [f"{day:%d %b %Y}", str(day)]  # each day is a Monday: the week starts on it
        assert row[2:5] == [f.money(rec, CURRENCY), f.money(p10, CURRENCY), f.money(p90, CURRENCY)]
        assert row[5] == (f.NA if previous is None else f.signed_money(rec - previous, CURRENCY))
        assert methods_row[1:] == [f.money(methods[m], CURRENCY) for m in sorted(METHODS)]
        previous = rec
    adjusted = {r[0]: r for r in rows_of(html, "forecast-adjusted")}
    _, last_week, last_rec, _, _ = expected[1]
    for m in METHODS:
        assert adjusted[method_label(m)][5] == f.money(last_week[m], CURRENCY)
    assert adjusted["Recommended"][6] == f.signed_money(expected[2][2] - last_rec, CURRENCY)
    assert "from meta.forecast_history, kept by each publication of the serving copy" in html
