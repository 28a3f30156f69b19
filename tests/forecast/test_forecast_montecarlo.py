"""Monte Carlo over open deals: ordered percentiles, the right mean, bounded chunks."""

from __future__ import annotations

import duckdb
import numpy as np
from scipy import sparse

from revops.forecast.montecarlo import quantiles, simulate_open_outcomes
from revops.forecast.timing import SlipModel

DAY = 20_000


def _all_in_one_scope(n: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(np.ones((1, n)))


def test_percentiles_are_ordered_for_every_scope_and_period(built_con: duckdb.DuckDBPyConnection) -> None:
    rows = built_con.execute("""
        select count(*), count(*) filter (where p10 <= p50 and p50 <= p90 and p10 >= closed_won_to_date - 0.01)
        from forecast.period_forecasts where method = 'monte_carlo'""").fetchone()
    assert rows[0] > 0 and rows[0] == rows[1]
    spread = built_con.execute("""
        select p90 - p10 from forecast.period_forecasts
        where method = 'monte_carlo' and scope_type = 'company' and grain = 'quarter'""").fetchall()
    assert all(s > 0 for (s,) in spread)


def test_a_certain_win_dated_inside_the_period_adds_its_amount_to_every_simulation() -> None:
    slip = SlipModel(np.zeros(50), np.ones(50))
    totals = simulate_open_outcomes(np.array([100.0, 40.0]), np.array([1.0, 0.0]), np.array([DAY + 5.0, DAY + 5.0]),
                                    DAY, slip, [(DAY, DAY + 30), (DAY + 30, DAY + 60)], _all_in_one_scope(2),
                                    simulations=500, seed=0)
    assert np.all(totals[0, 0] == 100.0)
    assert np.all(totals[1, 0] == 0.0)


def test_simulated_mean_matches_the_expected_won_amount_and_slips_move_wins_to_the_next_period() -> None:
    rng = np.random.default_rng(5)
    n = 400
    amount = rng.uniform(1_000, 50_000, n)
    p = rng.uniform(0.05, 0.9, n)
    ecd = DAY + rng.integers(0, 25, n).astype(float)
    slip = SlipModel(np.sort(np.array([0.0] * 70 + [40.0] * 30)), np.array([1.0]))
    periods = [(DAY, DAY + 30), (DAY + 30, DAY + 90)]
    totals = simulate_open_outcomes(amount, p, ecd, DAY, slip, periods, _all_in_one_scope(n), simulations=4000,
                                    seed=1, max_cells=50_000)  # 125 simulations per chunk
    expected_in = (amount * p).sum() * 0.7
    expected_next = (amount * p).sum() * 0.3
    assert abs(totals[0, 0].mean() - expected_in) < 0.02 * expected_in
    assert abs(totals[1, 0].mean() - expected_next) < 0.04 * expected_next
    analytic = slip.close_probability(ecd, DAY, *periods[0])
    np.testing.assert_allclose(analytic, 0.7)


def test_chunking_changes_only_the_draws_not_the_distribution() -> None:
    rng = np.random.default_rng(9)
    n = 2_000
    amount, p = rng.uniform(1_000, 9_000, n), rng.uniform(0, 1, n)
    ecd = DAY + rng.integers(-10, 60, n).astype(float)
    slip = SlipModel(np.sort(rng.normal(10, 20, 500)), np.sort(rng.uniform(0.8, 1.1, 200)))
    args = (amount, p, ecd, DAY, slip, [(DAY, DAY + 90)], _all_in_one_scope(n))
    small = quantiles(simulate_open_outcomes(*args, simulations=3000, seed=2, max_cells=20_000))
    large = quantiles(simulate_open_outcomes(*args, simulations=3000, seed=2))
    for key in ("mean", "p10", "p50", "p90"):
        assert abs(small[key][0, 0] - large[key][0, 0]) < 0.02 * large["mean"][0, 0]
    assert small["p10"][0, 0] <= small["p50"][0, 0] <= small["p90"][0, 0]


def test_scopes_receive_only_their_own_deals() -> None:
    membership = sparse.csr_matrix(np.array([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]))
    slip = SlipModel(np.zeros(20), np.ones(5))
    totals = simulate_open_outcomes(np.array([10.0, 20.0, 30.0]), np.ones(3), np.full(3, DAY + 1.0), DAY, slip,
                                    [(DAY, DAY + 10)], membership, simulations=10, seed=0)
    np.testing.assert_array_equal(totals[0, :, 0], [60.0, 10.0, 50.0])
