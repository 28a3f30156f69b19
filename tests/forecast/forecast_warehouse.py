"""A small synthetic warehouse (the marts the forecast reads) with a known generating process.

Deals move qualification -> demo -> proposal -> negotiation -> won, or are lost at a stage. The true
chance to advance depends on the stage, on a hidden engagement level and on the owner's skill. Engaged
deals get more activities and move faster; deals that will be lost go quiet for weeks before the loss
and keep having their close date pushed. The CRM probabilities are stage defaults set well above the
true win rates, and initial close dates are optimistic, so a learnt model has something to beat.
Leads: a hidden interest drives both the account activity before the MQL and the SQL conversion.

Snapshots follow the end-of-day convention: a deal is in `fct_pipeline_daily` on the days
created_date <= d < closed_date. Everything dated on or after `as_of` is cut (today has not happened),
except the pipeline snapshot of `as_of` itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

EPOCH = date(1970, 1, 1)
STAGES = {1: "qualification", 2: "demo", 3: "proposal", 4: "negotiation", 5: "closed_won", 0: "closed_lost"}
CATEGORY = {1: "pipeline", 2: "pipeline", 3: "best_case", 4: "commit"}
TEAMS = ("north", "south", "west")
SOURCES = ("salesforce", "hubspot", "pipedrive")
SEGMENT_MEAN_AMOUNT = {"smb": 12_000.0, "mid_market": 40_000.0, "enterprise": 110_000.0}


@dataclass(frozen=True)
class SyntheticConfig:
    """Knobs of the generating process."""

    n_deals: int = 1500
    n_people: int = 2500
    n_accounts: int = 400
    start: date = date(2022, 1, 3)
    as_of: date = date(2025, 1, 15)
    fiscal_year_start_month: int = 2
    seed: int = 7
    crm_probability: dict[int, float] = field(default_factory=lambda: {1: 0.3, 2: 0.5, 3: 0.7, 4: 0.9})
    base_advance: dict[int, float] = field(default_factory=lambda: {1: 0.5, 2: 0.55, 3: 0.6, 4: 0.7})
    base_days: dict[int, float] = field(default_factory=lambda: {1: 30.0, 2: 40.0, 3: 45.0, 4: 35.0})


def _day(d: date) -> int:
    return (d - EPOCH).days


def _date(day: float) -> date:
    return EPOCH + timedelta(days=int(day))


def _ts(day: float, hour: float) -> pd.Timestamp:
    return pd.Timestamp(_date(day)) + pd.Timedelta(hours=float(hour))


def _sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _reps(cfg: SyntheticConfig, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, float]]:
    rows = [{"email": "vp@acme.test", "role": "vp", "team": "leadership", "manager_email": None}]
    for team in TEAMS:
        rows.append({"email": f"lead.{team}@acme.test", "role": "manager", "team": team,
                     "manager_email": "vp@acme.test"})
        for i in range(4):
            rows.append({"email": f"ae{i}.{team}@acme.test", "role": "ae", "team": team,
                         "manager_email": f"lead.{team}@acme.test"})
    reps = pd.DataFrame(rows)
    reps["rep_id"] = "rep_" + reps["email"].str.split("@").str[0].str.replace(".", "_")
    reps["full_name"] = reps["email"].str.split("@").str[0]
    reps["level"] = np.where(reps["role"] == "ae", "senior", "lead")
    reps["manager_rep_id"] = reps["manager_email"].map(dict(zip(reps["email"], reps["rep_id"], strict=True)))
    reps["hire_date"] = cfg.start - timedelta(days=200)
    reps["exit_date"] = None
    reps["exit_type"] = None
    reps["is_active"] = True
    reps["employee_id"] = [f"E{i:03d}" for i in range(len(reps))]
    reps["salesforce_user_id"] = None
    reps["hubspot_owner_id"] = None
    reps["pipedrive_user_id"] = None
    skill = {r: float(rng.normal(0, 0.6)) for r in reps.loc[reps["role"] == "ae", "rep_id"]}
    return reps, skill


@dataclass(frozen=True)
class _History:
    """One deal's dated stage entries, close-date changes and amount changes."""

    path: list[tuple[int, int]]
    first_ecd: int
    ecd_changes: list[tuple[int, int, int]]
    amount: float
    amount_changes: list[tuple[int, float, float]]

    def state_at(self, day: int) -> tuple[int, int, float, int]:
        """(stage, day entered, amount, expected close day) at the end of `day`."""
        stage, entered = self.path[0]
        for k, d in self.path:
            if d <= day:
                stage, entered = k, d
        ecd = self.first_ecd
        for d, _, new in self.ecd_changes:
            if d <= day:
                ecd = new
        amount = self.amount
        for d, _, new_amount in self.amount_changes:
            if d <= day:
                amount = new_amount
        return stage, entered, amount, ecd


