"""Deal-level win probability: gradient boosting on point-in-time snapshot features, calibrated on a
held-out group of deals, evaluated on another, and explained deal by deal in words.

The target is "won within the horizon after the snapshot" (see models.training_rows), so
`win_probability` in forecast.deal_scores reads as the chance the deal is won within the next
HORIZON_DAYS (190) days, which covers the end of the next fiscal quarter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

from revops.forecast.features import FEATURES, SEGMENTS

MIN_TRAINING_ROWS = 200
MIN_ISOTONIC_ROWS = 400  # below this the calibration split is too small for isotonic steps
PROBABILITY_FLOOR = 0.005
FOLDS = 5  # by deal: one fold evaluates, one calibrates, the rest fit
STAGE_NAMES = {1: "qualification", 2: "demo", 3: "proposal", 4: "negotiation"}
_GROUPS: dict[str, list[str]] = {
    "stage": ["stage_order"],
    "crm_probability": ["crm_probability"],
    # Recency and volume move together (a quiet deal has both); resetting one alone understates both.
    "activity": ["days_since_activity", "activities_total", "activities_30d"],
    "pushes": ["close_date_pushes"],
    "amount_cuts": ["amount_cuts"],
    "time_in_stage": ["days_in_stage"],
    "age": ["age_days"],
    "owner": ["owner_win_rate"],
    "amount": ["log_amount"],
    "segment": [f"segment_{s}" for s in SEGMENTS],
    "close_date": ["days_to_close"],
}


def _safe_auc(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    return float(roc_auc_score(y, p, sample_weight=w)) if len(np.unique(y)) == 2 else float("nan")


@dataclass
class DealModel:
    """A fitted, calibrated win-probability model with its held-out evaluation."""

    classifier: HistGradientBoostingClassifier
    calibrator: IsotonicRegression | LogisticRegression
    calibration_method: str
    baseline: pd.Series
    metrics: dict[str, float]
    reliability: pd.DataFrame

    def raw(self, features: pd.DataFrame) -> np.ndarray:
        """Uncalibrated scores."""
        if len(features) == 0:
            return np.zeros(0)
        return np.asarray(self.classifier.predict_proba(features[FEATURES].to_numpy("float64"))[:, 1])

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated win probabilities."""
        raw = self.raw(features)
        if len(raw) == 0:
            return raw
        if isinstance(self.calibrator, IsotonicRegression):
            p = self.calibrator.predict(raw)
        else:
            p = self.calibrator.predict_proba(_logit(raw)[:, None])[:, 1]
        # An empty or full top calibration bin would say 0% or 100%; no open deal is that certain.
        return np.asarray(np.clip(p, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def reliability_table(y: np.ndarray, p: np.ndarray, weights: np.ndarray, deal_ids: np.ndarray,
                      bins: int = 10) -> pd.DataFrame:
    """Reliability (calibration) table: equal-width probability bins, weighted mean prediction against
    the weighted observed rate, and the number of distinct deals with a snapshot in the bin."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    rows = []
    for b in range(bins):
        m = which == b
        has = bool(m.any())
        rows.append({"bin": b, "bin_lower": edges[b], "bin_upper": edges[b + 1],
                     "predicted_mean": float(np.average(p[m], weights=weights[m])) if has else np.nan,
                     "observed_rate": float(np.average(y[m], weights=weights[m])) if has else np.nan,
                     "deals": int(len(pd.unique(deal_ids[m])))})
    return pd.DataFrame(rows)


def fit_deal_model(features: pd.DataFrame, labels: np.ndarray, deal_ids: pd.Series,
                   seed: int = 0) -> DealModel | None:
    """Fit on 3/5 of the deals, calibrate on 1/5, evaluate on the last 1/5 (split by deal, so no deal's
    snapshots sit on both sides). Each deal weighs the same whatever its number of weekly snapshots, so
    long-lived deals do not dominate and the model cannot memorise a deal through its amount.
    None when there is too little labelled history."""
    y = np.asarray(labels, dtype="float64")
    if len(y) < MIN_TRAINING_ROWS or len(np.unique(y)) < 2:
        return None
    ids = deal_ids.astype(object)
    unique = pd.unique(ids)
    order = np.random.default_rng(seed).permutation(len(unique))
    fold = ids.map(dict(zip(unique[order], np.arange(len(unique)) % FOLDS, strict=True))).to_numpy()
    weight = 1.0 / ids.map(ids.value_counts()).to_numpy("float64")
    test, cal, fit = fold == 0, fold == 1, fold >= 2
    if len(np.unique(y[fit])) < 2 or len(np.unique(y[cal])) < 2:
        return None
    x = features[FEATURES].to_numpy("float64")
    # Small, heavily regularised trees: weekly snapshots of one deal are near copies, so the effective
    # sample is the number of deals, and spurious splits (say on one large deal's amount) must not pass.
    min_leaf = int(np.clip(fit.sum() // 15, 40, 400))
    clf = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=8,
                                         min_samples_leaf=min_leaf, l2_regularization=5.0, early_stopping=False,
                                         random_state=seed)
    clf.fit(x[fit], y[fit], sample_weight=weight[fit])
    raw_cal = clf.predict_proba(x[cal])[:, 1]
    calibrator: IsotonicRegression | LogisticRegression
    if cal.sum() >= MIN_ISOTONIC_ROWS:
        calibrator, method = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0), "isotonic"
        calibrator.fit(raw_cal, y[cal], sample_weight=weight[cal])
    else:
        calibrator, method = LogisticRegression(C=1e6), "sigmoid"
        calibrator.fit(_logit(raw_cal)[:, None], y[cal], sample_weight=weight[cal])
    baseline = features.loc[fit, FEATURES].median()
    model = DealModel(clf, calibrator, method, baseline, {}, pd.DataFrame())
    p_test = model.predict(features.loc[test])
    y_test, w_test = y[test], weight[test]
    base_rate = float(np.average(y[fit | cal], weights=weight[fit | cal]))
    crm = features.loc[test, "crm_probability"].to_numpy("float64")
    crm = np.clip(np.where(np.isnan(crm), base_rate, crm), 0, 1)
    has_test = bool(test.any())

    def brier(p: np.ndarray | float) -> float:
        return float(np.average((y_test - p) ** 2, weights=w_test)) if has_test else float("nan")

    model.metrics = {
        "brier": brier(p_test),
        "brier_constant": brier(base_rate),
        "brier_crm_probability": brier(crm),
        "auc": _safe_auc(y_test, p_test, w_test),
        "auc_crm_probability": _safe_auc(y_test, crm, w_test),
        "log_loss": float(log_loss(y_test, np.clip(p_test, 1e-6, 1 - 1e-6), sample_weight=w_test, labels=[0, 1]))
        if has_test else float("nan"),
        "training_rows": float(fit.sum()),
        "calibration_rows": float(cal.sum()),
        "test_rows": float(test.sum()),
        "test_deals": float(len(pd.unique(ids[test]))),
        "positive_rate": base_rate,
        "isotonic_calibration": 1.0 if method == "isotonic" else 0.0,
    }
    model.reliability = reliability_table(y_test, p_test, w_test, ids[test].to_numpy())
    return model


def _money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def _describe(group: str, row: pd.Series) -> str:
    stage = STAGE_NAMES.get(int(row["stage_order"]) if not pd.isna(row["stage_order"]) else -1, "unknown stage")
    if group == "stage":
        return f"stage {stage}"
    if group == "crm_probability":
        return f"CRM probability {row['crm_probability']:.0%}" if not pd.isna(row["crm_probability"]) \
            else "no CRM probability"
    if group == "activity":
        days, recent = int(row["days_since_activity"]), int(row["activities_30d"])
        if days >= 14:
            return f"no activity in {days} days"
        last = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
        return f"{recent} activit{'ies' if recent != 1 else 'y'} in the last 30 days, the last {last}"
    if group == "pushes":
        n = int(row["close_date_pushes"])
        return f"close date pushed {n} time{'s' if n != 1 else ''}" if n else "close date never pushed"
    if group == "amount_cuts":
        n = int(row["amount_cuts"])
        return f"amount cut {n} time{'s' if n != 1 else ''}" if n else "amount never cut"
    if group == "time_in_stage":
        return f"{int(row['days_in_stage'])} days in {stage}"
    if group == "age":
        return f"open for {int(row['age_days'])} days"
    if group == "owner":
        return f"owner's win rate {row['owner_win_rate']:.0%} over {int(row['owner_closed_deals'])} closed deals"
    if group == "amount":
        return f"amount {_money(float(np.expm1(row['log_amount'])))}"
    if group == "segment":
        seg = next((s for s in SEGMENTS if row[f"segment_{s}"] == 1), "unknown")
        return f"{seg} segment"
    days = row["days_to_close"]
    if pd.isna(days):
        return "no expected close date"
    return f"expected to close in {int(days)} days" if days >= 0 else f"close date passed {int(-days)} days ago"


def explain(model: DealModel, features: pd.DataFrame, top: int = 3, min_effect: float = 0.005) -> list[str]:
    """Per deal, its main factors in words with their effect in probability points: each factor is
    reset to the typical training value and the change in the calibrated probability is its effect."""
    if len(features) == 0:
        return []
    p = model.predict(features)
    effects = {}
    for group, cols in _GROUPS.items():
        reference = features.copy()
        for c in cols:
            reference[c] = model.baseline[c]
        effects[group] = p - model.predict(reference)
    names = list(effects)
    matrix = np.column_stack([effects[g] for g in names])
    out: list[str] = []
    for i in range(len(features)):
        order = np.argsort(-np.abs(matrix[i]), kind="stable")[:top]
        row = features.iloc[i]
        parts = [f"{_describe(names[j], row)} ({matrix[i, j] * 100:+.0f} pts)" for j in order
                 if abs(matrix[i, j]) >= min_effect]
        out.append("; ".join(parts) if parts else "no factor moves the probability by more than half a point")
    return out
