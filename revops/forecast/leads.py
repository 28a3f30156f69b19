"""Lead scoring: the probability that an MQL becomes an SQL within the conversion window, from what was
known at the MQL moment: source, the account's segment, activity on the account before the MQL, the
time from creation to MQL, and the owner's past MQL-to-SQL rate (on cohorts already mature then)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from revops.forecast.asof import AsOfView, as_of_view
from revops.forecast.events import DatedIndex, codes_of
from revops.forecast.features import SEGMENTS
from revops.forecast.marts import Marts, day_number, day_to_date
from revops.forecast.periods import completed_periods

WINDOW_DAYS = 90  # an MQL converts when it reaches SQL within this many days (kpis.md maturity window)
LOOKBACK_DAYS = 730
MIN_ROWS = 50
SOURCES = ("salesforce", "hubspot", "pipedrive")
LEAD_FEATURES = (
    [f"source_{s}" for s in SOURCES] + [f"segment_{s}" for s in SEGMENTS]
    + ["account_activities_30d", "account_activities_total", "days_created_to_mql", "owner_sql_rate",
       "owner_mature_mqls"]
)
_OWNER_PRIOR_WEIGHT = 10.0


def converted(people: pd.DataFrame) -> np.ndarray:
    """1 when the person reached SQL within the window after the MQL, else 0."""
    gap = people["sql_day"].to_numpy("float64") - people["mql_day"].to_numpy("float64")
    return np.asarray((~np.isnan(gap) & (gap <= WINDOW_DAYS)).astype("float64"))


def lead_features(people: pd.DataFrame, view: AsOfView) -> pd.DataFrame:
    """Features at each person's MQL day (which must be before the view's day)."""
    m = people["mql_day"].to_numpy("float64")
    out = pd.DataFrame(index=people.index)
    source = people["source"].astype(object).to_numpy()
    for s in SOURCES:
        out[f"source_{s}"] = (source == s).astype("float64")
    seg_of = view.accounts.drop_duplicates("account_id").set_index("account_id")["segment"]
    segment = people["account_id"].map(seg_of).astype(object).to_numpy()
    for s in SEGMENTS:
        out[f"segment_{s}"] = (segment == s).astype("float64")

    accounts = pd.Index(pd.unique(pd.concat([people["account_id"], view.activities["account_id"]])
                                  .dropna().astype(object)))
    acts = DatedIndex(codes_of(view.activities["account_id"], accounts), view.activities["day"].to_numpy("float64"))
    codes = codes_of(people["account_id"], accounts)
    out["account_activities_30d"] = acts.count_before(codes, m, since=m - 30)
    out["account_activities_total"] = acts.count_before(codes, m)
    out["days_created_to_mql"] = np.nan_to_num(m - people["created_day"].to_numpy("float64"), nan=0.0).clip(0, 3650)

    known = view.leads[view.leads["mql_day"].notna()]
    owners = pd.Index(pd.unique(pd.concat([people["owner_rep_id"], known["owner_rep_id"]]).dropna().astype(object)))
    # An MQL's outcome is known the day after its window closes.
    outcome = DatedIndex(codes_of(known["owner_rep_id"], owners),
                          known["mql_day"].to_numpy("float64") + WINDOW_DAYS + 1, weights=converted(known))
    o_codes = codes_of(people["owner_rep_id"], owners)
    mature = outcome.count_before(o_codes, m)
    conv = outcome.weight_before(o_codes, m)
    prior = _base_rate(view)
    out["owner_sql_rate"] = (conv + _OWNER_PRIOR_WEIGHT * prior) / (mature + _OWNER_PRIOR_WEIGHT)
    out["owner_mature_mqls"] = mature
    return out


def _mature(view: AsOfView) -> pd.DataFrame:
    leads = view.leads
    mask = leads["mql_day"].notna() & (leads["mql_day"] + WINDOW_DAYS < view.day) & \
        (leads["mql_day"] >= view.day - LOOKBACK_DAYS)
    return leads[mask].reset_index(drop=True)


def _base_rate(view: AsOfView) -> float:
    mature = _mature(view)
    return float(converted(mature).mean()) if len(mature) else 0.2


@dataclass
class LeadModel:
    """MQL-to-SQL model (None pipeline: too little history, the base rate is used)."""

    pipeline: Pipeline | None
    base_rate: float
    training_rows: int

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """SQL probability per row."""
        if len(features) == 0:
            return np.zeros(0)
        if self.pipeline is None:
            return np.full(len(features), self.base_rate)
        return np.asarray(self.pipeline.predict_proba(features[LEAD_FEATURES].to_numpy("float64"))[:, 1])


def train_lead_model(view: AsOfView) -> LeadModel:
    """Fit on MQLs whose conversion window had closed before the view's day."""
    mature = _mature(view)
    y = converted(mature)
    base = float(y.mean()) if len(y) else 0.2
    if len(mature) < MIN_ROWS or len(np.unique(y)) < 2:
        return LeadModel(None, base, len(mature))
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    model.fit(lead_features(mature, view)[LEAD_FEATURES].to_numpy("float64"), y)
    return LeadModel(model, base, len(mature))


