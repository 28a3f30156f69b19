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
from revops.forecast.timing import LOOKBACK_DAYS, SlipModel, StageConversion

_MONDAY_SHIFT = 3  # day number 0 (1970-01-01) was a Thursday: (day + 3) % 7 == 0 on Mondays


def training_rows(view: AsOfView, lookback_days: int = LOOKBACK_DAYS) -> pd.DataFrame:
    """Weekly (Monday) snapshots before the view's day of deals whose outcome was known by then,
    with the outcome: label 1 won, 0 lost; closed_day and won_amount for timing and amount changes."""
    snaps = view.snapshots
    days = snaps["day"].to_numpy("float64")
    keep = (days < view.day) & (days >= view.day - lookback_days) & ((days + _MONDAY_SHIFT) % 7 == 0)
    rows = snaps[keep]
    outcome = view.closed[["deal_id", "status", "closed_day", "amount_corporate"]].rename(
        columns={"amount_corporate": "won_amount"})
    rows = rows.merge(outcome, on="deal_id", how="inner")
    rows = rows[rows["day"] < rows["closed_day"]].reset_index(drop=True)
    rows["label"] = (rows["status"] == "won").astype("float64")
    return rows


@dataclass
class LearntModels:
    """The learnt pieces of the forecast, all trained as of `trained_on`."""

    trained_on: date
    stage: StageConversion
    slip: SlipModel
    deal: DealModel | None
    training_rows: int

    def win_probability(self, open_rows: pd.DataFrame, features: pd.DataFrame) -> np.ndarray:
        """Deal-model probability; the stage win rate when there was too little history to train."""
        if self.deal is not None:
            return self.deal.predict(features)
        return self.stage.win_probability(open_rows["stage_order"].to_numpy("float64"))


def train_models(view: AsOfView, seed: int = 0) -> LearntModels:
    """Train every learnt component on the point-in-time view."""
    rows = training_rows(view)
    stage = StageConversion.fit(view)
    slip = SlipModel.fit(rows[rows["label"] == 1])
    deal = None
    if len(rows):
        features = deal_features(rows, view)
        deal = fit_deal_model(features, rows["label"].to_numpy(), rows["deal_id"], seed=seed)
    return LearntModels(view.as_of, stage, slip, deal, len(rows))
