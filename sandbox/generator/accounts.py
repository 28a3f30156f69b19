"""Which companies have a record in which CRM, since when, owned by whom, customer since when.

A record appears the first time the CRM touches the company (a deal, a contact, a lead
conversion); customers signed before the span were imported when the CRM went live; cross-listed
companies get their second record at some point in the span.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import settings as S
from .companies import Companies
from .deals import RENEWAL, SALES_OPS, Deals
from .funnel import Funnel
from .timeutil import DAY, NEVER, business_time


@dataclass
class AccountRecords:
    """One CRM's company records (index = position in the CRM's list, ordered by creation)."""

    company: np.ndarray
    created: np.ndarray
    owner: np.ndarray  # employee index, SALES_OPS when nobody
    customer: np.ndarray  # epoch seconds the company became a customer in this CRM, NEVER
    deleted: np.ndarray

    def __len__(self) -> int:
        return len(self.company)

    def index_of(self) -> pd.Series:
        """company id -> record index."""
        return pd.Series(np.arange(len(self.company)), index=self.company)


def _first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("ts").drop_duplicates("company", keep="first")


def simulate_accounts(rng: np.random.Generator, companies: Companies, deals: Deals, won_ts: np.ndarray,
                      funnel: Funnel, start: int, horizon: int) -> dict[int, AccountRecords]:
    """Account records per CRM."""
    horizon_s = horizon * DAY
    people_company = funnel.people.company
    out: dict[int, AccountRecords] = {}
    base = (deals.dtype == RENEWAL) & (deals.parent < 0)
    import_ts = start * DAY + 8 * 3600 + rng.integers(0, 3600 * 8, size=len(deals))
    for crm in (S.SF, S.HS, S.PD):
        frames = []
        dm = (deals.crm == crm) & (deals.account >= 0)
        ts = np.where(base[dm], np.minimum(import_ts[dm], deals.created[dm]), deals.created[dm] - 3600)
        frames.append(pd.DataFrame({"company": deals.account[dm], "ts": ts, "owner": deals.owner0[dm]}))
        recs = {S.SF: [funnel.sf_contacts], S.HS: [funnel.hs_contacts], S.PD: [funnel.pd_persons]}[crm]
        for r in recs:
            comp = people_company[r.person]
            ok = comp >= 0
            frames.append(pd.DataFrame({"company": comp[ok], "ts": r.created[ok] - 600,
                                        "owner": np.where(r.owner[ok] >= 0, r.owner[ok], SALES_OPS)}))
        cross = np.flatnonzero(companies.cross_listed == (1 if crm == S.HS else 2 if crm == S.SF else 9))
        if len(cross):
            cts = business_time(rng, start + rng.integers(0, horizon - start, size=len(cross)))
            frames.append(pd.DataFrame({"company": cross, "ts": cts, "owner": SALES_OPS}))
        first = _first(pd.concat(frames, ignore_index=True))
        first = first[first["ts"] < horizon_s].sort_values(["ts", "company"])
        company = first["company"].to_numpy(np.int64)
        won = pd.DataFrame({"company": deals.account[dm], "ts": np.where(base[dm], import_ts[dm], won_ts[dm])})
        won = won[won["ts"] < NEVER].groupby("company")["ts"].min()
        customer = won.reindex(company).fillna(NEVER).to_numpy(np.int64)
        customer = np.maximum(customer, first["ts"].to_numpy(np.int64))
        customer[customer >= NEVER] = NEVER
        out[crm] = AccountRecords(company, first["ts"].to_numpy(np.int64), first["owner"].to_numpy(np.int64),
                                  customer, np.full(len(company), NEVER, np.int64))
    return out
