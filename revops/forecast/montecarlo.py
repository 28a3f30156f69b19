"""Monte Carlo over open deals: each simulation draws, per deal, a win (deal-model probability), a
close day (expected close date plus a historical slip, so a deal can slip into the next period) and an
amount change (historical ratio of won to pipeline amount). Vectorised with numpy and chunked over
simulations so that memory stays bounded (10 000 deals x 10 000 simulations runs in ~100 MB)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from revops.forecast.timing import SlipModel

DEFAULT_MAX_CELLS = 2_000_000  # deals x simulations per chunk


def simulate_open_outcomes(
    amount: np.ndarray,
    p_win: np.ndarray,
    ecd: np.ndarray,
    day: int,
    slip: SlipModel,
    periods: list[tuple[int, int]],
    membership: sparse.csr_matrix,
    simulations: int,
    seed: int | list[int],
    max_cells: int = DEFAULT_MAX_CELLS,
) -> np.ndarray:
    """Simulated won amount from open deals per period and scope: array (periods, scopes, simulations).

    membership is a (scopes x deals) 0/1 matrix; periods are [start, end) day numbers."""
    n = len(amount)
    n_scopes = membership.shape[0]
    out = np.zeros((len(periods), n_scopes, simulations), dtype=np.float64)
    if n == 0 or simulations <= 0:
        return out
    if membership.shape[1] != n:
        raise ValueError(f"membership has {membership.shape[1]} deal columns for {n} deals")
    rng = np.random.default_rng(seed)
    amount32 = np.nan_to_num(np.asarray(amount, dtype=np.float64)).astype(np.float32)
    p32 = np.clip(np.nan_to_num(np.asarray(p_win, dtype=np.float64)), 0, 1).astype(np.float32)
    ecd = np.asarray(ecd, dtype=np.float64)
    chunk = max(1, min(simulations, max_cells // max(n, 1)))
    for begin in range(0, simulations, chunk):
        c = min(chunk, simulations - begin)
        won = rng.random((n, c), dtype=np.float32) < p32[:, None]
        close = slip.sample_close(ecd, day, rng.random((n, c), dtype=np.float32))
        value = slip.sample_ratio(rng.random((n, c), dtype=np.float32)).astype(np.float32)
        value *= amount32[:, None]
        value *= won
        for i, (start, end) in enumerate(periods):
            inside = (close >= start) & (close < end)
            out[i, :, begin:begin + c] = membership @ (value * inside)
    return out


def quantiles(totals: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, P10, P50 and P90 over the last axis."""
    if totals.shape[-1] == 0:
        empty = np.full(totals.shape[:-1], np.nan)
        return {"mean": empty, "p10": empty, "p50": empty, "p90": empty}
    q = np.percentile(totals, [10, 50, 90], axis=-1)
    return {"mean": totals.mean(axis=-1), "p10": q[0], "p50": q[1], "p90": q[2]}
