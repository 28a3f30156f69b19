"""Salesforce opportunities with their history, activities, quotas and currencies (methods of
`SalesforceRenderer`, kept in their own module for size)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import settings as S
from ..activities import CALL, EMAIL, MEETING, PROPOSAL, REC_LEAD
from ..events import AMOUNT, CLOSE, STAGE, TOUCH
from ..ids import sf_id
from ..timeutil import DAY, date_of, fiscal_year_quarter, iso_date, sf_datetime
from .lazy import records

if TYPE_CHECKING:
    from .salesforce import SalesforceRenderer

TYPE_LABEL = ("New Customer", "Renewal", "Existing Customer - Upgrade")
LEAD_SOURCE = ("Web", "Outbound", "Other", "Partner Referral", "Trade Show")
FORECAST_LABEL = {"Pipeline": "Pipeline", "BestCase": "Best Case", "Forecast": "Commit",
                  "Closed": "Closed", "Omitted": "Omitted"}


def _opp_name(self: SalesforceRenderer, d: int) -> str:
    deals = self.w.deals
    c = int(deals.account[d])
    base = self.w.companies.display_name(c, S.SF) if c >= 0 else "Unknown account"
    kind = ("New subscription", "Renewal", "Expansion")[int(deals.dtype[d])]
    return f"{base} - {kind} {date_of(int(deals.created[d]) // DAY).year}"


def _history(self: SalesforceRenderer, d: int) -> list[tuple[int, int, float, int]]:
    """(ts, stage, amount, close day) after each change of stage, amount or close date."""
    ts, fld, val, _ = self.c.deal_events(d)
    out: list[tuple[int, int, float, int]] = []
    stage, amount, close = 1, 0.0, 0
    i = 0
    while i < len(ts):
        t = ts[i]
        changed = False
        while i < len(ts) and ts[i] == t:
            if fld[i] == STAGE:
                stage, changed = int(val[i]), True
            elif fld[i] == AMOUNT:
                amount, changed = float(val[i]), True
            elif fld[i] == CLOSE:
                close, changed = int(val[i]), True
            i += 1
        if changed:
            out.append((int(t), stage, amount, close))
    return out


def opportunities(self: SalesforceRenderer) -> dict[str, Any]:
    """Opportunity, OpportunityHistory and OpportunityFieldHistory."""
    c, w = self.c, self.w
    deals = w.deals
    ids = c.deals_of(S.SF)
    fy = w.fiscal_year_start_month
    drift = c.drift_visible("salesforce")
    drift_ts = w.drift_ts("salesforce")

    def build(lo: int, hi: int) -> list[dict[str, Any]]:
        rows = []
        for d in ids[lo:hi]:
            d = int(d)
            stage = int(c.stage[d])
            si = stage - 1
            prob = S.SF_STAGE_PROB[si]
            amount = float(c.amount[d])
            close_day = int(c.close[d])
            year, quarter = fiscal_year_quarter(date_of(close_day), fy)
            cat = S.SF_FORECAST_CATEGORY[si]
            row = {
                "Id": self.opp_id(d), "Name": _opp_name(self, d),
                "AccountId": self.account_id(int(deals.account[d])) if deals.account[d] >= 0 else None,
                "OwnerId": self.user_id(int(c.owner[d])), "StageName": S.SF_STAGES[si],
                "Amount": amount, "Probability": float(prob), "ExpectedRevenue": round(amount * prob / 100, 2),
                "CloseDate": iso_date(close_day), "IsClosed": stage >= S.WON, "IsWon": stage == S.WON,
                "ForecastCategory": cat, "ForecastCategoryName": FORECAST_LABEL[cat],
                "Type": TYPE_LABEL[int(deals.dtype[d])], "LeadSource": LEAD_SOURCE[int(deals.channel[d])],
                "Lead_Channel__c": S.LEAD_CHANNELS[int(deals.channel[d])],
                "Loss_Reason__c": _loss_reason(deals, d) if stage == S.LOST else None,
                "NextStep": _next_step(c, d), "FiscalYear": year, "FiscalQuarter": quarter,
                "CurrencyIsoCode": S.CURRENCIES[int(deals.currency[d])], "HasOpportunityLineItem": False,
                "CreatedById": self.user_id(int(deals.owner0[d])), "LastModifiedById": self.user_id(int(c.owner[d])),
                "CreatedDate": sf_datetime(int(deals.created[d])),
                "LastModifiedDate": sf_datetime(int(c.modified[d])),
                "SystemModstamp": sf_datetime(int(c.modified[d])), "IsDeleted": bool(c.deleted[d]),
            }
            # the new field shows on records written after it was created (older rows are
            # unchanged, so an incremental sync need not re-read them)
            if drift and c.modified[d] >= drift_ts:
                row["Competitor__c"] = S.COMPETITORS[d % len(S.COMPETITORS)] if d % 3 else None
            rows.append(row)
        return rows

    hist_counts, field_counts = _row_counts(self, ids) if self.lazy else (None, None)
    return {
        "Opportunity": records(len(ids), build, self.lazy),
        "OpportunityHistory": _flat(self, ids, lambda d: _history_rows(self, d), hist_counts),
        "OpportunityFieldHistory": _flat(self, ids, lambda d: _field_rows(self, d), field_counts),
    }


def _row_counts(self: SalesforceRenderer, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows per opportunity of OpportunityHistory (distinct change times of stage, amount or close
    date) and of OpportunityFieldHistory (creation plus each stage-name change), vectorised."""
    log, cut, n = self.w.log, self.c.cut, len(self.w.deals)
    m = (log.ts < cut) & (log.field <= CLOSE)
    d, t = log.deal[m], log.ts[m]
    distinct = np.r_[True, (d[1:] != d[:-1]) | (t[1:] != t[:-1])]
    hist = np.bincount(d[distinct], minlength=n)
    s = (log.ts < cut) & (log.field == STAGE)
    d, v = log.deal[s], log.value[s]
    change = np.r_[False, (d[1:] == d[:-1]) & (v[1:] != v[:-1])]
    fields = 1 + np.bincount(d[change], minlength=n)
    return hist[ids], fields[ids]