def score_open_mqls(view: AsOfView, model: LeadModel) -> pd.DataFrame:
    """Rows of forecast.lead_scores: MQLs still inside their window and not yet SQL."""
    leads = view.leads
    mask = leads["mql_day"].notna() & leads["sql_day"].isna() & (leads["mql_day"] >= view.day - WINDOW_DAYS)
    people = leads[mask].reset_index(drop=True)
    p = model.predict(lead_features(people, view))
    return pd.DataFrame({"as_of_date": view.as_of, "person_id": people["person_id"], "email": people["email"],
                         "mql_at": people["mql_at"], "sql_probability": p})


def lead_backtest(marts: Marts, as_of_day: int, count: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per mature monthly MQL cohort: a model trained as of the cohort start scores the cohort; compared
    with the conversions known today. Returns the rows of forecast.lead_score_backtest and pooled metrics."""
    as_of = day_to_date(as_of_day)
    # Mature cohorts only: the window of the cohort's last MQL has closed by the as-of day.
    candidates = completed_periods(as_of, "month", count + WINDOW_DAYS // 28 + 2)
    cohorts = [(s, e) for s, e in candidates if day_number(e) + WINDOW_DAYS <= as_of_day][-count:]
    rows, ys, ps, bases = [], [], [], []
    leads = marts.leads
    for start, end in cohorts:
        model = train_lead_model(as_of_view(marts, start))
        at_end = as_of_view(marts, end)
        s, e = day_number(start), day_number(end)
        cohort = leads[(leads["mql_day"] >= s) & (leads["mql_day"] < e)].reset_index(drop=True)
        y = converted(cohort)
        p = model.predict(lead_features(cohort, at_end))
        both = len(np.unique(y)) == 2
        rows.append({"cohort_period": start, "mqls": len(cohort), "predicted_sql": float(p.sum()),
                     "actual_sql": float(y.sum()),
                     "brier": float(np.mean((y - p) ** 2)) if len(y) else np.nan,
                     "auc": float(roc_auc_score(y, p)) if both else np.nan})
        ys.append(y)
        ps.append(p)
        bases.append(np.full(len(y), model.base_rate))
    frame = pd.DataFrame(rows, columns=["cohort_period", "mqls", "predicted_sql", "actual_sql", "brier", "auc"])
    metrics: dict[str, float] = {}
    if ys and sum(len(y) for y in ys):
        y, p, b = np.concatenate(ys), np.concatenate(ps), np.concatenate(bases)
        metrics = {"brier": float(np.mean((y - p) ** 2)), "brier_constant": float(np.mean((y - b) ** 2)),
                   "auc": float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan"),
                   "test_rows": float(len(y)), "cohorts": float(len(cohorts))}
    return frame, metrics
