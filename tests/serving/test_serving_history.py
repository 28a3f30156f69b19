"""The forecast history in the serving copy: every publication adds its forecast, an as-of date
published again is replaced, the history survives copies published before it existed, and a failed
publication changes nothing."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from serving_forecast import METHODS, PERIODS, SCOPES, forecast_value, history, recommended, write_forecast
from serving_sync import create_working

from revops.serving import publish

D1, D2 = date(2025, 5, 5), date(2025, 5, 12)
KEY = ["as_of_date", "grain", "period_start", "scope_type", "scope_id", "method"]


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path, Path]:
    return tmp_path / "warehouse.duckdb", tmp_path / "serving" / "warehouse.duckdb", tmp_path / "exports"


def _forecasts_of(frame, as_of: date):
    rows = frame[(frame["as_of_date"].dt.date == as_of) & (frame["method"] != "recommended")]
    return {(r.period_start.date(), r.scope_type, r.method): r.forecast for r in rows.itertuples()}


def _expected(scale: float) -> dict[tuple[date, str, str], float]:
    return {(p, s, m): forecast_value(s, p, m, scale) for p in PERIODS for s, _ in SCOPES for m in METHODS}


def test_each_publication_adds_its_forecast_and_republishing_an_as_of_date_replaces_it(paths) -> None:
    working, serving, _ = paths
    write_forecast(working, D1, 1.0)
    first = publish(working, serving)
    assert first["forecast_history"]["published_as_of"] == [D1.isoformat()]
    write_forecast(working, D2, 1.1)
    publish(working, serving)
    write_forecast(working, D2, 1.25)  # a rebuild of the same day
    last = publish(working, serving)

    got = history(serving)
    assert set(got["as_of_date"].dt.date) == {D1, D2}
    assert not got.duplicated(KEY).any()
    assert _forecasts_of(got, D1) == _expected(1.0)
    assert _forecasts_of(got, D2) == _expected(1.25)
    rec = got[got["method"] == "recommended"]
    assert {(r.as_of_date.date(), r.period_start.date()): r.forecast for r in rec.itertuples()} == {
        (d, p): recommended(p, s) for d, s in ((D1, 1.0), (D2, 1.25)) for p in PERIODS
    }
    stamps = {d.date(): t for d, t in got.groupby("as_of_date")["published_at"].max().items()}
    assert stamps[D1] == datetime.fromisoformat(first["published_at"])
    assert stamps[D2] == datetime.fromisoformat(last["published_at"])
    assert last["forecast_history"] == {
        "rows": len(got),
        "as_of_dates": 2,
        "published_as_of": [D2.isoformat()],
        "trimmed_rows": 0,
        "trimmed_before": None,
    }


def test_history_older_than_the_retention_is_dropped_counting_from_the_newest_forecast(paths) -> None:
    working, serving, _ = paths
    dates = [date(2025, 1, 6), date(2025, 3, 3), date(2025, 3, 10), date(2025, 4, 7)]
    counts = []
    for i, as_of in enumerate(dates):
        write_forecast(working, as_of, 1.0 + i / 10)
        out = publish(working, serving, history_days=35)
        counts.append(out["forecast_history"])
    per_date = len(history(serving)) // 3  # the rows one as-of date writes (three dates are left)
    # Publishing Mar 3 drops Jan 6 (56 days before it); publishing Apr 7 keeps Mar 3, exactly 35 days before.
    assert [c["trimmed_rows"] for c in counts] == [0, per_date, 0, 0]
    assert counts[1]["trimmed_before"] == "2025-01-27"
    got = history(serving)
    assert sorted(set(got["as_of_date"].dt.date)) == dates[1:]
    assert _forecasts_of(got, dates[3]) == _expected(1.3)
    # 0 keeps everything, whatever the age
    publish(working, serving, history_days=0)
    write_forecast(working, date(2027, 1, 4), 2.0)
    kept = publish(working, serving, history_days=0)
    assert kept["forecast_history"]["trimmed_rows"] == 0
    assert kept["forecast_history"]["as_of_dates"] == 4


def test_a_copy_published_before_the_history_existed_gives_its_forecast_to_the_history(paths) -> None:
    working, serving, _ = paths
    write_forecast(working, D1, 1.0)
    first = publish(working, serving)
    with duckdb.connect(str(serving)) as con:  # as a copy from a version without the history table
        con.execute("drop table meta.forecast_history")
    write_forecast(working, D2, 1.1)
    publish(working, serving)

    got = history(serving)
    assert set(got["as_of_date"].dt.date) == {D1, D2}
    assert _forecasts_of(got, D1) == _expected(1.0)
    d1 = got[got["as_of_date"].dt.date == D1]
    assert set(d1["published_at"]) == {datetime.fromisoformat(first["published_at"])}


def test_forecast_tables_without_the_contract_columns_are_left_out_with_a_warning(tmp_path) -> None:
    working, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    create_working(working)  # forecast.period_forecasts (method, forecast) only
    out = publish(working, serving)
    assert any("period_forecasts lacks column(s) as_of_date" in w for w in out["warnings"])
    assert out["forecast_history"]["rows"] == 0
    assert len(history(serving)) == 0


def test_an_unreadable_previous_copy_is_replaced_and_the_history_starts_again(paths) -> None:
    working, serving, _ = paths
    serving.parent.mkdir(parents=True)
    serving.write_bytes(b"not a database" * 1000)
    write_forecast(working, D1, 1.0)
    out = publish(working, serving)
    assert any("could not be read" in w and str(serving) in w for w in out["warnings"])
    assert set(history(serving)["as_of_date"].dt.date) == {D1}


def test_a_failed_export_publishes_neither_the_copy_nor_the_files(paths, monkeypatch) -> None:
    working, serving, exports = paths
    write_forecast(working, D1, 1.0)
    before = publish(working, serving, exports)["exports"]
    folders = sorted(p.name for p in exports.iterdir())
    write_forecast(working, D2, 1.1)

    def disk_full(*_args: object, **_kwargs: object) -> str:
        raise OSError("No space left on device")

    monkeypatch.setattr("revops.serving.exports.json.dumps", disk_full)
    with pytest.raises(OSError, match="No space left"):
        publish(working, serving, exports)
    monkeypatch.undo()

    assert set(history(serving)["as_of_date"].dt.date) == {D1}
    assert json.loads((exports / "manifest.json").read_text())["version"] == before["version"]
    assert sorted(p.name for p in exports.iterdir()) == folders
    assert [p.name for p in serving.parent.iterdir()] == [serving.name]  # no temporary file left