def generate(cfg: SyntheticConfig = SyntheticConfig()) -> dict[str, pd.DataFrame]:
    """All marts tables as frames (table name without schema -> frame)."""
    rng = np.random.default_rng(cfg.seed)
    reps, skill = _reps(cfg, rng)
    aes = reps[reps["role"] == "ae"].reset_index(drop=True)
    team_of = dict(zip(reps["rep_id"], reps["team"], strict=True))
    email_of = dict(zip(reps["rep_id"], reps["email"], strict=True))
    seg_names = list(SEGMENT_MEAN_AMOUNT)
    accounts = pd.DataFrame({
        "account_id": [f"acc_{i}" for i in range(cfg.n_accounts)],
        "segment": rng.choice(seg_names, size=cfg.n_accounts, p=[0.5, 0.35, 0.15]),
    })
    accounts["name"] = "Account " + accounts["account_id"]
    accounts["domain"] = accounts["account_id"] + ".example"
    seg_of = dict(zip(accounts["account_id"], accounts["segment"], strict=True))
    as_of = _day(cfg.as_of)
    start = _day(cfg.start)
    span = as_of - start

    deals, snaps, events, changes, acts = [], [], [], [], []
    for i in range(cfg.n_deals):
        deal_id = f"{SOURCES[i % 3]}:D{i:05d}"
        source = SOURCES[i % 3]
        created = start + int(span * np.sqrt(rng.random()))
        if created >= as_of:
            continue
        owner = str(aes["rep_id"].iloc[int(rng.integers(len(aes)))])
        account = f"acc_{int(rng.integers(cfg.n_accounts))}"
        segment = seg_of[account]
        currency, fx = ("EUR", 1.1) if rng.random() < 0.2 else ("USD", 1.0)
        amount = round(float(SEGMENT_MEAN_AMOUNT[segment] * rng.lognormal(0, 0.5)) / fx, 2)
        engaged = rng.random() < 0.5
        omitted = rng.random() < 0.05
        stage = 2 if rng.random() < 0.15 else 1
        t = float(created)
        path = [(stage, created)]
        while True:
            mean = cfg.base_days[stage] * (0.75 if engaged else 1.6)
            t += max(1.0, float(rng.gamma(2.0, mean / 2)))
            adv = _sigmoid(_logit(cfg.base_advance[stage]) + (0.9 if engaged else -0.9) + skill[owner])
            if rng.random() < adv:
                stage += 1
                if stage == 5:
                    outcome = "won"
                    break
                path.append((stage, int(t)))
            else:
                outcome = "lost"
                break
        close = int(t)
        if close == as_of:  # keep "today" clean: nothing closes on the as-of day itself
            close += 1
        path = [(k, d) for k, d in path if d < close]

        # Expected close date: optimistic at creation, pushed each time it passes, set to the close day.
        ecd_changes: list[tuple[int, int, int]] = []
        ecd = created + int(rng.integers(60, 100))
        first_ecd = ecd
        while ecd + 1 < close:
            new = ecd + int(rng.integers(20, 40))
            ecd_changes.append((ecd + 1, ecd, new))
            ecd = new
        if ecd != close:
            ecd_changes.append((close, ecd, close))
        amount_changes: list[tuple[int, float, float]] = []
        for k, d in path:
            if k == 4 and rng.random() < 0.5:
                new_amount = round(amount * float(rng.uniform(0.75, 1.05)), 2)
                amount_changes.append((d, amount, new_amount))
        final_amount = amount_changes[-1][2] if amount_changes else amount

        # Activities: a Poisson stream; deals headed for a loss go quiet for weeks before it.
        rate = 0.3 if engaged else 0.08
        active_end = close - (int(rng.integers(14, 45)) if outcome == "lost" else 0)
        if active_end > created:
            n = int(rng.poisson(rate * (active_end - created)))
            for d in sorted(rng.integers(created, active_end, size=n).tolist()):
                acts.append((deal_id, account, owner, source, int(d)))

        state_at = _History(path, first_ecd, ecd_changes, amount, amount_changes).state_at
        last_open = min(close - 1, as_of)
        breaks = sorted({created, *[d for _, d in path], *[d for d, _, _ in ecd_changes],
                         *[d for d, _, _ in amount_changes]})
        breaks = [b for b in breaks if created <= b <= last_open] + [last_open + 1]
        for b0, b1 in zip(breaks[:-1], breaks[1:], strict=True):
            stg, entered, a, e = state_at(b0)
            snaps.append((deal_id, source, owner, segment, account, stg, a, currency, fx, e, created, b0, b1, entered,
                          "omitted" if omitted else CATEGORY[stg], cfg.crm_probability[stg]))

        # Stage events, including the closing one.
        closing = [(5 if outcome == "won" else 0, close)]
        full = path + closing
        for j, (k, d) in enumerate(full):
            nxt = full[j + 1] if j + 1 < len(full) else None
            events.append((f"{deal_id}:{j}", deal_id, source, k, _ts(d, 9 + j % 8),
                           _ts(nxt[1], 9 + (j + 1) % 8) if nxt else None, STAGES[nxt[0]] if nxt else None,
                           j == 0 or k not in [p[0] for p in full[:j]]))
        prev = None
        for k, d in full:
            if prev is not None:
                changes.append((deal_id, source, _ts(d, 9), "stage", STAGES[prev], STAGES[k]))
                if k in cfg.crm_probability:
                    changes.append((deal_id, source, _ts(d, 9), "probability", str(cfg.crm_probability[prev]),
                                    str(cfg.crm_probability[k])))
            prev = k
        changes.append((deal_id, source, _ts(close, 10), "status", "open", outcome))
        for d, old, new in ecd_changes:
            changes.append((deal_id, source, _ts(d, 8), "expected_close_date", str(_date(old)), str(_date(new))))
        for d, old_a, new_a in amount_changes:
            changes.append((deal_id, source, _ts(d, 11), "amount", str(old_a), str(new_a)))

        closed_now = close < as_of
        stg_now, _, amt_now, ecd_now = state_at(min(close - 1, as_of))
        deals.append({
            "deal_id": deal_id, "source": source, "source_deal_id": deal_id.split(":")[1],
            "deal_name": f"Deal {i}", "account_id": account, "owner_rep_id": owner, "owner_email": email_of[owner],
            "team": team_of[owner], "segment": segment, "pipeline": "default",
            "stage_order": (5 if outcome == "won" else 0) if closed_now else stg_now,
            "status": outcome if closed_now else "open", "deal_type": "new_business", "currency": currency,
            "amount": final_amount if closed_now else amt_now, "fx_rate": fx,
            "forecast_category": ("closed" if outcome == "won" else "omitted") if closed_now
            else ("omitted" if omitted else CATEGORY[stg_now]),
            "probability": (1.0 if outcome == "won" else 0.0) if closed_now else cfg.crm_probability[stg_now],
            "created_at": _ts(created, 8), "created_date": _date(created),
            "expected_close_date": _date(close) if closed_now else _date(ecd_now),
            "closed_date": _date(close) if closed_now else None,
            "loss_reason": "no decision" if closed_now and outcome == "lost" else None, "is_reopened": False,
        })

    deals_df = pd.DataFrame(deals)
    deals_df["stage"] = deals_df["stage_order"].map(STAGES)
    deals_df["source_stage"] = deals_df["stage"]
    deals_df["amount_corporate"] = (deals_df["amount"] * deals_df["fx_rate"]).round(2)

    seg = pd.DataFrame(snaps, columns=["deal_id", "source", "owner_rep_id", "segment", "account_id", "stage_order",
                                       "amount", "currency", "fx", "ecd", "created", "b0", "b1", "entered",
                                       "forecast_category", "probability"])
    lengths = (seg["b1"] - seg["b0"]).to_numpy()
    rep = seg.loc[seg.index.repeat(lengths)].reset_index(drop=True)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    days = rep["b0"].to_numpy() + offsets
    pipeline = pd.DataFrame({
        "snapshot_date": pd.to_datetime(days, unit="D").date, "deal_id": rep["deal_id"], "source": rep["source"],
        "owner_rep_id": rep["owner_rep_id"], "team": rep["owner_rep_id"].map(team_of), "segment": rep["segment"],
        "account_id": rep["account_id"], "stage": rep["stage_order"].map(STAGES), "stage_order": rep["stage_order"],
        "amount": rep["amount"], "currency": rep["currency"], "amount_corporate": (rep["amount"] * rep["fx"]).round(2),
        "probability": rep["probability"], "forecast_category": rep["forecast_category"],
        "expected_close_date": pd.to_datetime(rep["ecd"], unit="D").dt.date,
        "created_date": pd.to_datetime(rep["created"], unit="D").dt.date,
        "days_in_stage": days - rep["entered"].to_numpy(),
    })

    cut = pd.Timestamp(cfg.as_of)
    ev = pd.DataFrame(events, columns=["stage_event_id", "deal_id", "source", "stage_order", "entered_at", "exited_at",
                                       "next_stage", "is_first_entry"])
    ev = ev[ev["entered_at"] < cut].reset_index(drop=True)
    future_exit = ev["exited_at"].notna() & (ev["exited_at"] >= cut)
    ev.loc[future_exit, ["exited_at", "next_stage"]] = None
    ev["stage"] = ev["stage_order"].map(STAGES)
    ev["source_stage"] = ev["stage"]
    ev["days_in_stage"] = (pd.to_datetime(ev["exited_at"]) - ev["entered_at"]).dt.days
    ev["is_skip"] = False
    ev["is_backward"] = False

    ch = pd.DataFrame(changes, columns=["deal_id", "source", "changed_at", "field", "old_value", "new_value"])
    ch = ch[ch["changed_at"] < cut].reset_index(drop=True)

    leads, lead_acts = _leads(cfg, rng, aes, skill, seg_of)
    act = pd.DataFrame(acts, columns=["deal_id", "account_id", "rep_id", "source", "day"])
    act = pd.concat([act, lead_acts], ignore_index=True)
    act = act[act["day"] < as_of].reset_index(drop=True)
    types = np.array(["call", "meeting", "email", "proposal_sent", "task", "note"])
    activities = pd.DataFrame({
        "activity_id": [f"act_{i}" for i in range(len(act))], "source": act["source"],
        "source_activity_id": [str(i) for i in range(len(act))],
        "activity_type": types[rng.integers(0, len(types), size=len(act))],
        "occurred_at": pd.to_datetime(act["day"], unit="D") + pd.Timedelta(hours=14),
        "activity_date": pd.to_datetime(act["day"], unit="D").dt.date, "rep_id": act["rep_id"],
        "deal_id": act["deal_id"], "account_id": act["account_id"], "duration_minutes": 30, "subject": "touch",
    })

    quotas = []
    q = date(2021, 11, 1)
    while q < date(2025, 11, 1):
        nq = date(q.year + (q.month + 3 > 12), (q.month + 2) % 12 + 1, 1)
        for rid, email in zip(aes["rep_id"], aes["email"], strict=True):
            quotas.append({"rep_id": rid, "email": email, "period_start": q, "period_end": nq,
                           "quota_type": "revenue", "quota_amount": 250_000.0})
        q = nq
    return {
        "fct_deals": deals_df, "fct_pipeline_daily": pipeline, "fct_deal_stage_events": ev,
        "fct_deal_changes": ch, "fct_activities": activities, "fct_lead_funnel": leads, "dim_reps": reps,
        "fct_quotas": pd.DataFrame(quotas), "dim_accounts": accounts,
    }


