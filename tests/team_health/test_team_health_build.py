"""build_team_health against a DuckDB warehouse: tables, column contract, row counts, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from team_health_warehouse import Marts

from revops.team_health import build_team_health, compute_team_health, team_health_kpi_values

AS_OF = date(2024, 6, 30)
CONTRACT = {
    "team_health_monthly": [
        "month", "scope_type", "scope_id", "headcount_start", "headcount_end", "headcount_avg", "hires",
        "voluntary_exits", "involuntary_exits", "voluntary_exits_12m", "voluntary_turnover_12m", "absenteeism_rate",
        "unplanned_absence_days", "scheduled_days", "enps", "enps_respondents", "attainment_median",
        "attainment_share_100", "ramping_share_70", "activities_per_rep"],
    "rep_ramp": ["rep_id", "email", "role", "team", "hire_date", "days_to_first_deal", "days_to_first_meeting",
                 "ramp_days", "ramp_reached_on"],
    "ramp_curves": ["hire_cohort", "role", "tenure_month", "reps", "attainment_median"],
    "manager_impact": ["team", "change_date", "old_manager_email", "new_manager_email", "kpi", "window_days",
                       "before_value", "after_value", "comparison_before", "comparison_after", "did_estimate",
                       "team_n", "comparison_n", "comparison_teams", "verdict"],
}
KPI_VALUES_COLUMNS = ["grain", "period_start", "period_end", "scope_type", "scope_id", "kpi", "value", "numerator",
                      "denominator", "unit", "is_small_sample", "is_mature"]


def _marts() -> Marts:
    marts = Marts()
    for i in range(9):
        marts.person(f"a{i}@x.com", team="alpha", manager="lead@x.com", hired=date(2023, 1, 1))
    marts.person("sdr@x.com", team="dev", manager="lead@x.com", role="sdr", hired=date(2024, 1, 8))
    marts.person("gone@x.com", team="alpha", manager="lead@x.com",
                 spells=[(date(2023, 1, 1), date(2024, 2, 10), "voluntary")])
    marts.quota("a1@x.com", date(2024, 1, 1), date(2024, 3, 31), 90_000)
    marts.deal("a1@x.com", created=date(2024, 1, 2), closed=date(2024, 2, 20), status="won", amount=80_000)
    marts.activity("sdr@x.com", date(2024, 2, 5), "meeting", count=20)
    marts.absence("a2@x.com", date(2024, 3, 4), date(2024, 3, 5), planned=False)
    marts.survey("s", date(2024, 3, 10), "alpha", [9, 9, 10, 3, 7, 8])
    return marts


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"select count(*) from {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = _marts().write(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


def test_build_writes_every_table_with_the_contract_columns(warehouse: duckdb.DuckDBPyConnection) -> None:
    counts = build_team_health(warehouse, as_of=AS_OF)

    for table, columns in CONTRACT.items():
        written = [r[0] for r in warehouse.execute(f"describe team_health.{table}").fetchall()]
        assert written[: len(columns)] == columns, table
        assert counts[f"team_health.{table}"] == _count(warehouse, f"team_health.{table}")
    assert counts["team_health.team_health_monthly"] > 0 and counts["team_health.rep_ramp"] == 11
    kpi_columns = [r[0] for r in warehouse.execute("describe team_health.kpi_values").fetchall()]
    assert kpi_columns == KPI_VALUES_COLUMNS


def test_build_stores_dates_as_dates_and_nulls_as_nulls(warehouse: duckdb.DuckDBPyConnection) -> None:
    build_team_health(warehouse, as_of=AS_OF)

    types = dict(warehouse.execute("select column_name, data_type from information_schema.columns "
                                   "where table_schema = 'team_health' and table_name = 'rep_ramp'").fetchall())
    assert types["hire_date"] == "DATE" and types["ramp_days"] == "INTEGER"
    ramp = warehouse.execute("select ramp_days, ramp_reached_on from team_health.rep_ramp "
                             "where email = 'sdr@x.com'").fetchone()
    assert ramp == (28, date(2024, 2, 5))
    april_enps = warehouse.execute("select enps, enps_respondents from team_health.team_health_monthly "
                                   "where scope_type = 'team' and scope_id = 'alpha' and month = '2024-04-01'"
                                   ).fetchone()
    assert april_enps == (None, None)


def test_build_replaces_tables_on_a_second_run(warehouse: duckdb.DuckDBPyConnection) -> None:
    first = build_team_health(warehouse, as_of=AS_OF)
    second = build_team_health(warehouse, as_of=AS_OF)

    assert first == second
    assert _count(warehouse, "team_health.team_health_monthly") == first["team_health.team_health_monthly"]


def test_build_names_the_missing_mart(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    with pytest.raises(ValueError, match=r"marts\.dim_reps.*dbt build"):
        build_team_health(con, as_of=AS_OF)
    con.close()


def test_kpi_values_have_the_kpi_table_columns_and_names() -> None:
    mid_june = date(2024, 6, 20)
    result = compute_team_health(_marts().frames(), as_of=mid_june)
    kpi = team_health_kpi_values(result.team_health_monthly, result.rep_ramp, result.team_managers, as_of=mid_june)

    assert list(kpi.columns) == KPI_VALUES_COLUMNS
    assert set(kpi["kpi"]) == {"voluntary_turnover_12m", "absenteeism_rate", "enps", "ramp_days_median",
                               "rep_retention_12m"}
    assert set(kpi["scope_type"]) == {"company", "team", "manager"}
    assert set(kpi["grain"]) == {"month"}
    june = kpi[kpi["period_start"] == date(2024, 6, 1)]
    may = kpi[kpi["period_start"] == date(2024, 5, 1)]
    assert not june["is_mature"].any() and may["is_mature"].all()
    assert (june["period_end"] == date(2024, 7, 1)).all()
    absent = kpi[(kpi["kpi"] == "absenteeism_rate") & (kpi["scope_id"] == "all")
                 & (kpi["period_start"] == date(2024, 3, 1))].iloc[0]
    assert absent["numerator"] == 2 and absent["value"] == absent["numerator"] / absent["denominator"]


def test_build_on_empty_marts_writes_empty_tables(tmp_path: Path) -> None:
    con = Marts().write(tmp_path / "empty.duckdb")

    counts = build_team_health(con, as_of=AS_OF)
    assert set(counts) == {f"team_health.{t}" for t in [*CONTRACT, "kpi_values"]}
    assert set(counts.values()) == {0}
    assert _count(con, "team_health.manager_impact") == 0
    con.close()


def test_out_of_range_settings_are_refused_with_their_names(warehouse: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match=r"min_survey_respondents=0, ramp_share=1\.5"):
        build_team_health(warehouse, as_of=AS_OF, ramp_share=1.5, min_survey_respondents=0)