def _flat(self: SalesforceRenderer, ids: np.ndarray, rows_of: Any, counts: np.ndarray | None) -> Any:
    """All rows of all deals, as a list or a lazy sequence (`counts`: rows per deal)."""
    if not self.lazy or counts is None:
        return [r for d in ids for r in rows_of(int(d))]
    offsets = np.r_[0, np.cumsum(counts)]

    def build(lo: int, hi: int) -> list[dict[str, Any]]:
        first = int(np.searchsorted(offsets, lo, side="right") - 1)
        out: list[dict[str, Any]] = []
        k = first
        while k < len(ids) and offsets[k] < hi:
            out.extend(rows_of(int(ids[k])))
            k += 1
        return out[lo - int(offsets[first]): hi - int(offsets[first])]
    return records(int(offsets[-1]), build, True)


def _loss_reason(deals: Any, d: int) -> str:
    r = int(deals.loss_reason[d])
    if deals.dtype[d] == 1:
        return S.CHURN_REASONS[r % len(S.CHURN_REASONS)]
    return S.LOSS_REASONS[r % len(S.LOSS_REASONS)]


def _next_step(c: Any, d: int) -> str | None:
    """Changes with every untracked edit, so an edit is visible in the record."""
    _, fld, _, _ = c.deal_events(d)
    n = int((fld == TOUCH).sum())
    if c.stage[d] >= S.WON:
        return None
    return ("Book discovery call", "Send follow-up", "Align with procurement", "Schedule demo",
            "Confirm budget", "Prepare proposal")[n % 6] + (f" (rev {n})" if n else "")


def _history_rows(self: SalesforceRenderer, d: int) -> list[dict[str, Any]]:
    c, deals = self.c, self.w.deals
    hist = _history(self, d)
    deleted = bool(c.deleted[d])
    base = int(self.c.deal_seq[d]) * 256
    out = []
    prev_amount: float | None = None
    prev_close: int | None = None
    for k, (t, stage, amount, close) in enumerate(hist):
        prob = S.SF_STAGE_PROB[stage - 1]
        out.append({
            "Id": sf_id("OpportunityHistory", base + k), "OpportunityId": self.opp_id(d),
            "StageName": S.SF_STAGES[stage - 1], "Amount": amount,
            "ExpectedRevenue": round(amount * prob / 100, 2), "CloseDate": iso_date(close),
            "Probability": float(prob), "ForecastCategory": S.SF_FORECAST_CATEGORY[stage - 1],
            "PrevAmount": prev_amount, "PrevCloseDate": iso_date(prev_close) if prev_close is not None else None,
            "CreatedById": self.user_id(int(deals.owner0[d])), "CreatedDate": sf_datetime(t),
            "SystemModstamp": sf_datetime(int(deals.deleted[d]) if deleted else t), "IsDeleted": deleted,
            "CurrencyIsoCode": S.CURRENCIES[int(deals.currency[d])],
        })
        prev_amount, prev_close = amount, close
    return out


