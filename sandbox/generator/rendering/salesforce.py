"""Salesforce records (one flat dict per row, field API names, SOQL value formats)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import settings as S
from ..companies import Companies
from ..deals import SALES_OPS
from ..ids import sf_id
from ..names import COUNTRY_INFO, FIRST_NAMES, INDUSTRIES, LAST_NAMES, TITLES
from ..timeutil import DAY, iso_date, sf_datetime
from . import salesforce_deals
from .context import Context, User
from .lazy import records

SEGMENT_LABEL = ("SMB", "Mid-Market", "Enterprise")
ROLE_TITLE = {"ae": "Account Executive", "sdr": "Sales Development Representative",
              "manager": "Sales Manager", "vp": "VP Sales"}
SETUP_TS_OFFSET = 30 * DAY  # org set-up objects were created a month before the span
PROFILE_ID = sf_id("Profile", 1)


def _audit(created: int, modified: int, deleted: bool = False) -> dict[str, Any]:
    return {"CreatedDate": sf_datetime(int(created)), "LastModifiedDate": sf_datetime(modified),
            "SystemModstamp": sf_datetime(modified), "IsDeleted": bool(deleted)}


class SalesforceRenderer:
    def __init__(self, ctx: Context) -> None:
        self.c = ctx
        self.w = ctx.w
        self.lazy = S.SIZES[self.w.size].lazy_records
        self.setup_ts = self.w.start * DAY - SETUP_TS_OFFSET + 9 * 3600
        self.ops_id = sf_id("User", 0)
        acc = self.w.accounts[S.SF]
        self.account_of_company = dict(zip(acc.company.tolist(), range(len(acc)), strict=True))

    # -- ids ------------------------------------------------------------------------------------------
    def user_id(self, emp: int) -> str:
        if emp == SALES_OPS or emp < 0:
            return self.ops_id
        u = self.c.user(S.SF, emp)
        return sf_id("User", u.seq) if u is not None else self.ops_id

    def account_id(self, company: int) -> str | None:
        i = self.account_of_company.get(int(company))
        if i is None or self.w.accounts[S.SF].created[i] >= self.c.cut:
            return None
        return sf_id("Account", i)

    def opp_id(self, deal: int) -> str:
        return sf_id("Opportunity", int(self.c.deal_seq[deal]))

    # -- objects --------------------------------------------------------------------------------------
    def all(self) -> dict[str, Any]:
        return {
            "UserRole": self.user_roles(), "User": self.users(), "Account": self.accounts(),
            "Contact": self.contacts(), "Lead": self.leads(), "OpportunityStage": self.stages(),
            **self.opportunities(), **self.activities(), "ForecastingQuota": self.quotas(),
            **self.currencies(),
        }

    def _role_rows(self) -> list[tuple[str, str, str | None]]:
        rows: list[tuple[str, str, str | None]] = [("VP_Sales", "VP Sales", None)]
        for t in self.w.org.teams:
            if t.crm != S.SF or t.market == "leadership":
                continue
            dev = "".join(ch if ch.isalnum() else "_" for ch in t.name)
            rows.append((f"{dev}_Manager", f"{t.name} Manager", "VP_Sales"))
            rows.append((f"{dev}_Rep", f"{t.name} Rep", f"{dev}_Manager"))
        return rows

    def user_roles(self) -> list[dict[str, Any]]:
        rows = self._role_rows()
        ids = {dev: sf_id("UserRole", i) for i, (dev, _, _) in enumerate(rows)}
        return [{"Id": ids[dev], "Name": name, "DeveloperName": dev,
                 "ParentRoleId": ids[parent] if parent else None, "RollupDescription": name,
                 "OpportunityAccessForAccountOwner": "Edit", **_audit(self.setup_ts, self.setup_ts)}
                for dev, name, parent in rows]

    def role_id(self, u: User) -> str:
        rows = self._role_rows()
        emp = self.w.org.employees[u.employees[-1]]
        st = emp.stint_at(self.c.cut // DAY)
        team = self.w.org.teams[st.team]
        if st.role == "vp":
            return sf_id("UserRole", 0)
        dev = "".join(ch if ch.isalnum() else "_" for ch in team.name)
        dev += "_Manager" if st.role == "manager" else "_Rep"
        names = [r[0] for r in rows]
        if dev not in names:  # a manager whose first team is in another CRM
            return sf_id("UserRole", 0)
        return sf_id("UserRole", names.index(dev))

    def users(self) -> list[dict[str, Any]]:
        cut = self.c.cut
        out = [{"Id": self.ops_id, "Username": S.SALES_OPS_EMAIL, "Name": "Sales Operations",
                "FirstName": "Sales", "LastName": "Operations", "Email": S.SALES_OPS_EMAIL,
                "Alias": "salesops", "IsActive": True, "UserRoleId": None, "ManagerId": None,
                "ProfileId": PROFILE_ID, "UserType": "Standard", "Title": "Integration User",
                "Department": "Revenue Operations", "DefaultCurrencyIsoCode": self.w.corporate_currency,
                "CurrencyIsoCode": self.w.corporate_currency, **_audit(self.setup_ts, self.setup_ts)}]
        org = self.w.org
        for u in self.c.users[S.SF]:
            if u.created >= cut:
                continue
            emp = org.employees[u.employees[-1]]
            st = emp.stint_at(cut // DAY)
            mgr = org.teams[st.team].manager_at(cut // DAY) if st.role in ("ae", "sdr") else org.vp
            manager_id = self.user_id(mgr) if mgr is not None and mgr != emp.idx else None
            out.append({
                "Id": sf_id("User", u.seq), "Username": u.email + ".crm", "Name": f"{u.first} {u.last}",
                "FirstName": u.first, "LastName": u.last, "Email": u.email,
                "Alias": (u.first[:1] + u.last[:4]).lower(), "IsActive": u.active(cut),
                "UserRoleId": self.role_id(u), "ManagerId": manager_id if manager_id != self.ops_id else None,
                "ProfileId": PROFILE_ID, "UserType": "Standard", "Title": ROLE_TITLE[st.role],
                "Department": "Sales", "DefaultCurrencyIsoCode": self.w.corporate_currency,
                "CurrencyIsoCode": self.w.corporate_currency, **_audit(u.created, u.modified(cut)),
            })
        return out

    def accounts(self) -> Any:
        acc = self.w.accounts[S.SF]
        comp: Companies = self.w.companies
        cut = self.c.cut
        n = int((acc.created < cut).sum())  # records are ordered by creation
        order = np.argsort(acc.created, kind="stable")[:n]

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in order[lo:hi]:
                c = int(acc.company[i])
                customer = acc.customer[i] < cut
                modified = max(int(acc.created[i]), int(acc.customer[i]) if customer else 0)
                cur = S.CURRENCIES[int(comp.currency[c])]
                rate = self.c.rate(int(comp.currency[c]), self.w.start)
                rows.append({
                    "Id": sf_id("Account", int(i)), "Name": comp.display_name(c, S.SF),
                    "Type": "Customer" if customer else "Prospect", "Industry": INDUSTRIES[comp.industry[c]],
                    "NumberOfEmployees": int(comp.employees[c]),
                    "AnnualRevenue": float(round(comp.revenue[c] / rate, -3)),
                    "BillingCity": comp.city[c], "BillingCountry": COUNTRY_INFO[comp.country[c]][0],
                    "Website": f"https://www.{comp.domain[c]}", "OwnerId": self.user_id(int(acc.owner[i])),
                    "Segment__c": SEGMENT_LABEL[comp.segment[c]], "Strategic__c": bool(comp.strategic[c]),
                    "Territory__c": self.w.org.teams[int(comp.team[c])].spec.territory,
                    "CurrencyIsoCode": cur, "CreatedById": self.ops_id, "LastModifiedById": self.ops_id,
                    **_audit(int(acc.created[i]), modified),
                })
            return rows
        return records(n, build, self.lazy)

    def _person(self, person: int) -> tuple[str, str, str, str]:
        p = self.w.funnel.people
        return (FIRST_NAMES[p.first[person]], LAST_NAMES[p.last[person]],
                p.email(person, self.w.companies, S.SF), TITLES[p.title[person]])

    def contacts(self) -> Any:
        rec = self.w.funnel.sf_contacts
        cut = self.c.cut
        idx = np.flatnonzero(rec.created < cut)
        comp = self.w.funnel.people.company

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in idx[lo:hi]:
                first, last, email, title = self._person(int(rec.person[i]))
                c = int(comp[rec.person[i]])
                deleted = rec.deleted[i] < cut
                modified = int(rec.deleted[i]) if deleted else int(rec.created[i])
                rows.append({
                    "Id": sf_id("Contact", int(i)), "AccountId": self.account_id(c) if c >= 0 else None,
                    "FirstName": first, "LastName": last, "Name": f"{first} {last}", "Email": email,
                    "Title": title, "MailingCountry": COUNTRY_INFO[self.w.companies.country[c]][0] if c >= 0 else None,
                    "OwnerId": self.user_id(int(rec.owner[i])), "LeadSource": None,
                    "CurrencyIsoCode": self.w.corporate_currency, **_audit(int(rec.created[i]), modified, deleted),
                })
            return rows
        return records(len(idx), build, self.lazy)

    def leads(self) -> Any:
        f = self.w.funnel
        rec = f.sf_leads
        cut = self.c.cut
        idx = np.flatnonzero(rec.created < cut)
        comp: Companies = self.w.companies

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in idx[lo:hi]:
                person = int(rec.person[i])
                first, last, email, title = self._person(person)
                c = int(f.people.company[person])
                conv = rec.opp[i] < cut
                closed = rec.closed[i] < cut
                mql = rec.mql[i] < cut
                sql = rec.sql[i] < cut
                status = ("Closed - Converted" if conv else "Closed - Not Converted" if closed
                          else "Working - Contacted" if mql else "Open - Not Contacted")
                stamps = [int(t) for t in (rec.created[i], rec.mql[i], rec.sql[i], rec.opp[i], rec.closed[i],
                                           rec.deleted[i]) if t < cut]
                deal = int(rec.deal[i])
                contact = int(f.sf_contact_of_lead[i])
                rows.append({
                    "Id": sf_id("Lead", int(i)), "FirstName": first, "LastName": last,
                    "Name": f"{first} {last}", "Company": comp.display_name(c, S.SF) if c >= 0 else None,
                    "Email": email, "Title": title,
                    "Country": COUNTRY_INFO[comp.country[c]][0] if c >= 0 else None,
                    "Industry": INDUSTRIES[comp.industry[c]] if c >= 0 else None,
                    "NumberOfEmployees": int(comp.employees[c]) if c >= 0 else None,
                    "Status": status, "LeadSource": "Web" if i % 2 == 0 else "Outbound",
                    "IsConverted": bool(conv),
                    "ConvertedDate": iso_date(int(rec.opp[i]) // DAY) if conv else None,
                    "ConvertedAccountId": self.account_id(c) if conv and c >= 0 else None,
                    "ConvertedContactId": sf_id("Contact", contact) if conv and contact >= 0 else None,
                    "ConvertedOpportunityId": self.opp_id(deal) if conv and deal >= 0 else None,
                    "OwnerId": self.user_id(int(rec.owner[i])),
                    "MQL_Date__c": iso_date(int(rec.mql[i]) // DAY) if mql else None,
                    "SQL_Date__c": iso_date(int(rec.sql[i]) // DAY) if sql else None,
                    "CurrencyIsoCode": self.w.corporate_currency,
                    **_audit(int(rec.created[i]), max(stamps), bool(rec.deleted[i] < cut)),
                })
            return rows
        return records(len(idx), build, self.lazy)

    def stages(self) -> list[dict[str, Any]]:
        out = []
        for i, name in enumerate(S.SF_STAGES):
            cat = S.SF_FORECAST_CATEGORY[i]
            out.append({"Id": sf_id("OpportunityStage", i), "ApiName": name, "MasterLabel": name,
                        "IsActive": True, "SortOrder": i + 1, "IsClosed": i >= 4, "IsWon": i == 4,
                        "DefaultProbability": float(S.SF_STAGE_PROB[i]), "ForecastCategory": cat,
                        "ForecastCategoryName": salesforce_deals.FORECAST_LABEL[cat], "Description": None,
                        "CreatedById": self.ops_id, "LastModifiedById": self.ops_id,
                        **_audit(self.setup_ts, self.setup_ts)})
        return out

    opportunities = salesforce_deals.opportunities
    activities = salesforce_deals.activities
    quotas = salesforce_deals.quotas
    currencies = salesforce_deals.currencies
