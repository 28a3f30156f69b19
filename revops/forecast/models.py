"""Everything learnt from history as of one day: stage conversion, slips and amount changes, and the
deal win-probability model. Training uses only the as-of view, hence only what was known then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from revops.forecast.asof import AsOfView
from revops.forecast.deal_model import DealModel, fit_deal_model
from revops.forecast.features import deal_features
from revops.forecast.timing import HORIZON_DAYS, LOOKBACK_DAYS, SlipModel, StageConversion

# The deal model learns from the weekly snapshots of at most this many deals, drawn at random. Its
# trees are small and heavily regularised, so more deals change little: on 157,120 deals (1.37 million
# snapshots) a draw of 40,000 scored the same held-out Brier score and AUC (0.114, 0.903) as all of
# them (0.115, 0.904) in 40 % of the time; 20,000 scored visibly worse (0.121, 0.893).
MAX_TRAINING_DEALS = 50_000
_MONDAY_SHIFT = 3  # day number 0 (1970-01-01) was a Thursday: (day + 3) % 7 == 0 on Mondays


def training_rows(view: AsOfView, lookback_days: int = LOOKBACK_DAYS, horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """Weekly (Monday) snapshots from the lookback window that are at least `horizon_days` old at the
    view's day, labelled 1 when the deal was won within `horizon_days` of the snapshot, else 0.

    Requiring the whole horizon to be history means every label is final: deals still open at the
    as-of day count as not won within the horizon instead of being dropped, which would otherwise
    favour fast (mostly won) deals. closed_day and won_amount feed the timing and amount models."""
    snaps = view.snapshots
    days = snaps["day"].to_numpy("float64")
    keep = ((days + horizon_days <= view.day) & (days >= view.day - lookback_days)
            & ((days + _MONDAY_SHIFT) % 7 == 0))
    rows = snaps[keep]
    outcome = view.closed[["deal_id", "status", "closed_day", "amount_corporate"]].rename(
        columns={"amount_corporate": "won_amount"})
    rows = rows.merge(outcome, on="deal_id", how="left")
    rows = rows[~(rows["closed_day"] <= rows["day"])].reset_index(drop=True)
    won_in_time = (rows["status"] == "won") & (rows["closed_day"] < rows["day"] + horizon_days)
    rows["label"] = won_in_time.astype("float64")
    return rows


def sample_deals(rows: pd.DataFrame, max_deals: int, seed: int) -> pd.DataFrame:
    """The rows of at most `max_deals` deals, drawn at random (seeded, and the same whatever the rows'
    order); every row when there are no more deals than that."""
    ids = rows["deal_id"].astype(object)
    unique = np.array(sorted(pd.unique(ids.dropna())), dtype=object)
    if len(unique) <= max_deals:
        return rows
    chosen = unique[np.random.default_rng(seed).choice(len(unique), max_deals, replace=False)]
    return rows[ids.isin(chosen).to_numpy()].reset_index(drop=True)


@dataclass
class LearntModels:
    """The learnt pieces of the forecast, all trained as of `trained_on`."""

    trained_on: date
    stage: StageConversion
    slip: SlipModel
    deal: DealModel | None
    training_rows: int
    training_deals: int = 0  # the deals the deal model learnt from (at most MAX_TRAINING_DEALS)

    def win_probability(self, open_rows: pd.DataFrame, features: pd.DataFrame) -> np.ndarray:
        """Probability of a win within the horizon: the deal model's, or the stage rate when there was
        too little history to train it."""
        if self.deal is not None:
            return self.deal.predict(features)
        return self.stage.win_probability(open_rows["stage_order"].to_numpy("float64"))


def train_models(view: AsOfView, seed: int = 0, max_deals: int = MAX_TRAINING_DEALS) -> LearntModels:
    """Train every learnt component on the point-in-time view (the deal model on the snapshots of at
    most `max_deals` deals; the stage and timing models on all of them)."""
    if max_deals < 1:
        raise ValueError(f"max_deals={max_deals}: the deal model needs at least one deal to learn from")
    rows = training_rows(view)
    stage = StageConversion.fit(view)
    slip = SlipModel.fit(rows[rows["label"] == 1])
    deal = None
    used = sample_deals(rows, max_deals, seed)
    if len(used):
        features = deal_features(used, view)
        deal = fit_deal_model(features, used["label"].to_numpy(), used["deal_id"], seed=seed)
    return LearntModels(view.as_of, stage, slip, deal, len(rows), int(used["deal_id"].nunique()))
