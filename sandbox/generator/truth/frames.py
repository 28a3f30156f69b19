"""Flat tables of the world at the cutoff, built from the simulation (never from rendered records):
one row per deal, per activity and per unified person, with the scope columns the KPIs group by."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import settings as S
from ..deals import SALES_OPS
from ..events import first_reach_ts
from ..rendering.context import last_rate_day, static
from ..rendering.inputs import roster_view
from ..timeutil import DAY, NEVER
from ..world import World

SOURCES = np.array(S.CRMS)
SEGMENTS = np.array(list(S.SEGMENTS) + ["unknown"])


class Rates:
    """rate_to_corporate lookups: the latest published rate on or before a day."""

    def __init__(self, world: World) -> None:
        self.fx = world.fx
        self.first = world.fx_first
        self.last = last_rate_day(world.cutoff)

    def at(self, currency: np.ndarray, day: np.ndarray | int) -> np.ndarray:
        day = np.minimum(np.asarray(day, np.int64), self.last)
        return self.fx[np.asarray(currency, np.int64), np.clip(day - self.first, 0, self.fx.shape[1] - 1)]


def people_scopes(world: World) -> tuple[dict[int, str], dict[int, str]]:
    """Employee index -> lower-case e-mail and -> roster team name (as at the cutoff)."""
    emails = {e.idx: e.email.lower() for e in world.org.employees}
    # one team per person: the team of the latest employment (a rehired rep has two roster rows)
    latest: dict[str, str] = {}
    for r in sorted(roster_view(world.org, world.cutoff), key=lambda r: str(r["hire_date"])):
        latest[str(r["email"]).lower()] = str(r["team"])
    teams = {idx: latest[email] for idx, email in emails.items() if email in latest}
    emails[SALES_OPS] = S.SALES_OPS_EMAIL
    return emails, teams


def _owner_columns(world: World, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    emails, teams = people_scopes(world)
    email = np.array([emails.get(int(o), "") for o in owners], dtype=object)
    team = np.array([teams.get(int(o), "unassigned") for o in owners], dtype=object)
    return email, team


def probability(crm: np.ndarray, stage: np.ndarray, sub: np.ndarray) -> np.ndarray:
    """Each CRM's default probability (0-1) of an open stage."""
    sf = np.asarray(S.SF_STAGE_PROB, float)[np.clip(stage - 1, 0, 5)] / 100
    hs_idx = np.where(stage == 1, sub, stage)
    hs = np.asarray([float(p) for p in S.HS_STAGE_PROB])[np.clip(hs_idx, 0, 6)]
    pd_idx = np.where(stage == 1, sub, stage)  # Lead In / Contact Made / Demo / Proposal / Negotiation
    pdp = np.asarray(S.PD_STAGE_PROB + (0, 0), float)[np.clip(pd_idx, 0, 6)] / 100
    return np.where(crm == S.SF, sf, np.where(crm == S.HS, hs, pdp))


