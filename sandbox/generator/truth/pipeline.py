"""Ground truth of the pipeline KPIs (docs/kpis.md), computed from the world at its cutoff.

Rows: grain (week / month / quarter), period_start, scope_type, scope_id, kpi, value, numerator,
denominator, for every period inside the world's span that ended on or before as_of. The company
scope has a row for every period and KPI (counts 0, ratios NULL when the denominator is 0); other
scopes have a row where the scope has data for that KPI in the period.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import settings as S
from ..activities import CALL, EMAIL, MEETING, PROPOSAL
from ..rendering.inputs import visible_quotas
from ..timeutil import DAY, add_months, date_of, day_of, period_start_days, periods
from ..world import World
from .frames import Rates, activity_frame, deal_frame, people_scopes, person_frame, probability, snapshot

GRAINS = ("week", "month", "quarter")
ALL_SCOPES = ("company", "team", "rep", "segment", "source")
QUOTA_SCOPES = ("company", "team", "rep")


def ratio(num: Any, den: Any) -> Any:
    """num / den, NULL (NaN) where the denominator is 0; works on scalars and arrays."""
    num_a, den_a = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den_a != 0, num_a / np.where(den_a != 0, den_a, 1), np.nan)
    return float(out) if out.ndim == 0 else out


NONE = np.nan
KpiFn = Callable[[pd.DataFrame], tuple[object, object, object]]


class Emitter:
    """Collects rows for one grain."""

    def __init__(self, grain: str, period_list: list[tuple[int, int]]) -> None:
        self.grain = grain
        self.periods = period_list
        self.starts = {ps for ps, _ in period_list}
        self.chunks: list[pd.DataFrame] = []

    def table(self, df: pd.DataFrame, day_col: str, scopes: tuple[str, ...], fy: int,
              aggs: dict[str, tuple[str, str]]) -> dict[str, pd.DataFrame]:
        """Aggregates per (period start, scope id) for each scope."""
        p = period_start_days(self.grain, df[day_col].to_numpy(), fy) if len(df) else np.empty(0, np.int64)
        out = {}
        for scope in scopes:
            key = np.full(len(df), "all", dtype=object) if scope == "company" else df[scope].to_numpy()
            if len(df):
                out[scope] = df.assign(_p=p, _k=key).groupby(["_p", "_k"], sort=True).agg(**aggs)
            else:
                out[scope] = pd.DataFrame(columns=list(aggs), dtype=float,
                                          index=pd.MultiIndex.from_arrays([[], []], names=["_p", "_k"]))
        return out

    def rows_for(self, scope: str, g: pd.DataFrame, fill: dict[str, float] | None) -> pd.DataFrame:
        """The company scope on every period (filled), other scopes where they have data."""
        if scope == "company":
            idx = pd.MultiIndex.from_tuples([(ps, "all") for ps, _ in self.periods], names=["_p", "_k"])
            g = g.reindex(idx)
            return g.fillna(fill) if fill is not None else g
        lvl0, lvl1 = g.index.get_level_values(0), g.index.get_level_values(1)
        return g[np.asarray(lvl0.isin(list(self.starts))) & np.asarray(lvl1 != "")]

    def emit(self, tables: dict[str, pd.DataFrame], kpi: str, fn: KpiFn,
             fill: dict[str, float] | None = None) -> None:
        for scope, g in tables.items():
            g = self.rows_for(scope, g, fill)
            if len(g) == 0:
                continue
            value, num, den = fn(g)
            self.add(g.index.get_level_values(0), scope, g.index.get_level_values(1), kpi, value, num, den)

    def add(self, ps: Any, scope: str, sid: Any, kpi: str, value: Any, num: Any, den: Any) -> None:
        n = len(ps)

        def col(x: Any) -> np.ndarray:
            return np.full(n, np.nan) if x is None else np.broadcast_to(np.asarray(x, dtype=float), (n,))
        self.chunks.append(pd.DataFrame({
            "grain": self.grain, "period_start": np.asarray(ps, np.int64), "scope_type": scope,
            "scope_id": np.asarray(sid, dtype=object).astype(str), "kpi": kpi,
            "value": col(value), "numerator": col(num), "denominator": col(den)}))


def _period_list(world: World, grain: str) -> list[tuple[int, int]]:
    as_of = world.as_of if world.cutoff % DAY == 0 else date_of(world.cutoff // DAY)
    ps = periods(grain, date_of(world.start), as_of, world.fiscal_year_start_month)
    return [(day_of(a), day_of(b)) for a, b in ps]


def _prev_start(grain: str, ps: int) -> int:
    if grain == "week":
        return ps - 7
    return day_of(add_months(date_of(ps), -1 if grain == "month" else -3))


def kpi_values(world: World) -> pd.DataFrame:
    """All pipeline KPI rows of the world at its cutoff."""
    fy = world.fiscal_year_start_month
    deals = deal_frame(world)
    acts = activity_frame(world)
    people = person_frame(world)
    chunks: list[pd.DataFrame] = []
    for grain in GRAINS:
        em = Emitter(grain, _period_list(world, grain))
        _created(em, deals, fy)
        _conversion(em, deals, fy)
        _closed(em, deals, fy)
        _activities(em, acts, fy)
        _mql(em, people, fy)
        _snapshots(em, world, deals, fy)
        chunks.extend(em.chunks)
    chunks.append(_quarterly(world, deals))
    out = pd.concat([c for c in chunks if len(c)], ignore_index=True)
    out["period_start"] = out["period_start"].to_numpy().astype("datetime64[D]").astype(str)
    return out


def _created(em: Emitter, deals: pd.DataFrame, fy: int) -> None:
    t = em.table(deals, "created_day", ALL_SCOPES, fy, {"n": ("deal", "count"), "amt": ("amount_corp", "sum")})
    zero = {"n": 0.0, "amt": 0.0}
    em.emit(t, "opportunities_created", lambda g: (g["n"], g["n"], None), zero)
    em.emit(t, "opportunities_created_amount", lambda g: (g["amt"], g["amt"], None), zero)


def _conversion(em: Emitter, deals: pd.DataFrame, fy: int) -> None:
    zero = {"reached": 0.0, "passed": 0.0}
    for k, name in enumerate(S.STAGES[:4], start=1):
        sub = deals[deals[f"reach{k}"] >= 0]
        sub = sub.assign(passed=(sub[f"reach{k + 1}"] >= 0).astype(int))
        t = em.table(sub, f"reach{k}", ALL_SCOPES, fy, {"reached": ("deal", "count"), "passed": ("passed", "sum")})
        em.emit(t, f"stage_conversion_{name}",
                lambda g: (ratio(g["passed"], g["reached"]), g["passed"], g["reached"]), zero)


def _closed(em: Emitter, deals: pd.DataFrame, fy: int) -> None:
    closed = deals[(deals["stage"] >= S.WON) & (deals["created_day"] <= deals["close_day"])].copy()
    closed["won"] = (closed["stage"] == S.WON).astype(int)
    closed["won_amt"] = np.where(closed["won"] == 1, closed["amount_corp"], 0.0)
    closed["days"] = np.where(closed["won"] == 1, closed["close_day"] - closed["created_day"], np.nan)
    aggs = {"closed": ("deal", "count"), "won": ("won", "sum"), "amt": ("amount_corp", "sum"),
            "won_amt": ("won_amt", "sum"), "days": ("days", "sum"), "median": ("days", "median")}
    t = em.table(closed, "close_day", ALL_SCOPES, fy, aggs)
    zero = {"closed": 0.0, "won": 0.0, "amt": 0.0, "won_amt": 0.0, "days": 0.0}
    em.emit(t, "win_rate_count", lambda g: (ratio(g["won"], g["closed"]), g["won"], g["closed"]), zero)
    em.emit(t, "win_rate_value", lambda g: (ratio(g["won_amt"], g["amt"]), g["won_amt"], g["amt"]), zero)
    em.emit(t, "sales_cycle_days_mean",
            lambda g: (ratio(g["days"], g["won"]), np.where(g["won"] > 0, g["days"], np.nan), g["won"]), zero)
    em.emit(t, "sales_cycle_days_median",
            lambda g: (np.where(g["won"] > 0, g["median"], np.nan), None, g["won"]), zero)
    em.emit(t, "average_deal_size", lambda g: (ratio(g["won_amt"], g["won"]), g["won_amt"], g["won"]), zero)
    em.emit(t, "won_amount", lambda g: (g["won_amt"], g["won_amt"], None), zero)
    # growth against the previous period, which may lie partly before the first emitted period;
    # a scope with wins in one period and none in the next still gets a growth row (-100 %)
    for scope, g in t.items():
        won = g["won_amt"].to_dict()
        if scope == "company":
            keys = [(ps, "all") for ps, _ in em.periods]
        else:
            keys = sorted({k for k in won if k[0] in em.starts and k[1] != ""}
                          | {(_next_start(em.grain, int(k[0])), k[1]) for k in won
                             if _next_start(em.grain, int(k[0])) in em.starts and k[1] != ""})
        if not keys:
            continue
        now = np.array([won.get(k, 0.0) for k in keys])
        prev = np.array([won.get((_prev_start(em.grain, int(k[0])), k[1]), 0.0) for k in keys])
        em.add([k[0] for k in keys], scope, [k[1] for k in keys], "revenue_growth", ratio(now, prev) - 1, now, prev)


def _next_start(grain: str, ps: int) -> int:
    if grain == "week":
        return ps + 7
    return day_of(add_months(date_of(int(ps)), 1 if grain == "month" else 3))


def _activities(em: Emitter, acts: pd.DataFrame, fy: int) -> None:
    kinds = acts.assign(**{f"k{k}": (acts["kind"] == k).astype(int) for k in range(len(S.ACTIVITY_TYPES))})
    t = em.table(kinds, "day", ALL_SCOPES, fy, {f"k{k}": (f"k{k}", "sum") for k in range(len(S.ACTIVITY_TYPES))})
    for k, name in enumerate(S.ACTIVITY_TYPES):
        one = {scope: g[g[f"k{k}"] > 0] if scope != "company" else g for scope, g in t.items()}
        em.emit(one, f"activities_{name}", lambda g, k=k: (g[f"k{k}"], g[f"k{k}"], None), {f"k{k}": 0.0})
    sub = acts[acts["kind"].isin([CALL, MEETING, EMAIL, PROPOSAL]) & (acts["rep"] != "")].assign(one=1)
    t = em.table(sub, "day", ALL_SCOPES, fy, {"n": ("one", "sum"), "reps": ("rep", "nunique")})
    length = dict(em.periods)

    def per_rep_week(g: pd.DataFrame) -> tuple[object, object, object]:
        ps = g.index.get_level_values(0).to_numpy()
        days = np.array([length[int(p)] - int(p) for p in ps], dtype=float)
        den = g["reps"].to_numpy(float) * days / 7
        return ratio(g["n"], den), g["n"], den
    em.emit(t, "activities_per_rep_week", per_rep_week, {"n": 0.0, "reps": 0.0})


def _mql(em: Emitter, people: pd.DataFrame, fy: int) -> None:
    df = people.assign(one=1, reached=(people["sql"] < 2**40).astype(int), day=people["mql"])
    t = em.table(df, "day", ALL_SCOPES, fy, {"mql": ("one", "sum"), "sql": ("reached", "sum")})
    em.emit(t, "mql_to_sql_conversion", lambda g: (ratio(g["sql"], g["mql"]), g["sql"], g["mql"]),
            {"mql": 0.0, "sql": 0.0})


def quota_table(world: World, period_list: list[tuple[int, int]]) -> pd.DataFrame:
    """Revenue quota per (period start, rep e-mail, team), prorated by days of overlap."""
    emails, teams = people_scopes(world)
    rows = []
    for q in visible_quotas(world, world.cutoff):
        if q.kind != "revenue":
            continue
        q_days = q.end - q.start + 1
        for ps, pe in period_list:
            overlap = min(pe, q.end + 1) - max(ps, q.start)
            if overlap > 0:
                rows.append((ps, emails[q.employee], teams.get(q.employee, "unassigned"), q.amount * overlap / q_days))
    return pd.DataFrame(rows, columns=["ps", "rep", "team", "quota"])


def _snapshots(em: Emitter, world: World, deals: pd.DataFrame, fy: int) -> None:
    """open_pipeline, weighted_pipeline, pipeline_coverage (snapshot at the end of the period's
    first day) and quota_attainment."""
    rates = Rates(world)
    quotas = quota_table(world, em.periods)
    crm = deals["crm"].to_numpy()
    dids = deals["deal"].to_numpy()
    currency = deals["currency"].to_numpy()
    created_day = deals["created_day"].to_numpy()
    open_rows, won_rows = [], []
    for ps, pe in em.periods:
        snap = snapshot(world, ps)
        stage, close = snap["stage"][dids], snap["close"][dids]
        created = created_day <= ps
        is_open = created & (stage >= 1) & (stage <= 4) & (close >= ps) & (close < pe)
        amount = snap["amount"][dids] * rates.at(currency, ps)
        prob = probability(crm, stage, snap["sub"][dids])
        open_rows.append(deals[is_open].assign(day=ps, amt=amount[is_open], wamt=(amount * prob)[is_open]))
        won_so_far = created & (stage == S.WON) & (close == ps)
        w_amt = snap["amount"][dids] * rates.at(currency, close)
        won_rows.append(deals[won_so_far].assign(day=ps, won=w_amt[won_so_far]))
    opened = pd.concat(open_rows, ignore_index=True)
    won_sf = pd.concat(won_rows, ignore_index=True)
    t = em.table(opened, "day", ALL_SCOPES, fy, {"amt": ("amt", "sum"), "wamt": ("wamt", "sum")})
    zero = {"amt": 0.0, "wamt": 0.0}
    em.emit(t, "open_pipeline", lambda g: (g["amt"], g["amt"], None), zero)
    em.emit(t, "weighted_pipeline", lambda g: (g["wamt"], g["wamt"], None), zero)
    tw = em.table(deals[deals["stage"] == S.WON], "close_day", QUOTA_SCOPES, fy, {"won": ("amount_corp", "sum")})
    tsf = em.table(won_sf, "day", QUOTA_SCOPES, fy, {"won": ("won", "sum")})
    for scope in QUOTA_SCOPES:
        if scope == "company":
            q = quotas.groupby("ps")["quota"].sum()
            q_map = {(int(ps), "all"): float(v) for ps, v in q.items()}
            keys = [(ps, "all") for ps, _ in em.periods]
        else:
            q = quotas.groupby(["ps", scope])["quota"].sum()
            q_map = {(int(ps), sid): float(v) for (ps, sid), v in q.items()}
            keys = sorted({k for k in set(q_map) | set(t[scope].index) | set(tw[scope].index)
                           if k[0] in em.starts and k[1] != ""})
        if not keys:
            continue
        amt, won_sf_d, won_d = t[scope]["amt"].to_dict(), tsf[scope]["won"].to_dict(), tw[scope]["won"].to_dict()
        quota = np.array([q_map.get(k, 0.0) for k in keys])
        open_amt = np.array([amt.get(k, 0.0) for k in keys])
        remaining = quota - np.array([won_sf_d.get(k, 0.0) for k in keys])
        won = np.array([won_d.get(k, 0.0) for k in keys])
        ps_list, sid_list = [k[0] for k in keys], [k[1] for k in keys]
        em.add(ps_list, scope, sid_list, "pipeline_coverage",
               np.where(remaining > 0, ratio(open_amt, np.where(remaining > 0, remaining, 1)), np.nan),
               open_amt, remaining)
        em.add(ps_list, scope, sid_list, "quota_attainment", ratio(won, quota), won, quota)


def _quarterly(world: World, deals: pd.DataFrame) -> pd.DataFrame:
    """gross_retention, net_retention, sales_velocity per fiscal quarter (company, segment, source)."""
    rows: list[tuple[object, ...]] = []
    won = deals[(deals["stage"] == S.WON) & (deals["account"] >= 0)]
    closed = deals[(deals["stage"] >= S.WON) & (deals["created_day"] <= deals["close_day"])]
    dids = deals["deal"].to_numpy()
    for ps, pe in _period_list(world, "quarter"):
        end = date_of(pe)
        now_lo, prior_lo = day_of(add_months(end, -12)), day_of(add_months(end, -24))
        if prior_lo >= world.start:
            for scope in ("company", "segment", "source"):
                w = won.assign(key="all" if scope == "company" else won[scope])
                now = w[(w["close_day"] >= now_lo) & (w["close_day"] < pe)].groupby(["key", "account"])["amount_corp"].sum()
                prior = w[(w["close_day"] >= prior_lo) & (w["close_day"] < now_lo)].groupby(["key", "account"])["amount_corp"].sum()
                prior = prior[prior > 0]
                both = pd.DataFrame({"prior": prior, "now": now.reindex(prior.index).fillna(0.0)})
                for key, g in both.groupby(level=0):
                    den = float(g["prior"].sum())
                    gross = float(np.minimum(g["now"], g["prior"]).sum())
                    net = float(g["now"].sum())
                    rows.append((ps, scope, str(key), "gross_retention", ratio(gross, den), gross, den))
                    rows.append((ps, scope, str(key), "net_retention", ratio(net, den), net, den))
        snap = snapshot(world, ps)
        stage = snap["stage"][dids]
        reach2 = deals["reach2"].to_numpy()
        is_open = (deals["created_day"].to_numpy() <= ps) & (stage >= 1) & (stage <= 4) & (reach2 >= 0) & (reach2 <= ps)
        window = closed[(closed["close_day"] >= ps - 365) & (closed["close_day"] < ps)]
        for scope in ("company", "segment", "source"):
            key_open = np.full(len(deals), "all", dtype=object) if scope == "company" else deals[scope].to_numpy()
            n_open = pd.Series(is_open.astype(int)).groupby(key_open).sum()
            wdf = window.assign(key="all" if scope == "company" else window[scope],
                                won=(window["stage"] == S.WON).astype(int))
            wdf["won_amt"] = np.where(wdf["won"] == 1, wdf["amount_corp"], 0.0)
            wdf["days"] = np.where(wdf["won"] == 1, wdf["close_day"] - wdf["created_day"], 0)
            agg = wdf.groupby("key").agg(closed=("deal", "count"), won=("won", "sum"), won_amt=("won_amt", "sum"),
                                         days=("days", "sum"))
            for key, r in agg.iterrows():
                if r["won"] == 0 or r["days"] == 0:
                    continue
                ads = r["won_amt"] / r["won"]
                wr = r["won"] / r["closed"]
                cycle = r["days"] / r["won"]
                num = float(n_open.get(key, 0)) * ads * wr
                rows.append((ps, scope, str(key), "sales_velocity", num / cycle, num, float(cycle)))
    out = pd.DataFrame(rows, columns=["period_start", "scope_type", "scope_id", "kpi", "value", "numerator",
                                      "denominator"])
    out.insert(0, "grain", "quarter")
    return out
