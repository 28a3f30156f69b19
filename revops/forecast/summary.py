"""The recommended forecast per scope and period: the method with the best back-tested accuracy for
that scope and grain (at least MIN_PERIODS back-tested periods), else the company's best method, with a
P10-P90 range and one sentence a VP Sales can read out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.forecast.methods import METHODS
from revops.forecast.periods import fiscal_quarter_label

MIN_PERIODS = 2
METHOD_NAMES = {
    "weighted_pipeline": "the CRM-weighted pipeline", "category_commit": "the commit category roll-up",
    "category_best_case": "the best-case category roll-up", "stage_conversion": "historical stage conversion",
    "deal_model": "the deal win-probability model", "monte_carlo": "the Monte Carlo simulation",
}


def method_scores(accuracy: pd.DataFrame) -> pd.DataFrame:
    """Per grain, scope and method: mean accuracy and bias over all back-test points, and the number of
    periods with an accuracy."""
    cols = ["grain", "scope_type", "scope_id", "method", "accuracy", "bias", "periods"]
    if accuracy.empty:
        return pd.DataFrame(columns=cols)
    valid = accuracy[accuracy["accuracy"].notna()]
    grouped = valid.groupby(["grain", "scope_type", "scope_id", "method"], as_index=False).agg(
        accuracy=("accuracy", "mean"), bias=("bias", "mean"), periods=("period_start", "nunique"))
    return grouped[cols]


def _best(scores: pd.DataFrame) -> pd.Series | None:
    ok = scores[scores["periods"] >= MIN_PERIODS]
    if ok.empty:
        return None
    rank = ok.assign(order=ok["method"].map({m: i for i, m in enumerate(METHODS)}))
    return rank.sort_values(["accuracy", "order"], ascending=[False, True]).iloc[0]


def _money(value: float, currency: str) -> str:
    if value is None or np.isnan(value):
        return "n/a"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}M {currency}"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f}k {currency}"
    return f"{value:,.0f} {currency}"


def _period_label(grain: str, start: object, fiscal_year_start_month: int) -> str:
    if grain == "quarter":
        return f"{fiscal_quarter_label(start, fiscal_year_start_month)} (from {start})"  # type: ignore[arg-type]
    return f"{start:%B %Y}"


QuotaKey = tuple[str, str, object, str]  # scope type, scope id, period start, grain


def forecast_summary(current: pd.DataFrame, accuracy: pd.DataFrame, quotas: dict[QuotaKey, float],
                     *, corporate_currency: str, fiscal_year_start_month: int) -> pd.DataFrame:
    """Rows of forecast.forecast_summary from the as-of forecasts and the back-test."""
    scores = method_scores(accuracy)
    rows = []
    keys = current[["grain", "period_start", "scope_type", "scope_id"]].drop_duplicates()
    by_key = {k: g for k, g in current.groupby(["grain", "period_start", "scope_type", "scope_id"], sort=False)}
    for grain, start, stype, sid in keys.itertuples(index=False):
        forecasts = by_key[(grain, start, stype, sid)].set_index("method")
        mine = scores[(scores["grain"] == grain) & (scores["scope_type"] == stype) & (scores["scope_id"] == sid)]
        company = scores[(scores["grain"] == grain) & (scores["scope_type"] == "company")]
        best, basis = _best(mine), "scope"
        if best is None:
            best, basis = _best(company), "company"
        method = str(best["method"]) if best is not None else "monte_carlo"
        # Accuracy and bias of the basis the method was chosen on (this scope, or the company).
        acc = float(best["accuracy"]) if best is not None else np.nan
        bias = float(best["bias"]) if best is not None else np.nan
        periods = int(best["periods"]) if best is not None else 0
        recommended = float(forecasts.loc[method, "forecast"])
        won = float(forecasts.loc[method, "closed_won_to_date"])
        mc = forecasts.loc["monte_carlo"]
        if method == "monte_carlo":
            p10, p90 = float(mc["p10"]), float(mc["p90"])
        else:
            # The simulation's spread, centred on the recommended number; never below what is won.
            p10 = max(won, recommended - (float(mc["p50"]) - float(mc["p10"])))
            p90 = recommended + (float(mc["p90"]) - float(mc["p50"]))
        quota = quotas.get((stype, sid, start, grain))
        label = _period_label(grain, start, fiscal_year_start_month)
        scope_text = "the company" if stype == "company" else f"{stype} {sid}"
        text = (f"{label}, {scope_text}: expect {_money(recommended, corporate_currency)} "
                f"(P10 {_money(p10, corporate_currency)} to P90 {_money(p90, corporate_currency)}), "
                f"of which {_money(won, corporate_currency)} is already won")
        if quota:
            text += f"; that is {recommended / quota:.0%} of the {_money(quota, corporate_currency)} quota"
        text += f". Method: {METHOD_NAMES[method]}"
        if best is None:
            text += ", not back-tested yet (no completed period with revenue)."
        else:
            text += f", {acc:.0%} accurate with a {bias:+.0%} bias over {periods} back-tested {grain}s"
            text += " of the whole company (too little history for this scope)." if basis == "company" else "."
        rows.append({"as_of_date": forecasts["as_of_date"].iloc[0], "grain": grain, "period_start": start,
                     "scope_type": stype, "scope_id": sid, "recommended": recommended, "p10": p10, "p90": p90,
                     "method": method, "method_accuracy": acc, "method_bias": bias,
                     "periods_backtested": periods, "method_basis": basis, "closed_won_to_date": won,
                     "quota": quota if quota else np.nan, "summary": text})
    return pd.DataFrame(rows)