def _leads(cfg: SyntheticConfig, rng: np.random.Generator, aes: pd.DataFrame, skill: dict[str, float],
           seg_of: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    start, as_of = _day(cfg.start), _day(cfg.as_of)
    source_effect = {"salesforce": 0.0, "hubspot": 0.6, "pipedrive": -0.6}
    segment_effect = {"smb": -0.3, "mid_market": 0.0, "enterprise": 0.4}
    people, acts = [], []
    for i in range(cfg.n_people):
        created = start + int(rng.integers(0, as_of - start))
        mql = created + int(rng.integers(0, 30))
        source = SOURCES[int(rng.integers(3))]
        account = f"acc_{int(rng.integers(cfg.n_accounts))}"
        owner = str(aes["rep_id"].iloc[int(rng.integers(len(aes)))])
        interest = float(rng.normal())
        for _ in range(int(rng.poisson(np.exp(0.3 + 0.8 * interest)))):
            acts.append((None, account, owner, source, mql - int(rng.integers(1, 30))))
        p = _sigmoid(-1.0 + 1.0 * interest + source_effect[source] + segment_effect[seg_of[account]]
                     + 0.5 * skill[owner])
        sql = mql + int(rng.integers(1, 60)) if rng.random() < p else None
        people.append({
            "person_id": f"p_{i}", "email": f"person{i}@lead.test", "source": source, "owner_rep_id": owner,
            "account_id": account, "created_at": _ts(created, 10),
            "mql_at": _ts(mql, 12) if mql < as_of else None,
            "sql_at": _ts(sql, 12) if sql is not None and sql < as_of and mql < as_of else None,
            "opportunity_at": None, "customer_at": None,
        })
    return pd.DataFrame(people), pd.DataFrame(acts, columns=["deal_id", "account_id", "rep_id", "source", "day"])


_TYPES = {
    "fct_deals": {"created_at": "TIMESTAMP", "created_date": "DATE", "expected_close_date": "DATE",
                  "closed_date": "DATE", "amount": "DOUBLE", "amount_corporate": "DOUBLE", "fx_rate": "DOUBLE",
                  "probability": "DOUBLE", "stage_order": "INTEGER", "loss_reason": "VARCHAR",
                  "is_reopened": "BOOLEAN"},
    "fct_pipeline_daily": {"snapshot_date": "DATE", "expected_close_date": "DATE", "created_date": "DATE",
                           "stage_order": "INTEGER", "days_in_stage": "INTEGER"},
    "fct_deal_stage_events": {"entered_at": "TIMESTAMP", "exited_at": "TIMESTAMP", "next_stage": "VARCHAR",
                              "days_in_stage": "INTEGER", "stage_order": "INTEGER"},
    "fct_deal_changes": {"changed_at": "TIMESTAMP", "old_value": "VARCHAR", "new_value": "VARCHAR"},
    "fct_activities": {"occurred_at": "TIMESTAMP", "activity_date": "DATE", "deal_id": "VARCHAR"},
    "fct_lead_funnel": {"created_at": "TIMESTAMP", "mql_at": "TIMESTAMP", "sql_at": "TIMESTAMP",
                        "opportunity_at": "TIMESTAMP", "customer_at": "TIMESTAMP"},
    "dim_reps": {"hire_date": "DATE", "exit_date": "DATE", "exit_type": "VARCHAR", "manager_email": "VARCHAR",
                 "manager_rep_id": "VARCHAR", "salesforce_user_id": "VARCHAR", "hubspot_owner_id": "VARCHAR",
                 "pipedrive_user_id": "VARCHAR"},
    "fct_quotas": {"period_start": "DATE", "period_end": "DATE", "quota_amount": "DOUBLE"},
    "dim_accounts": {},
}


def write_warehouse(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> None:
    """Create marts.<table> for every frame (replacing existing ones)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for name, frame in tables.items():
        types = _TYPES.get(name, {})
        cols = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' if c in types else f'"{c}"' for c in frame.columns)
        con.register("_synthetic", frame)
        try:
            con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS SELECT {cols} FROM _synthetic")
        finally:
            con.unregister("_synthetic")


DEFAULT_CONFIG = SyntheticConfig()
# How the tests build the forecast on the default synthetic warehouse.
BUILD_SETTINGS = {"as_of": DEFAULT_CONFIG.as_of, "fiscal_year_start_month": DEFAULT_CONFIG.fiscal_year_start_month,
                  "corporate_currency": "USD", "seed": 0, "simulations": 2000, "backtest_periods": 6}


def build_synthetic_warehouse(path: Path, cfg: SyntheticConfig = SyntheticConfig()) -> Path:
    """Write a DuckDB file with the synthetic marts; returns its path."""
    tables = generate(cfg)
    with duckdb.connect(str(path)) as con:
        write_warehouse(con, tables)
    return path
