"""People and the lead funnel: leads become MQLs, SDRs qualify some into SQLs and book a meeting,
an AE opens the deal. Where each person is recorded depends on the team's CRM:

- HubSpot teams: a contact whose `lifecyclestage` walks lead -> MQL -> SQL -> opportunity -> customer.
- Salesforce teams: a Lead with `MQL_Date__c` / `SQL_Date__c`, converted into a Contact when the
  opportunity is created; a share of these leads is also a HubSpot contact (marketing), with an
  earlier MQL date and the same e-mail.
- Pipedrive: persons attached to organisations, no funnel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import settings as S
from .companies import Companies, pick_companies
from .deals import NEW, AeIndex, Deals
from .names import FIRST_NAMES, LAST_NAMES, TITLES
from .org import Org
from .timeutil import DAY, NEVER, business_time

NO_OWNER = -1


@dataclass
class People:
    """World persons: names are indexes into the name pools; e-mails are built from them."""

    first: np.ndarray
    last: np.ndarray
    company: np.ndarray  # -1: none
    title: np.ndarray
    email_n: np.ndarray  # de-duplication number within the domain (0: none)
    upper_email: np.ndarray  # the Salesforce copy writes the e-mail with capitals

    def __len__(self) -> int:
        return len(self.first)

    def email(self, i: int, companies: Companies, crm: int = S.HS) -> str:
        first, last = FIRST_NAMES[self.first[i]], LAST_NAMES[self.last[i]]
        local = f"{first}.{last}".replace(" ", "").replace("'", "")
        if self.email_n[i]:
            local += str(int(self.email_n[i]))
        c = int(self.company[i])
        domain = companies.domain[c] if c >= 0 else "mail.example"
        text = f"{local}@{domain}"
        return text if (crm == S.SF and self.upper_email[i]) else text.lower()


@dataclass
class Records:
    """One CRM's person records: which world person, when created, milestones, owner."""

    person: np.ndarray
    created: np.ndarray
    owner: np.ndarray  # employee index, -1 none
    mql: np.ndarray  # epoch seconds, NEVER
    sql: np.ndarray
    opp: np.ndarray  # HubSpot: became opportunity; Salesforce lead: converted
    customer: np.ndarray
    closed: np.ndarray  # Salesforce lead: closed without conversion
    deal: np.ndarray  # converted opportunity (Salesforce lead) / first deal
    deleted: np.ndarray
    mirror: np.ndarray  # a HubSpot copy of a Salesforce lead (marketing's view of the person)

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Funnel:
    people: People
    hs_contacts: Records
    sf_leads: Records
    sf_contacts: Records  # `deal` = -1; `opp` unused; `closed` unused
    pd_persons: Records
    sf_contact_of_lead: np.ndarray  # converted lead -> Salesforce contact index (-1)


def _never(n: int) -> np.ndarray:
    return np.full(n, NEVER, dtype=np.int64)


Arr = np.ndarray


def _records(person: Arr, created: Arr, owner: Arr, mql: Arr | None = None, sql: Arr | None = None,
             opp: Arr | None = None, customer: Arr | None = None, closed: Arr | None = None,
             deal: Arr | None = None, mirror: bool = False) -> Records:
    n = len(person)

    def arr(x: Arr | None) -> Arr:
        return _never(n) if x is None else np.asarray(x, np.int64)
    return Records(np.asarray(person, np.int64), np.asarray(created, np.int64), np.asarray(owner, np.int64),
                   arr(mql), arr(sql), arr(opp), arr(customer), arr(closed),
                   np.full(n, -1, np.int64) if deal is None else np.asarray(deal, np.int64), _never(n),
                   np.full(n, mirror, dtype=bool))


