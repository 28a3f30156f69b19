"""Pipeline waterfall: the identity holds to the cent, and each deal lands in the right term."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np

from revops.forecast import Marts
from revops.forecast.methods import Period
from revops.forecast.scopes import ScopeResolver
from revops.forecast.waterfall import deal_movements, waterfall

QUARTER = Period("quarter", date(2024, 5, 1), date(2024, 8, 1))


def test_waterfall_identity_holds_exactly_for_every_period_and_scope(built_con: duckdb.DuckDBPyConnection) -> None:
    rows, broken = built_con.execute("""
        select count(*),
               count(*) filter (where start_amount + created + pulled_in + increased - decreased - pushed_out
                                      - lost - won <> end_amount)
        from forecast.pipeline_waterfall""").fetchone()
    assert rows > 100
    assert broken == 0
    kinds = built_con.execute("select distinct scope_type from forecast.pipeline_waterfall").fetchall()
    assert {k for (k,) in kinds} == {"company", "team", "manager", "segment", "source"}


def test_won_in_a_complete_period_is_the_period_revenue(built_con: duckdb.DuckDBPyConnection) -> None:
    rows = built_con.execute("""
        select w.period_start, w.won,
               (select sum(round(d.amount_corporate, 2)::DECIMAL(18,2)) from marts.fct_deals d
                 where d.status = 'won' and d.closed_date >= w.period_start and d.closed_date < w.window_end)
        from forecast.pipeline_waterfall w
        where w.scope_type = 'company' and w.grain = 'quarter' and w.window_end = w.period_start + interval 3 month
    """).fetchall()
    assert len(rows) == 6
    for _start, won, revenue in rows:
        assert won == revenue


def test_each_deal_enters_and_leaves_the_period_pipeline_once_by_its_own_history(marts: Marts) -> None:
    moves = deal_movements(marts, QUARTER, QUARTER.end).set_index("deal_id")
    deals = marts.deals.set_index("deal_id")
    s, e = QUARTER.start_day, QUARTER.end_day
    created_inside = deals["created_day"].reindex(moves.index) >= s
    won_inside = (deals["status"] == "won") & (deals["closed_day"] >= s) & (deals["closed_day"] < e)

    # A deal created and won inside the period is created then won.
    both = moves[created_inside & won_inside.reindex(moves.index)]
    assert len(both) > 0
    assert (both["entry"] == "created").all() and (both["exit"] == "won").all()
    # Every deal won inside the period appears, as won.
    assert set(won_inside[won_inside].index) <= set(moves.index[moves["exit"] == "won"])
    # A deal in the period pipeline at the start and still open at the end with a later date was pushed out.
    start_rows = marts.pipeline[(marts.pipeline["day"] == s) & marts.pipeline["ecd_day"].between(s, e - 1)]
    end_rows = marts.pipeline[(marts.pipeline["day"] == e) & (marts.pipeline["ecd_day"] >= e)]
    pushed = set(start_rows["deal_id"]) & set(end_rows["deal_id"])
    assert len(pushed) > 0
    assert (moves.loc[sorted(pushed), "entry"] == "start_amount").all()
    assert (moves.loc[sorted(pushed), "exit"] == "pushed_out").all()


def test_the_current_period_runs_from_its_start_to_the_as_of_day(marts: Marts) -> None:
    resolver = ScopeResolver.from_reps(marts.reps)
    current = Period("quarter", date(2024, 11, 1), date(2025, 2, 1))
    frame = waterfall(marts, resolver, current, date(2025, 1, 15))
    company = frame[frame["scope_type"] == "company"].iloc[0]
    cents = {t: int(company[f"{t}_cents"]) for t in ("start_amount", "created", "pulled_in", "increased",
                                                      "decreased", "pushed_out", "lost", "won", "end_amount")}
    assert (cents["start_amount"] + cents["created"] + cents["pulled_in"] + cents["increased"] - cents["decreased"]
            - cents["pushed_out"] - cents["lost"] - cents["won"]) == cents["end_amount"]
    open_now = marts.pipeline[(marts.pipeline["day"] == current.end_day - 17)
                              & marts.pipeline["ecd_day"].between(current.start_day, current.end_day - 1)]
    assert cents["end_amount"] == int(np.round(open_now["amount_corporate"] * 100).sum())
