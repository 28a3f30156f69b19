"""Daily exchange rates to the corporate currency: a mild mean-reverting walk per currency."""

from __future__ import annotations

import numpy as np

from .settings import CURRENCIES, FX_DAILY_VOL, FX_MEAN_REVERSION, FX_START


def simulate_rates(rng: np.random.Generator, first_day: int, last_day: int,
                   corporate: str) -> np.ndarray:
    """Rates `[currency, day - first_day]` = corporate units per unit of the currency, rounded to
    6 decimals, for every calendar day from `first_day` to `last_day` inclusive.

    The walk is simulated against EUR and re-based when the corporate currency is USD or GBP.
    """
    n = last_day - first_day + 1
    eur = np.ones((len(CURRENCIES), n))
    for ci, code in enumerate(CURRENCIES):
        if code == "EUR":
            continue
        start = FX_START[code]
        log_mean = np.log(start)
        x = np.empty(n)
        x[0] = log_mean
        shocks = rng.normal(0.0, FX_DAILY_VOL, size=n)
        for i in range(1, n):
            x[i] = x[i - 1] + FX_MEAN_REVERSION * (log_mean - x[i - 1]) + shocks[i]
        eur[ci] = np.exp(x)
    if corporate not in CURRENCIES:
        raise ValueError(
            f"sandbox generator: corporate currency {corporate!r} is not simulated; use one of "
            f"{', '.join(CURRENCIES)}"
        )
    base = eur[CURRENCIES.index(corporate)]
    return np.round(eur / base, 6)