def simulate_funnel(rng: np.random.Generator, org: Org, companies: Companies, deals: Deals,
                    won_ts: np.ndarray, size: S.SizeSpec, start: int, horizon: int) -> Funnel:
    """People for every deal and the funnel around them. Sets `deals.contact`, `deals.sdr`, and
    demotes SDR-channel deals to "AE sourced" when no SDR was employed."""
    horizon_s = horizon * DAY
    sdrs = AeIndex(org, horizon, role="sdr")
    n = len(deals)
    team_sdr = np.array([-1 if t.sdr_team is None else t.sdr_team for t in org.teams], dtype=np.int64)
    is_new = deals.dtype == NEW
    funnel = is_new & (deals.channel <= 1) & (team_sdr[deals.team] >= 0)
    d_created = deals.created
    q = d_created - rng.integers(*S.SQL_TO_OPP_DAYS, size=n) * DAY
    m = q - rng.integers(*S.MQL_TO_SQL_DAYS, size=n) * DAY
    lead = m - rng.integers(*S.LEAD_TO_MQL_DAYS, size=n) * DAY
    floor = start * DAY + 3600
    lead = np.maximum(lead, floor)
    m = np.maximum(m, lead + 3600)
    q = np.maximum(q, m + 3600)
    funnel &= q < d_created
    sdr = np.full(n, -1, np.int64)
    fi = np.flatnonzero(funnel)
    sdr[fi] = sdrs.pick(rng, team_sdr[deals.team[fi]], q[fi] // DAY)
    deals.channel[funnel & (sdr < 0)] = 2
    funnel &= sdr >= 0
    deals.sdr[:] = np.where(funnel, sdr, -1)
    # one new person per new deal; follow-on deals keep the contact of the deal they renew
    person_company = [deals.account[is_new]]
    deal_person = np.full(n, -1, np.int64)
    deal_person[is_new] = np.arange(is_new.sum())
    n_people = int(is_new.sum())
    # customers from before the span get a contact of their own
    base = (deals.dtype != NEW) & (deals.parent < 0)
    deal_person[base] = n_people + np.arange(base.sum())
    person_company.append(deals.account[base])
    n_people += int(base.sum())
    for _ in range(12):  # follow the parent chain (renewal of a renewal of ...)
        todo = (deal_person < 0) & (deals.parent >= 0)
        if not todo.any():
            break
        deal_person[todo] = deal_person[deals.parent[todo]]
    deals.contact[:] = deal_person
    # extra funnel people who never become opportunities
    extra_team, extra_lead, extra_m, extra_q = _extra_funnel(rng, deals, funnel, m, size, start, horizon)
    extra_company = pick_companies(rng, companies, extra_team)
    extra_ids = n_people + np.arange(len(extra_team))
    person_company.append(extra_company)
    n_people += len(extra_team)
    company = np.concatenate(person_company)
    people = _people(rng, company, n_people)
    crm_of_team = np.array([t.crm for t in org.teams])
    # -- HubSpot contacts ----------------------------------------------------------------------------
    parts_hs, parts_sf_lead, parts_sf_contact, parts_pd = [], [], [], []
    first_deal = is_new | base
    fd = np.flatnonzero(first_deal)
    dcrm = deals.crm[fd]
    ae_created = d_created[fd] - rng.integers(0, 20, size=len(fd)) * DAY
    ae_created = np.maximum(ae_created, floor)
    owner_now = np.where(deals.owner0[fd] >= 0, deals.owner0[fd], -1)
    won_first = won_ts[fd]
    fun = funnel[fd]
    # HubSpot deal contacts
    h = dcrm == S.HS
    parts_hs.append(_records(deal_person[fd][h], np.where(fun[h], lead[fd][h], ae_created[h]),
                             np.where(fun[h], sdr[fd][h], owner_now[h]),
                             mql=np.where(fun[h], m[fd][h], NEVER), sql=np.where(fun[h], q[fd][h], NEVER),
                             opp=d_created[fd][h], customer=won_first[h], deal=fd[h]))
    # Salesforce: leads for the funnel, contacts for everyone (converted or created by the AE)
    sf = dcrm == S.SF
    sfl = sf & fun
    lead_idx = fd[sfl]
    parts_sf_lead.append(_records(deal_person[lead_idx], lead[lead_idx], sdr[lead_idx], mql=m[lead_idx],
                                  sql=q[lead_idx], opp=d_created[lead_idx], deal=lead_idx))
    parts_sf_contact.append(_records(deal_person[fd][sf], np.where(fun[sf], d_created[fd][sf], ae_created[sf]),
                                     owner_now[sf], deal=fd[sf]))
    # Pipedrive persons
    p = dcrm == S.PD
    parts_pd.append(_records(deal_person[fd][p], ae_created[p], owner_now[p], deal=fd[p]))
    # extra funnel people
    e_crm = crm_of_team[extra_team] if len(extra_team) else np.empty(0, np.int64)
    e_lead = extra_lead
    e_owner = (sdrs.pick(rng, team_sdr[extra_team], np.minimum(extra_m, extra_lead + 30 * DAY) // DAY)
               if len(extra_team) else np.empty(0, np.int64))
    closed = np.where(extra_q < NEVER, extra_q, extra_m) + rng.integers(20, 60, size=len(extra_m)) * DAY
    closed = np.where(closed < horizon_s, business_time(rng, closed // DAY), NEVER)
    eh, es = e_crm == S.HS, e_crm == S.SF
    parts_hs.append(_records(extra_ids[eh], e_lead[eh], e_owner[eh], mql=extra_m[eh], sql=extra_q[eh]))
    parts_sf_lead.append(_records(extra_ids[es], e_lead[es], e_owner[es], mql=extra_m[es], sql=extra_q[es],
                                  closed=closed[es]))
    hs = _concat(parts_hs)
    sf_leads = _concat(parts_sf_lead)
    sf_contacts = _concat(parts_sf_contact)
    hs = _cross_list(rng, sf_leads, hs, start)
    pd_persons = _concat(parts_pd)
    # converted lead -> its contact (same person)
    contact_of_person = pd.Series(np.arange(len(sf_contacts)), index=sf_contacts.person)
    contact_of_person = contact_of_person[~contact_of_person.index.duplicated()]
    conv = sf_leads.opp < NEVER
    sf_contact_of_lead = np.full(len(sf_leads), -1, np.int64)
    sf_contact_of_lead[conv] = contact_of_person.reindex(sf_leads.person[conv]).fillna(-1).to_numpy(np.int64)
    for rec in (hs, sf_leads, sf_contacts, pd_persons):
        _deletions(rng, rec, horizon_s)
    return Funnel(people, hs, sf_leads, sf_contacts, pd_persons, sf_contact_of_lead)


def _extra_funnel(rng: np.random.Generator, deals: Deals, funnel: np.ndarray, m: np.ndarray,
                  size: S.SizeSpec, start: int, horizon: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MQLs that never reach SQL, SQLs that never become deals, and leads that never become MQL
    (their MQL time is NEVER), timed like the funnel deals of the same team."""
    fi = np.flatnonzero(funnel)
    if len(fi) == 0:
        e = np.empty(0, np.int64)
        return e, e, e, e
    n_sql = len(fi) / S.SQL_TO_OPP
    n_sql_only = int(n_sql - len(fi))
    n_mql_only = int(n_sql / S.MQL_TO_SQL - n_sql)
    n_lead_only = int((n_sql / S.MQL_TO_SQL) * S.LEAD_ONLY_SHARE * size.funnel_rate)
    total = n_sql_only + n_mql_only + n_lead_only
    src = rng.choice(fi, size=total)
    team = deals.team[src].astype(np.int64)
    mt = m[src] + rng.integers(-20, 21, size=total) * DAY
    mt = business_time(rng, np.clip(mt // DAY, start + 1, horizon - 1))
    qt = np.full(total, NEVER, np.int64)
    qt[:n_sql_only] = business_time(rng, mt[:n_sql_only] // DAY + rng.integers(*S.MQL_TO_SQL_DAYS, size=n_sql_only))
    qt[qt >= horizon * DAY] = NEVER
    lt = np.maximum(start * DAY + 3600, mt - rng.integers(*S.LEAD_TO_MQL_DAYS, size=total) * DAY)
    lt = np.minimum(lt, mt - 60)
    mt[n_sql_only + n_mql_only:] = NEVER  # leads that never become MQL
    return team, lt, mt, qt


def _people(rng: np.random.Generator, company: np.ndarray, n: int) -> People:
    first = rng.integers(0, len(FIRST_NAMES), size=n).astype(np.int16)
    last = rng.integers(0, len(LAST_NAMES), size=n).astype(np.int16)
    frame = pd.DataFrame({"f": first, "l": last, "c": company})
    email_n = frame.groupby(["f", "l", "c"]).cumcount().to_numpy()
    email_n = np.where(email_n > 0, email_n + 1, 0)
    title = rng.integers(0, len(TITLES), size=n).astype(np.int8)
    return People(first, last, company.astype(np.int64), title, email_n, rng.random(n) < 0.2)


def _concat(parts: list[Records]) -> Records:
    from dataclasses import fields
    return Records(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Records)))


def _cross_list(rng: np.random.Generator, sf_leads: Records, hs: Records, start: int) -> Records:
    """Marketing holds a share of the Salesforce leads in HubSpot too: same e-mail, MQL a few days
    earlier (so the earliest MQL is HubSpot's), sometimes also marked SQL there."""
    ok = (sf_leads.mql < NEVER) & (sf_leads.mql // DAY >= start + 10)
    pick = np.flatnonzero(ok & (rng.random(len(sf_leads)) < S.CROSS_LISTED_LEADS))
    if len(pick) == 0:
        return hs
    mql_day = sf_leads.mql[pick] // DAY - rng.integers(1, 4, size=len(pick))
    h_mql = business_time(rng, mql_day, 1.0)
    h_mql = np.minimum(h_mql, (sf_leads.mql[pick] // DAY - 1) * DAY + 20 * 3600)
    h_created = np.minimum(sf_leads.created[pick], h_mql) - rng.integers(0, 5, size=len(pick)) * DAY
    h_created = np.maximum(h_created, start * DAY + 3600)
    h_created = np.minimum(h_created, h_mql - 60)
    has_sql = (sf_leads.sql[pick] < NEVER) & (rng.random(len(pick)) < 0.5)
    h_sql = np.where(has_sql, sf_leads.sql[pick] + rng.integers(0, 3, size=len(pick)) * DAY + 600, NEVER)
    extra = _records(sf_leads.person[pick], h_created, sf_leads.owner[pick], mql=h_mql, sql=h_sql,
                     mirror=True)
    return _concat([hs, extra])


def _deletions(rng: np.random.Generator, rec: Records, horizon_s: int) -> None:
    pick = rng.random(len(rec)) < 0.004
    when = rec.created + rng.integers(2, 90, size=len(rec)) * DAY
    when = business_time(rng, when // DAY)
    # never delete a record that a deal hangs on
    pick &= rec.deal < 0
    rec.deleted[pick & (when < horizon_s)] = when[pick & (when < horizon_s)]
