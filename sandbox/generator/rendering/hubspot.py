"""HubSpot records: CRM objects with string-valued `properties`, owners, the deal pipeline and
associations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import settings as S
from ..activities import CALL, EMAIL, MEETING, NOTE, PROPOSAL, TASK
from ..deals import SALES_OPS
from ..events import AMOUNT, CLOSE, STAGE
from ..names import COUNTRY_INFO, FIRST_NAMES, INDUSTRIES, LAST_NAMES, TITLES
from ..timeutil import DAY, NEVER, iso_ms
from .context import Context
from .lazy import records

CONTACT_BASE, COMPANY_BASE, DEAL_BASE, ENGAGEMENT_BASE = 100_000_000, 200_000_000, 300_000_000, 400_000_000
OWNER_BASE, USER_BASE = 41_629_000, 9_586_000
ENGAGEMENT_OBJECT = {CALL: "calls", MEETING: "meetings", EMAIL: "emails", PROPOSAL: "emails",
                     NOTE: "notes", TASK: "tasks"}
# HubSpot-defined association type ids (engagement -> deal / contact / company)
ENGAGEMENT_ASSOC = {"calls": (206, 194, 182), "meetings": (212, 200, 188), "emails": (210, 198, 186),
                    "notes": (214, 202, 190), "tasks": (216, 204, 192)}
LIFECYCLE = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
SEGMENT_VALUE = ("smb", "mid_market", "enterprise")


def num(x: float) -> str:
    """A number as HubSpot sends it: a string without a trailing `.0`."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text if text else "0"


def hs_stage(stage: int, sub: int) -> int:
    """Index into settings.HS_STAGES of a canonical stage and qualification sub-stage."""
    return sub if stage == 1 else stage


def _obj(oid: str, props: dict[str, Any], created: int, modified: int, deleted_at: int | None) -> dict[str, Any]:
    props = {k: (None if v is None else str(v)) for k, v in props.items()}
    props.update({"hs_object_id": oid, "createdate": iso_ms(created), "hs_lastmodifieddate": iso_ms(modified)})
    out: dict[str, Any] = {"id": oid, "properties": props, "createdAt": iso_ms(created),
                           "updatedAt": iso_ms(modified), "archived": deleted_at is not None}
    if deleted_at is not None:
        out["archivedAt"] = iso_ms(deleted_at)
    return out