def _field_rows(self: SalesforceRenderer, d: int) -> list[dict[str, Any]]:
    c, deals = self.c, self.w.deals
    ts, fld, val, _ = c.deal_events(d)
    # field history has no modified timestamp; rows stay as written (deletion shows on the opportunity)
    deleted = False
    base = int(self.c.deal_seq[d]) * 256
    creator = self.user_id(int(deals.owner0[d]))
    out = [{"Id": sf_id("OpportunityFieldHistory", base), "OpportunityId": self.opp_id(d), "Field": "created",
            "DataType": "Text", "OldValue": None, "NewValue": None, "CreatedById": creator,
            "CreatedDate": sf_datetime(int(deals.created[d])), "IsDeleted": deleted}]
    prev = None
    for t, f, v in zip(ts, fld, val, strict=True):
        if f != STAGE:
            continue
        name = S.SF_STAGES[int(v) - 1]
        if prev is not None and name != prev:
            out.append({"Id": sf_id("OpportunityFieldHistory", base + len(out)), "OpportunityId": self.opp_id(d),
                        "Field": "StageName", "DataType": "Picklist", "OldValue": prev, "NewValue": name,
                        "CreatedById": creator, "CreatedDate": sf_datetime(int(t)), "IsDeleted": deleted})
        prev = name
    return out


