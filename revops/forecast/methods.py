"""Period forecasts as of one day, per scope, by every method of the ladder:

- weighted_pipeline: closed won to date + sum of amount x CRM probability over open deals whose
  expected close date (as known then) is in the period and not before the as-of day;
- category_commit / category_best_case: closed won to date + open amount in the commit (and best case)
  forecast categories over the same deals; an open deal still flagged `closed` counts as commit;
  `pipeline` and `omitted` deals are tracked in their own columns, never in the forecast;
- stage_conversion: closed won to date + amount x the share of past deals at the same stage, after
  as many days in it, that were won inside the period's window (see timing.StageConversion);
- deal_model: closed won to date + amount x mean won/pipeline amount ratio x calibrated probability
  that the deal is won within the horizon x the chance that the win lands in the period given the slip
  history of close dates;
- monte_carlo: the distribution of closed won to date + simulated wins (mean, P10, P50, P90).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from revops.forecast.asof import AsOfView
from revops.forecast.features import deal_features
from revops.forecast.marts import day_number
from revops.forecast.models import LearntModels
from revops.forecast.montecarlo import quantiles, simulate_open_outcomes
from revops.forecast.scopes import ScopeResolver

METHODS = ("weighted_pipeline", "category_commit", "category_best_case", "stage_conversion", "deal_model",
           "monte_carlo")


@dataclass(frozen=True)
class Period:
    """A forecast period [start, end) of one grain."""

    grain: str
    start: date
    end: date

    @property
    def start_day(self) -> int:
        """Start as a day number."""
        return day_number(self.start)

    @property
    def end_day(self) -> int:
        """End (exclusive) as a day number."""
        return day_number(self.end)


@dataclass
class OpenDealEstimates:
    """Per open deal at the as-of day: the model inputs and outputs the methods share."""

    deals: pd.DataFrame
    features: pd.DataFrame
    win_probability: np.ndarray
    stage_probability: np.ndarray


def estimate_open_deals(view: AsOfView, models: LearntModels) -> OpenDealEstimates:
    """Features and win probabilities of the deals open at the view's day."""
    deals = view.open_deals.reset_index(drop=True)
    features = deal_features(deals, view)
    p_deal = models.win_probability(deals, features) if len(deals) else np.zeros(0)
    p_stage = models.stage.win_probability(deals["stage_order"].to_numpy("float64"))
    return OpenDealEstimates(deals, features, np.asarray(p_deal, dtype="float64"), p_stage)


def period_forecasts(
    view: AsOfView,
    models: LearntModels,
    periods: list[Period],
    resolver: ScopeResolver,
    *,
    simulations: int,
    seed: int,
    estimates: OpenDealEstimates | None = None,
) -> pd.DataFrame:
    """One row per period, scope and method (columns of forecast.period_forecasts plus category
    amounts), for every scope the resolver knows."""
    est = estimates if estimates is not None else estimate_open_deals(view, models)
    open_ = est.deals
    day = view.day
    won = view.closed[view.closed["status"] == "won"].reset_index(drop=True)
    o_rows, o_idx = resolver.memberships(open_)
    w_rows, w_idx = resolver.memberships(won)
    n_scopes = len(resolver.scopes)

    def by_scope(rows: np.ndarray, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
        weights = np.nan_to_num(np.asarray(values, dtype="float64"))[rows] if len(rows) else np.zeros(0)
        return np.bincount(idx, weights=weights, minlength=n_scopes)

    amount = open_["amount_corporate"].to_numpy("float64")
    prob = open_["probability"].to_numpy("float64")
    ecd = open_["ecd_day"].to_numpy("float64")
    category = open_["forecast_category"].astype(object).to_numpy()
    stage = open_["stage_order"].to_numpy("float64")
    in_stage = open_["days_in_stage"].to_numpy("float64")
    won_amount = won["amount_corporate"].to_numpy("float64")
    won_day = won["closed_day"].to_numpy("float64")

    bounds = [(p.start_day, p.end_day) for p in periods]
    membership = resolver.matrix(open_)
    sims = simulate_open_outcomes(amount, est.win_probability, ecd, day, models.slip, bounds, membership,
                                  simulations, seed=[seed, day])

    frames = []
    for i, period in enumerate(periods):
        start, end = bounds[i]
        closed_to_date = by_scope(w_rows, w_idx, won_amount * ((won_day >= start) & (won_day < end)))
        crm = (ecd >= max(start, day)) & (ecd < end)
        pipe = amount * crm
        commit = by_scope(o_rows, o_idx, pipe * np.isin(category, ["commit", "closed"]))
        best = by_scope(o_rows, o_idx, pipe * (category == "best_case"))
        stage_p = models.stage.win_in_window(stage, in_stage, day, start, end)
        deal_p = est.win_probability * models.slip.close_probability(ecd, day, start, end)
        mc = quantiles(sims[i] + closed_to_date[:, None])
        expected = {
            "weighted_pipeline": by_scope(o_rows, o_idx, pipe * np.nan_to_num(prob)),
            "category_commit": commit,
            "category_best_case": commit + best,
            "stage_conversion": by_scope(o_rows, o_idx, amount * stage_p),
            "deal_model": by_scope(o_rows, o_idx, amount * deal_p * models.slip.mean_amount_ratio),
        }
        base = pd.DataFrame({
            "as_of_date": view.as_of, "grain": period.grain, "period_start": period.start,
            "scope_type": [s[0] for s in resolver.scopes[:n_scopes]],
            "scope_id": [s[1] for s in resolver.scopes[:n_scopes]],
            "closed_won_to_date": closed_to_date,
            "open_pipeline": by_scope(o_rows, o_idx, pipe),
            "commit_pipeline": commit, "best_case_pipeline": best,
            "pipeline_category_pipeline": by_scope(o_rows, o_idx, pipe * (category == "pipeline")),
            "omitted_pipeline": by_scope(o_rows, o_idx, pipe * (category == "omitted")),
        })
        for method in METHODS:
            frame = base.copy()
            frame["method"] = method
            if method == "monte_carlo":
                frame["forecast"] = mc["mean"]
                frame["p10"], frame["p50"], frame["p90"] = mc["p10"], mc["p50"], mc["p90"]
            else:
                frame["forecast"] = closed_to_date + expected[method]
                frame["p10"] = frame["p50"] = frame["p90"] = np.nan
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