class HubspotRenderer:
    def __init__(self, ctx: Context) -> None:
        self.c = ctx
        self.w = ctx.w
        self.lazy = S.SIZES[self.w.size].lazy_records
        self.setup_ts = self.w.start * DAY - 30 * DAY + 9 * 3600
        acc = self.w.accounts[S.HS]
        self.company_rec = dict(zip(acc.company.tolist(), range(len(acc)), strict=True))
        rec = self.w.funnel.hs_contacts
        primary = pd.Series(np.arange(len(rec)), index=rec.person)
        self.contact_of_person = primary[~primary.index.duplicated()].to_dict()

    def owner_id(self, emp: int) -> str | None:
        if emp == SALES_OPS or emp < 0:
            return None
        u = self.c.user(S.HS, emp)
        return str(OWNER_BASE + u.seq) if u is not None else None

    def user_num(self, emp: int) -> int | None:
        u = self.c.user(S.HS, emp) if emp >= 0 else None
        return USER_BASE + u.seq if u is not None else None

    def company_id(self, company: int) -> str | None:
        if company < 0 or company not in self.company_rec:
            return None
        i = int(self.company_rec[company])
        return str(COMPANY_BASE + i) if self.w.accounts[S.HS].created[i] < self.c.cut else None

    def contact_id(self, person: int) -> str | None:
        if person < 0 or person not in self.contact_of_person:
            return None
        i = int(self.contact_of_person[person])
        return str(CONTACT_BASE + i) if self.w.funnel.hs_contacts.created[i] < self.c.cut else None

    def all(self) -> dict[str, Any]:
        out = {"owners": self.owners(), "pipelines_deals": self.pipelines(),
               "companies": self.companies(), "contacts": self.contacts(), "deals": self.deals()}
        out.update(self.engagements())
        out["associations"] = self.associations()
        return out

    def associations(self) -> Any:
        """One line per association (from -> to), built from id arrays."""
        c, w = self.c, self.w
        cut = c.cut
        acc, contacts, people, a = w.accounts[S.HS], w.funnel.hs_contacts, w.funnel.people, w.activities
        company_rec = np.full(len(w.companies) + 1, -1, np.int64)
        company_rec[acc.company] = np.where(acc.created < cut, np.arange(len(acc)), -1)
        first = pd.Series(np.arange(len(contacts)), index=contacts.person)
        first = first[~first.index.duplicated()]
        contact_rec = np.full(len(people) + 1, -1, np.int64)
        contact_rec[first.index.to_numpy()] = np.where(contacts.created[first.to_numpy()] < cut, first.to_numpy(), -1)
        groups: list[tuple[str, str, np.ndarray, np.ndarray, int]] = []

        def add(frm: str, to: str, from_num: np.ndarray, to_rec: np.ndarray, base: int, type_id: int) -> None:
            ok = to_rec >= 0
            groups.append((frm, to, from_num[ok], to_rec[ok] + base, type_id))
        ci = np.flatnonzero(contacts.created < cut)
        add("contacts", "companies", ci + CONTACT_BASE, company_rec[people.company[contacts.person[ci]]],
            COMPANY_BASE, 1)
        di = c.deals_of(S.HS)
        d_num = c.deal_seq[di] + DEAL_BASE
        add("deals", "companies", d_num, company_rec[w.deals.account[di]], COMPANY_BASE, 5)
        add("deals", "contacts", d_num, contact_rec[w.deals.contact[di]], CONTACT_BASE, 3)
        for name in ("calls", "meetings", "emails", "notes", "tasks"):
            kinds = [k for k, v in ENGAGEMENT_OBJECT.items() if v == name]
            ei = np.flatnonzero((a.crm == S.HS) & (a.created < cut) & np.isin(a.kind, kinds))
            t_deal, t_contact, t_company = ENGAGEMENT_ASSOC[name]
            e_num = ei + ENGAGEMENT_BASE
            deal = a.deal[ei]
            add(name, "deals", e_num, np.where(deal >= 0, c.deal_seq[np.maximum(deal, 0)], -1), DEAL_BASE, t_deal)
            rec = a.rec[ei]
            rec_ok = np.where(rec >= 0, contacts.created[np.maximum(rec, 0)] < cut, False)
            add(name, "contacts", e_num, np.where(rec_ok, rec, -1), CONTACT_BASE, t_contact)
            add(name, "companies", e_num, company_rec[a.company[ei]], COMPANY_BASE, t_company)
        offsets = np.cumsum([0] + [len(g[2]) for g in groups])

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for k, (frm, to, fnum, tnum, type_id) in enumerate(groups):
                a_lo, a_hi = max(lo, int(offsets[k])), min(hi, int(offsets[k + 1]))
                for j in range(a_lo - int(offsets[k]), a_hi - int(offsets[k])):
                    out.append({"fromObjectType": frm, "fromId": str(int(fnum[j])), "toObjectType": to,
                                "toId": str(int(tnum[j])), "typeId": type_id, "category": "HUBSPOT_DEFINED"})
            return out
        return records(int(offsets[-1]), build, self.lazy)

    def owners(self) -> list[dict[str, Any]]:
        cut = self.c.cut
        out = []
        for u in self.c.users[S.HS]:
            if u.created >= cut:
                continue
            teams = list(dict.fromkeys(t for t in u.teams
                                       if self.w.org.teams[t].crm == S.HS or self.w.org.teams[t].market == "sdr"))
            out.append({
                "id": str(OWNER_BASE + u.seq), "email": u.email, "type": "PERSON", "firstName": u.first,
                "lastName": u.last, "userId": USER_BASE + u.seq, "userIdIncludingInactive": USER_BASE + u.seq,
                "createdAt": iso_ms(u.created), "updatedAt": iso_ms(u.modified(cut)), "archived": not u.active(cut),
                "teams": [{"id": str(1000 + t), "name": self.w.org.teams[t].name, "primary": k == 0}
                          for k, t in enumerate(teams)],
            })
        return out

    def pipelines(self) -> list[dict[str, Any]]:
        ts = iso_ms(self.setup_ts)
        stages = [{"id": sid, "label": S.HS_STAGE_LABELS[i], "displayOrder": i, "archived": False,
                   "createdAt": ts, "updatedAt": ts,
                   "metadata": {"isClosed": "true" if i >= 5 else "false", "probability": S.HS_STAGE_PROB[i]}}
                  for i, sid in enumerate(S.HS_STAGES)]
        return [{"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": False,
                 "createdAt": ts, "updatedAt": ts, "stages": stages}]

    def companies(self) -> Any:
        acc = self.w.accounts[S.HS]
        comp = self.w.companies
        cut = self.c.cut
        idx = np.flatnonzero(acc.created < cut)

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in idx[lo:hi]:
                c = int(acc.company[i])
                customer = acc.customer[i] < cut
                modified = max(int(acc.created[i]), int(acc.customer[i]) if customer else 0)
                rows.append(_obj(str(COMPANY_BASE + int(i)), {
                    "name": comp.display_name(c, S.HS), "domain": comp.domain[c],
                    "industry": INDUSTRIES[comp.industry[c]], "numberofemployees": int(comp.employees[c]),
                    "annualrevenue": int(comp.revenue[c]), "country": COUNTRY_INFO[comp.country[c]][0],
                    "city": comp.city[c], "lifecyclestage": "customer" if customer else "lead",
                    "hubspot_owner_id": self.owner_id(int(acc.owner[i])),
                    "segment": SEGMENT_VALUE[comp.segment[c]],
                    "strategic_account": "true" if comp.strategic[c] else "false",
                }, int(acc.created[i]), modified, None))
            return rows
        return records(len(idx), build, self.lazy)

    def contacts(self) -> Any:
        rec = self.w.funnel.hs_contacts
        people = self.w.funnel.people
        comp = self.w.companies
        cut = self.c.cut
        idx = np.flatnonzero(rec.created < cut)

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in idx[lo:hi]:
                p = int(rec.person[i])
                c = int(people.company[p])
                times = (rec.created[i], rec.mql[i], rec.sql[i], rec.opp[i], rec.customer[i])
                reached = [(LIFECYCLE[k], int(t)) for k, t in enumerate(times) if t < cut]
                deleted = rec.deleted[i] < cut
                modified = max([t for _, t in reached] + ([int(rec.deleted[i])] if deleted else []))
                props: dict[str, Any] = {
                    "email": people.email(p, comp, S.HS), "firstname": FIRST_NAMES[people.first[p]],
                    "lastname": LAST_NAMES[people.last[p]], "jobtitle": TITLES[people.title[p]],
                    "company": comp.display_name(c, S.HS) if c >= 0 else None,
                    "country": COUNTRY_INFO[comp.country[c]][0] if c >= 0 else None,
                    "lifecyclestage": reached[-1][0], "hubspot_owner_id": self.owner_id(int(rec.owner[i])),
                    "hs_analytics_source": "ORGANIC_SEARCH" if rec.mql[i] < NEVER else "OFFLINE",
                    "lastmodifieddate": iso_ms(modified),
                }
                for stage, t in reached:
                    props[f"hs_lifecyclestage_{stage}_date"] = iso_ms(t)
                obj = _obj(str(CONTACT_BASE + int(i)), props, int(rec.created[i]), modified,
                           int(rec.deleted[i]) if deleted else None)
                owner = self.user_num(int(rec.owner[i]))
                obj["propertiesWithHistory"] = {"lifecyclestage": [
                    {"value": stage, "timestamp": iso_ms(t), "sourceType": "CRM_UI" if owner else "AUTOMATION_PLATFORM",
                     "sourceId": f"userId:{owner}" if owner else None, "updatedByUserId": owner}
                    for stage, t in reversed(reached)]}
                rows.append(obj)
            return rows
        return records(len(idx), build, self.lazy)

    def deals(self) -> Any:
        c, w = self.c, self.w
        ids = c.deals_of(S.HS)
        drift = c.drift_visible("hubspot")
        drift_ts = w.drift_ts("hubspot")

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for d in ids[lo:hi]:
                rows.append(self._deal(int(d), drift, drift_ts))
            return rows
        return records(len(ids), build, self.lazy)

    def _deal(self, d: int, drift: bool, drift_ts: int) -> dict[str, Any]:
        c, w = self.c, self.w
        deals = w.deals
        ts, fld, val, sub = c.deal_events(d)
        stage_i = hs_stage(int(c.stage[d]), int(c.sub[d]))
        uid = self.user_num(int(deals.owner0[d]))
        hist: dict[str, list[dict[str, Any]]] = {"dealstage": [], "amount": [], "closedate": []}
        entered: dict[str, int] = {}
        for t, f, v, s in zip(ts, fld, val, sub, strict=True):
            if f == STAGE:
                value = S.HS_STAGES[hs_stage(int(v), int(s))]
                entered.setdefault(value, int(t))
                key = "dealstage"
            elif f == AMOUNT:
                value, key = num(float(v)), "amount"
            elif f == CLOSE:
                value, key = iso_ms(int(v) * DAY), "closedate"
            else:
                continue
            hist[key].append({"value": value, "timestamp": iso_ms(int(t)), "sourceType": "CRM_UI",
                              "sourceId": f"userId:{uid}" if uid else None, "updatedByUserId": uid})
        stage = int(c.stage[d])
        props: dict[str, Any] = {
            "dealname": _deal_name(w, d), "amount": num(float(c.amount[d])), "dealstage": S.HS_STAGES[stage_i],
            "pipeline": "default", "closedate": iso_ms(int(c.close[d]) * DAY),
            "hubspot_owner_id": self.owner_id(int(c.owner[d])),
            "hs_is_closed": "true" if stage >= S.WON else "false",
            "hs_is_closed_won": "true" if stage == S.WON else "false",
            "hs_deal_stage_probability": S.HS_STAGE_PROB[stage_i],
            "deal_currency_code": S.CURRENCIES[int(deals.currency[d])],
            "dealtype": "newbusiness" if deals.dtype[d] == 0 else "existingbusiness",
            "closed_lost_reason": (S.LOSS_REASONS[int(deals.loss_reason[d]) % len(S.LOSS_REASONS)]
                                   if stage == S.LOST else None),
            "lead_channel": S.LEAD_CHANNELS[int(deals.channel[d])],
        }
        for value, t in entered.items():
            props[f"hs_date_entered_{value}"] = iso_ms(t)
        if drift and c.modified[d] >= drift_ts:  # only on deals written after the property was created
            props["partner_name"] = ("Channel Partner " + "ABC"[d % 3]) if d % 4 == 0 else None
        obj = _obj(str(DEAL_BASE + int(c.deal_seq[d])), props, int(deals.created[d]), int(c.modified[d]),
                   int(deals.deleted[d]) if c.deleted[d] else None)
        obj["propertiesWithHistory"] = {k: list(reversed(v)) for k, v in hist.items()}
        return obj

    def engagements(self) -> dict[str, Any]:
        a = self.w.activities
        cut = self.c.cut
        out: dict[str, Any] = {}
        for name in ("calls", "meetings", "emails", "notes", "tasks"):
            kinds = [k for k, v in ENGAGEMENT_OBJECT.items() if v == name]
            idx = np.flatnonzero((a.crm == S.HS) & (a.created < cut) & np.isin(a.kind, kinds))
            out[name] = records(len(idx), lambda lo, hi, idx=idx: [self._engagement(int(i)) for i in idx[lo:hi]],
                                self.lazy)
        return out

    def _engagement(self, i: int) -> dict[str, Any]:
        a = self.w.activities
        cut = self.c.cut
        k = int(a.kind[i])
        done = a.done[i] < cut
        deleted = a.deleted[i] < cut
        modified = max(int(a.created[i]), int(a.done[i]) if done else 0, int(a.deleted[i]) if deleted else 0)
        ts = int(a.ts[i])
        props: dict[str, Any] = {"hs_timestamp": iso_ms(ts), "hubspot_owner_id": self.owner_id(int(a.owner[i]))}
        if k == CALL:
            props.update({"hs_call_title": "Call", "hs_call_body": "Discussed next steps",
                          "hs_call_duration": str(int(a.duration[i]) * 60000), "hs_call_direction": "OUTBOUND",
                          "hs_call_status": "COMPLETED",
                          "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7"})
        elif k == MEETING:
            props.update({"hs_meeting_title": "Meeting", "hs_meeting_start_time": iso_ms(ts),
                          "hs_meeting_end_time": iso_ms(ts + int(a.duration[i]) * 60),
                          "hs_meeting_outcome": "COMPLETED" if done else "SCHEDULED"})
        elif k in (EMAIL, PROPOSAL):
            props.update({"hs_email_direction": "EMAIL", "hs_email_status": "SENT",
                          "hs_email_subject": "Proposal" if k == PROPOSAL else "Following up",
                          "activity_category": "proposal_sent" if k == PROPOSAL else None})
        elif k == NOTE:
            props["hs_note_body"] = "Notes from the last conversation"
        else:
            props.update({"hs_task_subject": "Follow up", "hs_task_status": "COMPLETED" if done else "NOT_STARTED",
                          "hs_task_type": "TODO", "hs_task_priority": "MEDIUM"})
        return _obj(str(ENGAGEMENT_BASE + i), props, int(a.created[i]), modified,
                    int(a.deleted[i]) if deleted else None)


def _deal_name(w: Any, d: int) -> str:
    deals = w.deals
    c = int(deals.account[d])
    base = w.companies.display_name(c, S.HS) if c >= 0 else "Unknown company"
    return f"{base} - {('New', 'Renewal', 'Upsell')[int(deals.dtype[d])]}"