def deal_frame(world: World) -> pd.DataFrame:
    """Visible, non-deleted deals at the cutoff with their current state and scope columns."""
    st = static(world)
    d = world.deals
    n = len(d)
    cut = world.cutoff
    keep = (d.created < cut) & (d.deleted >= cut)
    sidx, sts = st["stage"].last_before(n, cut)
    stage = np.where(sidx >= 0, st["stage"].value[np.maximum(sidx, 0)], 1).astype(np.int64)
    amount = st["amount"].value_before(n, cut, 0.0)
    owner = st["owner"].value_before(n, cut, SALES_OPS).astype(np.int64)
    close_day = np.where(stage >= S.WON, sts // DAY, -1)
    rates = Rates(world)
    as_of_day = cut // DAY
    rate = rates.at(d.currency, np.where(stage >= S.WON, close_day, as_of_day))
    email, team = _owner_columns(world, owner)
    seg = np.where(d.account >= 0, world.companies.segment[np.maximum(d.account, 0)], 3)
    frame = pd.DataFrame({
        "deal": np.arange(n), "crm": d.crm, "source": SOURCES[d.crm], "rep": email, "team": team,
        "segment": SEGMENTS[seg], "account": d.account, "created_day": d.created // DAY, "stage": stage,
        "close_day": close_day, "amount_corp": amount * rate, "currency": d.currency,
    })
    for k in range(1, 6):
        r = first_reach_ts(st["stage"], n, k, cut)
        frame[f"reach{k}"] = np.where(r >= 0, r // DAY, -1)
    return frame[keep].reset_index(drop=True)


def snapshot(world: World, day: int) -> dict[str, np.ndarray]:
    """State of every deal at the end of `day`: stage, sub-stage, amount, expected close day."""
    st = static(world)
    n = len(world.deals)
    cut = (day + 1) * DAY
    sidx, _ = st["stage"].last_before(n, cut)
    return {
        "stage": np.where(sidx >= 0, st["stage"].value[np.maximum(sidx, 0)], 0).astype(np.int64),
        "sub": np.where(sidx >= 0, st["stage"].sub[np.maximum(sidx, 0)], 0).astype(np.int64),
        "amount": st["amount"].value_before(n, cut, 0.0),
        "close": st["close"].value_before(n, cut, -1.0).astype(np.int64),
    }


def activity_frame(world: World) -> pd.DataFrame:
    a = world.activities
    cut = world.cutoff
    keep = (a.created < cut) & (a.deleted >= cut)
    email, team = _owner_columns(world, a.owner)
    seg = np.where(a.company >= 0, world.companies.segment[np.maximum(a.company, 0)], 3)
    frame = pd.DataFrame({"day": a.ts // DAY, "kind": a.kind, "rep": email, "team": team,
                          "segment": SEGMENTS[seg], "source": SOURCES[a.crm]})
    return frame[keep].reset_index(drop=True)


def person_frame(world: World) -> pd.DataFrame:
    """People unified by lower-case e-mail: earliest MQL and SQL day across sources, attributed to
    the source, owner and account of the record with the earliest MQL."""
    f = world.funnel
    cut = world.cutoff
    emails, teams = people_scopes(world)
    parts = []
    for crm, rec in ((S.SF, f.sf_leads), (S.HS, f.hs_contacts)):
        keep = (rec.created < cut) & (rec.deleted >= cut)
        idx = np.flatnonzero(keep)
        person = rec.person[idx]
        company = f.people.company[person]
        if crm == S.SF:  # a lead has an account once converted
            company = np.where(rec.opp[idx] < cut, company, -1)
        parts.append(pd.DataFrame({
            "email": [f.people.email(int(p), world.companies, crm).lower() for p in person],
            "crm": crm, "mql": np.where(rec.mql[idx] < cut, rec.mql[idx] // DAY, NEVER),
            "sql": np.where(rec.sql[idx] < cut, rec.sql[idx] // DAY, NEVER), "owner": rec.owner[idx],
            "company": company,
        }))
    df = pd.concat(parts, ignore_index=True)
    sql = df.groupby("email")["sql"].min()
    first = df[df["mql"] < NEVER].sort_values(["mql", "crm"]).drop_duplicates("email", keep="first")
    out = first.set_index("email")
    out["sql"] = sql.reindex(out.index)
    out["source"] = SOURCES[out["crm"].to_numpy()]
    out["rep"] = [emails.get(int(o), "") if o >= 0 else "" for o in out["owner"]]
    out["team"] = [teams.get(int(o), "unassigned") if o >= 0 else "unassigned" for o in out["owner"]]
    comp = out["company"].to_numpy()
    seg = np.where(comp >= 0, world.companies.segment[np.maximum(comp, 0)], 3)
    out["segment"] = SEGMENTS[seg]
    return out.reset_index()
