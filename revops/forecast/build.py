"""The forecast builder: read the marts, compute every forecast table as of a day, write the forecast
schema. The maths lives in the other modules; this one only wires them together."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd
from threadpoolctl import threadpool_limits

from revops.forecast.asof import AsOfView, as_of_view
from revops.forecast.backtest import backtest_periods_for, run_backtest
from revops.forecast.deal_model import explain
from revops.forecast.leads import lead_backtest, score_open_mqls, train_lead_model
from revops.forecast.marts import Marts, day_to_date, load_marts
from revops.forecast.methods import OpenDealEstimates, Period, estimate_open_deals, period_forecasts
from revops.forecast.models import LearntModels, train_models
from revops.forecast.periods import fiscal_quarter_start, month_start, next_period_start
from revops.forecast.scopes import ScopeResolver
from revops.forecast.summary import QuotaKey, forecast_summary, method_scores
from revops.forecast.tables import write_tables
from revops.forecast.timing import OPEN_STAGES
from revops.forecast.waterfall import waterfall

BACKTEST_SIMULATIONS = 1000  # back-tests score the simulation's mean, which needs fewer draws


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def current_periods(as_of: date, fiscal_year_start_month: int) -> list[Period]:
    """The current and next fiscal quarter and the current month."""
    q = fiscal_quarter_start(as_of, fiscal_year_start_month)
    nq = next_period_start(q, "quarter")
    m = month_start(as_of)
    return [Period("quarter", q, nq), Period("quarter", nq, next_period_start(nq, "quarter")),
            Period("month", m, next_period_start(m, "month"))]


class _ModelCache:
    """Models trained at fixed training days; a snapshot uses the latest training day not after it."""

    def __init__(self, marts: Marts, training_days: list[date], seed: int) -> None:
        self.marts, self.days, self.seed = marts, sorted(set(training_days)), seed
        self.trained: dict[date, LearntModels] = {}

    def __call__(self, when: date) -> LearntModels:
        usable = [d for d in self.days if d <= when]
        if not usable:
            raise ValueError(f"no training day on or before {when}; training days start {self.days[0]}")
        day = usable[-1]
        if day not in self.trained:
            self.trained[day] = train_models(as_of_view(self.marts, day), seed=self.seed)
        return self.trained[day]


def _register_scopes(resolver: ScopeResolver, marts: Marts) -> None:
    cols = ["owner_rep_id", "segment", "source"]
    resolver.memberships(marts.deals[cols].drop_duplicates())
    resolver.memberships(marts.pipeline[cols].drop_duplicates())


def _deal_scores(view: AsOfView, est: OpenDealEstimates, models: LearntModels, quarter: Period) -> pd.DataFrame:
    deals = est.deals
    if models.deal is not None:
        factors = explain(models.deal, est.features)
    else:
        factors = ["too little closed history to train the deal model; stage win rate used"] * len(deals)
    timing = models.slip.close_probability(deals["ecd_day"].to_numpy("float64"), view.day, quarter.start_day,
                                           quarter.end_day)
    ecd = [day_to_date(d) if not pd.isna(d) else None for d in deals["ecd_day"]]
    return pd.DataFrame({
        "as_of_date": view.as_of, "deal_id": deals["deal_id"], "source": deals["source"],
        "owner_rep_id": deals["owner_rep_id"], "stage": deals["stage"], "amount_corporate": deals["amount_corporate"],
        "crm_probability": deals["probability"], "win_probability": est.win_probability,
        "expected_close_date": ecd, "top_factors": factors, "stage_win_probability": est.stage_probability,
        "win_this_quarter_probability": est.win_probability * timing,
    })


def _metrics(as_of: date, models: LearntModels, lead_metrics: dict[str, float], lead_rows: int,
             accuracy: pd.DataFrame) -> pd.DataFrame:
    rows: list[tuple[str, str, float]] = []
    if models.deal is not None:
        rows += [("deal_model", k, v) for k, v in models.deal.metrics.items()]
    rows.append(("deal_model", "snapshot_rows", float(models.training_rows)))
    rows.append(("deal_model", "training_deals", float(models.training_deals)))
    for k in OPEN_STAGES:
        rows.append(("stage_conversion", f"win_rate_stage_{k}", models.stage.win_rate[k]))
        rows.append(("stage_conversion", f"deals_stage_{k}", float(models.stage.deals[k])))
    rows += [("lead_model", k, v) for k, v in lead_metrics.items()]
    rows.append(("lead_model", "training_rows", float(lead_rows)))
    scores = method_scores(accuracy)
    for rec in scores[scores["scope_type"] == "company"].itertuples(index=False):
        rows.append((rec.method, f"backtest_accuracy_{rec.grain}", float(rec.accuracy)))
        rows.append((rec.method, f"backtest_bias_{rec.grain}", float(rec.bias)))
    return pd.DataFrame([{"model": m, "metric": k, "value": v, "as_of_date": as_of} for m, k, v in rows])


def compute_forecast(marts: Marts, *, as_of: date, fiscal_year_start_month: int, corporate_currency: str,
                     seed: int = 0, simulations: int = 5000, backtest_periods: int = 6) -> dict[str, pd.DataFrame]:
    """Every forecast table as a frame (pure: reads only the given marts)."""
    resolver = ScopeResolver.from_reps(marts.reps)
    _register_scopes(resolver, marts)
    now_periods = current_periods(as_of, fiscal_year_start_month)
    past_periods = backtest_periods_for(as_of, backtest_periods, fiscal_year_start_month)
    models_at = _ModelCache(marts, [p.start for p in past_periods] + [as_of], seed)

    view = as_of_view(marts, as_of)
    models = models_at(as_of)
    est = estimate_open_deals(view, models)
    current = period_forecasts(view, models, now_periods, resolver, simulations=simulations, seed=seed,
                               estimates=est)
    current["period_end"] = [next_period_start(s, g) for s, g in zip(current["period_start"], current["grain"],
                                                                     strict=True)]
    accuracy = run_backtest(marts, resolver, past_periods, models_at,
                            simulations=min(simulations, BACKTEST_SIMULATIONS), seed=seed)

    waterfalls = [waterfall(marts, resolver, p, p.end) for p in past_periods]
    waterfalls += [waterfall(marts, resolver, p, as_of) for p in now_periods if p.start <= as_of]
    quotas: dict[QuotaKey, float] = {}
    for p in now_periods:
        for (stype, sid), value in resolver.quota_by_scope(marts.quotas, p.start_day, p.end_day).items():
            quotas[(stype, sid, p.start, p.grain)] = value
    summary = forecast_summary(current, accuracy, quotas, corporate_currency=corporate_currency,
                               fiscal_year_start_month=fiscal_year_start_month)

    lead_model = train_lead_model(view)
    lead_bt, lead_metrics = lead_backtest(marts, view.day, backtest_periods)
    calibration = (models.deal.reliability.assign(as_of_date=as_of) if models.deal is not None
                   else pd.DataFrame())
    return {
        "period_forecasts": current,
        "deal_scores": _deal_scores(view, est, models, now_periods[0]),
        "forecast_accuracy": accuracy,
        "pipeline_waterfall": pd.concat(waterfalls, ignore_index=True) if waterfalls else pd.DataFrame(),
        "forecast_summary": summary,
        "win_model_calibration": calibration,
        "model_metrics": _metrics(as_of, models, lead_metrics, lead_model.training_rows, accuracy),
        "lead_scores": score_open_mqls(view, lead_model),
        "lead_score_backtest": lead_bt,
    }


def build_forecast(con: duckdb.DuckDBPyConnection, *, as_of: date, fiscal_year_start_month: int,
                   corporate_currency: str, seed: int = 0, simulations: int = 5000,
                   backtest_periods: int = 6) -> dict[str, int]:
    """Create or replace the forecast.* tables as of `as_of`; returns rows written per table."""
    as_of = _as_date(as_of)
    if simulations < 1:
        raise ValueError(f"simulations={simulations}: forecast.simulations in revops.yml must be at least 1")
    if backtest_periods < 1:
        raise ValueError(f"backtest_periods={backtest_periods}: forecast.backtest_periods must be at least 1")
    if not corporate_currency or not str(corporate_currency).strip():
        raise ValueError("corporate_currency is empty: set company.corporate_currency in revops.yml")
    # Compact: the daily pipeline complete on the days the forecast views, elsewhere only its changes.
    marts = load_marts(con, complete_days=[as_of])
    # One OpenMP thread: the many small model fits and predictions of a back-test are slower with
    # thread barriers than without, badly so on a shared machine, and results stay reproducible.
    with threadpool_limits(limits=1, user_api="openmp"):
        frames = compute_forecast(marts, as_of=as_of, fiscal_year_start_month=fiscal_year_start_month,
                                  corporate_currency=str(corporate_currency).strip(), seed=seed,
                                  simulations=simulations, backtest_periods=backtest_periods)
    return write_tables(con, frames)