def activities(self: SalesforceRenderer) -> dict[str, Any]:
    """Task (calls, e-mails, proposals, to-dos) and Event (meetings)."""
    c, w = self.c, self.w
    a = w.activities
    cut = c.cut
    base = (a.crm == S.SF) & (a.created < cut)
    tasks = np.flatnonzero(base & (a.kind != MEETING))
    events = np.flatnonzero(base & (a.kind == MEETING))

    def common(i: int) -> dict[str, Any]:
        deleted = a.deleted[i] < cut
        done = a.done[i] < cut
        modified = max(int(a.created[i]), int(a.done[i]) if done else 0, int(a.deleted[i]) if deleted else 0)
        who = None
        if a.rec[i] >= 0:
            who = sf_id("Lead", int(a.rec[i])) if a.rec_kind[i] == REC_LEAD else sf_id("Contact", int(a.rec[i]))
        what = self.opp_id(int(a.deal[i])) if a.deal[i] >= 0 else None
        account = self.account_id(int(a.company[i])) if a.company[i] >= 0 and a.rec_kind[i] != REC_LEAD else None
        return {"WhoId": who, "WhatId": what or account, "AccountId": account,
                "OwnerId": self.user_id(int(a.owner[i])), "CreatedDate": sf_datetime(int(a.created[i])),
                "LastModifiedDate": sf_datetime(modified), "SystemModstamp": sf_datetime(modified),
                "IsDeleted": bool(deleted)}, done

    def build_tasks(lo: int, hi: int) -> list[dict[str, Any]]:
        rows = []
        for i in tasks[lo:hi]:
            i = int(i)
            k = int(a.kind[i])
            row, done = common(i)
            subtype = "Call" if k == CALL else "Email" if k == EMAIL else "Task"
            kind = {CALL: "Call", EMAIL: "Email", PROPOSAL: "Proposal"}.get(k, "Other")
            subject = {CALL: "Call", EMAIL: "Email: follow-up", PROPOSAL: "Proposal sent"}.get(k, "Follow up")
            rows.append({
                "Id": sf_id("Task", i), "Subject": subject, "Status": "Completed" if done else "Not Started",
                "Priority": "Normal", "ActivityDate": iso_date(int(a.ts[i]) // DAY), "TaskSubtype": subtype,
                "Type": kind, "CallType": "Outbound" if k == CALL else None,
                "CallDurationInSeconds": int(a.duration[i]) * 60 if k == CALL else None,
                "CallDisposition": "Connected" if k == CALL else None, "IsClosed": bool(done),
                "CompletedDateTime": sf_datetime(int(a.done[i])) if done else None, **row,
            })
        return rows

    def build_events(lo: int, hi: int) -> list[dict[str, Any]]:
        rows = []
        for i in events[lo:hi]:
            i = int(i)
            row, _ = common(i)
            start = int(a.ts[i])
            minutes = int(a.duration[i])
            rows.append({
                "Id": sf_id("Event", i), "Subject": "Meeting", "StartDateTime": sf_datetime(start),
                "EndDateTime": sf_datetime(start + minutes * 60), "ActivityDateTime": sf_datetime(start),
                "ActivityDate": iso_date(start // DAY), "DurationInMinutes": minutes, "IsAllDayEvent": False,
                "EventSubtype": "Event", "Type": "Meeting", **row,
            })
        return rows

    return {"Task": records(len(tasks), build_tasks, self.lazy),
            "Event": records(len(events), build_events, self.lazy)}


def quotas(self: SalesforceRenderer) -> list[dict[str, Any]]:
    """Collaborative Forecasts revenue quotas of the Salesforce AEs."""
    c, w = self.c, self.w
    out = []
    for n, q in enumerate(w.quotas):
        if q.kind != "revenue" or q.known * DAY >= c.cut:
            continue
        emp = w.org.employees[q.employee]
        team = w.org.teams[emp.stint_at(q.start).team]
        if team.crm != S.SF or c.user(S.SF, q.employee) is None:
            continue
        created = q.known * DAY + 8 * 3600
        out.append({
            "Id": sf_id("ForecastingQuota", n), "QuotaOwnerId": self.user_id(q.employee),
            "QuotaAmount": q.amount, "QuotaQuantity": None, "StartDate": iso_date(q.start),
            "PeriodId": sf_id("Period", q.start), "ForecastingTypeId": sf_id("ForecastingType", 1),
            "IsAmount": True, "IsQuantity": False, "ProductFamily": None, "Territory2Id": None,
            "CurrencyIsoCode": w.corporate_currency, "CreatedDate": sf_datetime(created),
            "LastModifiedDate": sf_datetime(created), "SystemModstamp": sf_datetime(created), "IsDeleted": False,
        })
    return out


def currencies(self: SalesforceRenderer) -> dict[str, Any]:
    """CurrencyType (today's rates) and DatedConversionRate (one row per currency per day)."""
    c, w = self.c, self.w
    last_day = c.last_rate_day  # a day's rate is published that morning
    corp = w.corporate_currency
    types, dated = [], []
    for ci, code in enumerate(S.CURRENCIES):
        rate = 1.0 if code == corp else round(1.0 / c.rate(ci, last_day), 6)
        stamp = self.setup_ts if code == corp else last_day * DAY + 6 * 3600
        types.append({"Id": sf_id("CurrencyType", ci), "IsoCode": code, "ConversionRate": rate,
                      "DecimalPlaces": 2, "IsActive": True, "IsCorporate": code == corp,
                      "CreatedDate": sf_datetime(self.setup_ts), "LastModifiedDate": sf_datetime(stamp),
                      "SystemModstamp": sf_datetime(stamp), "IsDeleted": False})
        if code == corp:
            continue
        for day in range(w.fx_first, last_day + 1):
            created = day * DAY + 6 * 3600
            is_last = day == last_day
            modified = created if is_last else (day + 1) * DAY + 6 * 3600
            dated.append({
                "Id": sf_id("DatedConversionRate", ci * 100000 + day - w.fx_first), "IsoCode": code,
                "ConversionRate": round(1.0 / float(w.fx[ci, day - w.fx_first]), 6),
                "StartDate": iso_date(day), "NextStartDate": "9999-12-31" if is_last else iso_date(day + 1),
                "CreatedDate": sf_datetime(created), "LastModifiedDate": sf_datetime(modified),
                "SystemModstamp": sf_datetime(modified), "IsDeleted": False,
            })
    return {"CurrencyType": types, "DatedConversionRate": dated}

