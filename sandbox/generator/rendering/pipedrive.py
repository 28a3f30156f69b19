"""Pipedrive records: v2 shapes for deals, persons, organizations, activities, pipelines and
stages; v1 shapes for users, activity types, field metadata and the deal flow."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import settings as S
from ..activities import CALL, EMAIL, MEETING, PROPOSAL
from ..deals import SALES_OPS
from ..events import AMOUNT, CLOSE, OWNER, STAGE
from ..ids import hex_key
from ..names import COUNTRY_INFO, FIRST_NAMES, LAST_NAMES
from ..timeutil import DAY, dt_of, iso_date, pd_v1, rfc3339
from .context import Context
from .lazy import records

LEAD_CHANNEL_KEY = hex_key("deal:lead_channel")
COMPETITOR_KEY = hex_key("deal:competitor")
WEBSITE_KEY = hex_key("organization:website")
EMPLOYEES_KEY = hex_key("organization:employees")
ACTIVITY_KEY = {CALL: "call", MEETING: "meeting", EMAIL: "email", PROPOSAL: "proposal"}
ACTIVITY_TYPES = (("Call", "call", "call"), ("Meeting", "meeting", "users"), ("Task", "task", "task"),
                  ("Deadline", "deadline", "deadline"), ("Email", "email", "email"), ("Lunch", "lunch", "lunch"),
                  ("Proposal sent", "proposal", "document"))


def pd_stage(stage: int, sub: int) -> int:
    """Pipedrive stage id (1-5) of an open canonical stage and qualification sub-stage."""
    return 1 + sub if stage == 1 else stage + 1


class PipedriveRenderer:
    def __init__(self, ctx: Context) -> None:
        self.c = ctx
        self.w = ctx.w
        self.lazy = S.SIZES[self.w.size].lazy_records
        self.setup_ts = self.w.start * DAY - 30 * DAY + 9 * 3600
        acc = self.w.accounts[S.PD]
        self.org_rec = dict(zip(acc.company.tolist(), range(len(acc)), strict=True))
        rec = self.w.funnel.pd_persons
        s = pd.Series(np.arange(len(rec)), index=rec.person)
        self.person_rec = s[~s.index.duplicated()].to_dict()
        vp = ctx.user(S.PD, self.w.org.vp)
        self.fallback_user = vp.seq if vp is not None else 1

    def user_id(self, emp: int) -> int:
        if emp == SALES_OPS or emp < 0:
            return self.fallback_user
        u = self.c.user(S.PD, emp)
        return u.seq if u is not None else self.fallback_user

    def org_id(self, company: int) -> int | None:
        if company < 0 or company not in self.org_rec:
            return None
        i = int(self.org_rec[company])
        return i + 1 if self.w.accounts[S.PD].created[i] < self.c.cut else None

    def person_id(self, person: int) -> int | None:
        if person < 0 or person not in self.person_rec:
            return None
        i = int(self.person_rec[person])
        return i + 1 if self.w.funnel.pd_persons.created[i] < self.c.cut else None

    def all(self) -> dict[str, Any]:
        return {"users": self.users(), "pipelines": self.pipelines(), "stages": self.stages(),
                "activityTypes": self.activity_types(), "dealFields": self.deal_fields(),
                "organizationFields": self.organization_fields(), "organizations": self.organizations(),
                "persons": self.persons(), **self.deals(), "activities": self.activities()}

    def users(self) -> list[dict[str, Any]]:
        cut = self.c.cut
        return [{"id": u.seq, "name": f"{u.first} {u.last}", "email": u.email, "active_flag": u.active(cut),
                 "is_admin": self.w.org.vp in u.employees, "role_id": 1, "default_currency": "GBP",
                 "timezone_name": "Europe/London", "locale": "en_GB", "lang": 1, "created": pd_v1(u.created),
                 "modified": pd_v1(u.modified(cut)), "last_login": pd_v1(u.modified(cut)),
                 "is_you": u.seq == self.fallback_user, "icon_url": None, "has_created_company": False}
                for u in self.c.users[S.PD] if u.created < cut]

    def pipelines(self) -> list[dict[str, Any]]:
        ts = rfc3339(self.setup_ts)
        return [{"id": 1, "name": "Subsidiary sales", "order_nr": 1, "is_deleted": False,
                 "is_deal_probability_enabled": True, "add_time": ts, "update_time": ts}]

    def stages(self) -> list[dict[str, Any]]:
        ts = rfc3339(self.setup_ts)
        return [{"id": i + 1, "order_nr": i + 1, "name": name, "is_deleted": False,
                 "deal_probability": S.PD_STAGE_PROB[i], "pipeline_id": 1, "is_deal_rot_enabled": False,
                 "days_to_rotten": None, "add_time": ts, "update_time": ts}
                for i, name in enumerate(S.PD_STAGES)]

    def activity_types(self) -> list[dict[str, Any]]:
        ts = pd_v1(self.setup_ts)
        return [{"id": i + 1, "name": name, "key_string": key, "icon_key": icon, "order_nr": i + 1,
                 "active_flag": True, "is_custom_flag": key == "proposal", "color": None,
                 "add_time": ts, "update_time": ts} for i, (name, key, icon) in enumerate(ACTIVITY_TYPES)]

    def deal_fields(self) -> list[dict[str, Any]]:
        ts = pd_v1(self.setup_ts)
        std = [("title", "Title", "varchar"), ("value", "Value", "monetary"), ("currency", "Currency", "varchar"),
               ("stage_id", "Stage", "stage"), ("status", "Status", "status"), ("user_id", "Owner", "user"),
               ("expected_close_date", "Expected close date", "date"), ("lost_reason", "Lost reason", "varchar")]
        out = [{"id": i + 1, "key": key, "name": name, "field_type": ftype, "options": None, "edit_flag": False,
                "active_flag": True, "mandatory_flag": False, "order_nr": i + 1, "add_time": ts, "update_time": ts}
               for i, (key, name, ftype) in enumerate(std)]
        out.append({"id": 9001, "key": LEAD_CHANNEL_KEY, "name": "Lead channel", "field_type": "enum",
                    "options": [{"id": k + 1, "label": label} for k, label in enumerate(S.LEAD_CHANNELS)],
                    "edit_flag": True, "active_flag": True, "mandatory_flag": False, "order_nr": 20,
                    "add_time": ts, "update_time": ts})
        if self.c.drift_visible("pipedrive"):
            dts = pd_v1(self.w.drift_ts("pipedrive"))
            out.append({"id": 9002, "key": COMPETITOR_KEY, "name": "Competitor", "field_type": "varchar",
                        "options": None, "edit_flag": True, "active_flag": True, "mandatory_flag": False,
                        "order_nr": 21, "add_time": dts, "update_time": dts})
        return out

    def organization_fields(self) -> list[dict[str, Any]]:
        ts = pd_v1(self.setup_ts)
        return [{"id": 9101, "key": WEBSITE_KEY, "name": "Website", "field_type": "varchar", "options": None,
                 "edit_flag": True, "active_flag": True, "add_time": ts, "update_time": ts},
                {"id": 9102, "key": EMPLOYEES_KEY, "name": "Employees", "field_type": "double", "options": None,
                 "edit_flag": True, "active_flag": True, "add_time": ts, "update_time": ts}]

    def organizations(self) -> Any:
        acc = self.w.accounts[S.PD]
        comp = self.w.companies
        cut = self.c.cut
        idx = np.flatnonzero(acc.created < cut)

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in idx[lo:hi]:
                c = int(acc.company[i])
                country = COUNTRY_INFO[comp.country[c]][0]
                rows.append({
                    "id": int(i) + 1, "name": comp.display_name(c, S.PD), "owner_id": self.user_id(int(acc.owner[i])),
                    "add_time": rfc3339(int(acc.created[i])), "update_time": rfc3339(int(acc.created[i])),
                    "is_deleted": False, "visible_to": 3, "label_ids": [],
                    "address": {"value": f"{comp.city[c]}, {country}", "locality": comp.city[c], "country": country},
                    "custom_fields": {WEBSITE_KEY: f"www.{comp.domain[c]}", EMPLOYEES_KEY: int(comp.employees[c])},
                })
            return rows
        return records(len(idx), build, self.lazy)

    def persons(self) -> Any:
        rec = self.w.funnel.pd_persons
        people = self.w.funnel.people
        cut = self.c.cut
        idx = np.flatnonzero(rec.created < cut)

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in idx[lo:hi]:
                p = int(rec.person[i])
                first, last = FIRST_NAMES[people.first[p]], LAST_NAMES[people.last[p]]
                deleted = rec.deleted[i] < cut
                modified = int(rec.deleted[i]) if deleted else int(rec.created[i])
                rows.append({
                    "id": int(i) + 1, "name": f"{first} {last}", "first_name": first, "last_name": last,
                    "owner_id": self.user_id(int(rec.owner[i])), "org_id": self.org_id(int(people.company[p])),
                    "emails": [{"value": people.email(p, self.w.companies, S.PD), "primary": True, "label": "work"}],
                    "phones": [], "add_time": rfc3339(int(rec.created[i])), "update_time": rfc3339(modified),
                    "is_deleted": bool(deleted), "visible_to": 3, "label_ids": [], "custom_fields": {},
                })
            return rows
        return records(len(idx), build, self.lazy)

    def _timeline(self, d: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Deal-flow changes after creation, and the deal's current stage/status fields."""
        c, deals = self.c, self.w.deals
        ts, fld, val, sub = c.deal_events(d)
        created = int(deals.created[d])
        status, stage = "open", 1
        amount, close, owner = 0.0, 0, int(deals.owner0[d])
        stage_change = created
        closed_at: int | None = None
        changes: list[dict[str, Any]] = []
        base = int(c.deal_seq[d]) * 256

        def change(t: int, key: str, old: Any, new: Any, extra: dict[str, Any] | None = None) -> None:
            if t <= created:
                return
            changes.append({"deal_id": int(c.deal_seq[d]) + 1, "object": "dealChange", "timestamp": pd_v1(t),
                            "data": {"id": base + len(changes) + 1, "item_id": int(c.deal_seq[d]) + 1,
                                     "user_id": self.user_id(owner), "field_key": key,
                                     "old_value": None if old is None else str(old),
                                     "new_value": None if new is None else str(new), "is_bulk_update_flag": None,
                                     "log_time": pd_v1(t), "change_source": "app",
                                     "additional_data": extra or {}}})

        for t, f, v, s in zip(ts.tolist(), fld.tolist(), val.tolist(), sub.tolist(), strict=True):
            if f == STAGE:
                v = int(v)
                if v < S.WON:
                    new_stage = pd_stage(v, int(s))
                    if status != "open":
                        change(t, "status", status, "open")
                        status, closed_at = "open", None
                    if new_stage != stage:
                        change(t, "stage_id", stage, new_stage,
                               {"old_value_formatted": S.PD_STAGES[stage - 1],
                                "new_value_formatted": S.PD_STAGES[new_stage - 1]})
                        stage, stage_change = new_stage, t
                else:
                    new_status = "won" if v == S.WON else "lost"
                    change(t, "status", status, new_status)
                    status, closed_at = new_status, t
            elif f == AMOUNT:
                change(t, "value", _num(amount), _num(v))
                amount = float(v)
            elif f == CLOSE:
                change(t, "expected_close_date", iso_date(close) if close else None, iso_date(int(v)))
                close = int(v)
            elif f == OWNER:
                change(t, "user_id", self.user_id(owner), self.user_id(int(v)))
                owner = int(v)
        fields = {"status": status, "stage_id": stage, "stage_change_time": rfc3339(stage_change),
                  "won_time": rfc3339(closed_at) if status == "won" and closed_at else None,
                  "lost_time": rfc3339(closed_at) if status == "lost" and closed_at else None,
                  "close_time": rfc3339(closed_at) if closed_at else None}
        return changes, fields

    def deals(self) -> dict[str, Any]:
        c, w = self.c, self.w
        deals = w.deals
        ids = c.deals_of(S.PD)
        drift = c.drift_visible("pipedrive")
        drift_ts = w.drift_ts("pipedrive")

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for d in ids[lo:hi]:
                d = int(d)
                _, fields = self._timeline(d)
                custom: dict[str, Any] = {LEAD_CHANNEL_KEY: int(deals.channel[d]) + 1}
                if drift and c.modified[d] >= drift_ts:  # deals written after the field was added
                    custom[COMPETITOR_KEY] = S.COMPETITORS[d % len(S.COMPETITORS)] if d % 2 else None
                rows.append({
                    "id": int(c.deal_seq[d]) + 1, "title": _title(w, d), "owner_id": self.user_id(int(c.owner[d])),
                    "creator_user_id": self.user_id(int(deals.owner0[d])),
                    "person_id": self.person_id(int(deals.contact[d])), "org_id": self.org_id(int(deals.account[d])),
                    "pipeline_id": 1, "value": float(c.amount[d]), "currency": S.CURRENCIES[int(deals.currency[d])],
                    "probability": None,
                    "lost_reason": (S.LOSS_REASONS[int(deals.loss_reason[d]) % len(S.LOSS_REASONS)]
                                    if fields["status"] == "lost" else None),
                    "visible_to": 3, "add_time": rfc3339(int(deals.created[d])),
                    "update_time": rfc3339(int(c.modified[d])), "expected_close_date": iso_date(int(c.close[d])),
                    "is_deleted": bool(c.deleted[d]), "is_archived": False, "label_ids": [],
                    "origin": "ManuallyCreated", "custom_fields": custom, **fields,
                })
            return rows

        if self.lazy:
            flow: Any = _LazyFlow(self, ids)
        else:
            flow = [ch for d in ids for ch in self._timeline(int(d))[0]]
        return {"deals": records(len(ids), build, self.lazy), "dealFlow": flow}

    def activities(self) -> Any:
        a = self.w.activities
        cut = self.c.cut
        in_pd = a.crm == S.PD
        rank = np.cumsum(in_pd) - 1
        idx = np.flatnonzero(in_pd & (a.created < cut))

        def build(lo: int, hi: int) -> list[dict[str, Any]]:
            rows = []
            for i in idx[lo:hi]:
                i = int(i)
                done = a.done[i] < cut
                deleted = a.deleted[i] < cut
                modified = max(int(a.created[i]), int(a.done[i]) if done else 0, int(a.deleted[i]) if deleted else 0)
                when = dt_of(int(a.ts[i]))
                minutes = int(a.duration[i])
                person = self.person_id(int(self.w.funnel.pd_persons.person[a.rec[i]])) if a.rec[i] >= 0 else None
                key = ACTIVITY_KEY.get(int(a.kind[i]), "task")
                rows.append({
                    "id": int(rank[i]) + 1, "subject": key.capitalize(), "type": key,
                    "owner_id": self.user_id(int(a.owner[i])),
                    "deal_id": int(self.c.deal_seq[a.deal[i]]) + 1 if a.deal[i] >= 0 else None,
                    "person_id": person, "org_id": self.org_id(int(a.company[i])),
                    "due_date": when.strftime("%Y-%m-%d"), "due_time": when.strftime("%H:%M"),
                    "duration": f"{minutes // 60:02d}:{minutes % 60:02d}" if minutes else None,
                    "done": bool(done), "marked_as_done_time": rfc3339(int(a.done[i])) if done else None,
                    "add_time": rfc3339(int(a.created[i])), "update_time": rfc3339(modified),
                    "is_deleted": bool(deleted), "busy": key == "meeting",
                    "participants": [{"person_id": person, "primary": True}] if person else [],
                })
            return rows
        return records(len(idx), build, self.lazy)


class _LazyFlow:
    """The deal flow of a very large dataset, built on iteration."""

    def __init__(self, r: PipedriveRenderer, ids: np.ndarray) -> None:
        self.r, self.ids = r, ids
        self._all: list[dict[str, Any]] | None = None

    def _rows(self) -> list[dict[str, Any]]:
        if self._all is None:
            self._all = [ch for d in self.ids for ch in self.r._timeline(int(d))[0]]
        return self._all

    def __iter__(self):  # type: ignore[no-untyped-def]
        for d in self.ids:
            yield from self.r._timeline(int(d))[0]

    def __len__(self) -> int:
        return len(self._rows())

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        return self._rows()[i]


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _title(w: Any, d: int) -> str:
    deals = w.deals
    c = int(deals.account[d])
    base = w.companies.display_name(c, S.PD) if c >= 0 else "Walk-in"
    return f"{base} deal"
