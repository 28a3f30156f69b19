"""Who and what exists in more than one CRM (for unification tests), and the built-in manager
changes with their effects."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import settings as S
from ..ids import sf_id
from ..names import FIRST_NAMES, LAST_NAMES
from ..rendering.context import Context
from ..rendering.hubspot import COMPANY_BASE, CONTACT_BASE, OWNER_BASE
from ..timeutil import DAY, iso_date
from ..world import World

COLUMNS = ["entity_type", "match_key", "salesforce_id", "hubspot_id", "pipedrive_id", "salesforce_name",
           "hubspot_name", "pipedrive_name"]


def identities(world: World) -> pd.DataFrame:
    """Users, companies and people present in at least two CRMs at the cutoff."""
    cut = world.cutoff
    ctx = Context(world)
    rows: list[dict[str, Any]] = []
    by_person: dict[int, dict[int, Any]] = {}
    for crm, users in ctx.users.items():
        for u in users:
            if u.created < cut:
                by_person.setdefault(u.person, {})[crm] = u
    for found in by_person.values():
        if len(found) < 2:
            continue
        u = next(iter(found.values()))
        rows.append({"entity_type": "user", "match_key": u.email.lower(),
                     "salesforce_id": sf_id("User", found[S.SF].seq) if S.SF in found else None,
                     "hubspot_id": str(OWNER_BASE + found[S.HS].seq) if S.HS in found else None,
                     "pipedrive_id": found[S.PD].seq if S.PD in found else None,
                     "salesforce_name": f"{u.first} {u.last}" if S.SF in found else None,
                     "hubspot_name": f"{u.first} {u.last}" if S.HS in found else None,
                     "pipedrive_name": f"{u.first} {u.last}" if S.PD in found else None})
    comp = world.companies
    present: dict[int, dict[int, int]] = {}
    for crm, acc in world.accounts.items():
        for i in np.flatnonzero(acc.created < cut):
            present.setdefault(int(acc.company[i]), {})[crm] = int(i)
    for c, found in sorted(present.items()):
        if len(found) < 2:
            continue
        rows.append({"entity_type": "company", "match_key": comp.domain[c],
                     "salesforce_id": sf_id("Account", found[S.SF]) if S.SF in found else None,
                     "hubspot_id": str(COMPANY_BASE + found[S.HS]) if S.HS in found else None,
                     "pipedrive_id": found[S.PD] + 1 if S.PD in found else None,
                     **{f"{name}_name": comp.display_name(c, crm) if crm in found else None
                        for crm, name in enumerate(S.CRMS)}})
    rows.extend(_people(world))
    return pd.DataFrame(rows, columns=COLUMNS)


def _people(world: World) -> list[dict[str, Any]]:
    cut = world.cutoff
    f = world.funnel
    found: dict[int, dict[str, tuple[str, Any]]] = {}

    def note(records: Any, key: str, make_id: Any) -> None:
        ok = np.flatnonzero((records.created < cut) & (records.deleted >= cut))
        for i in ok:
            found.setdefault(int(records.person[i]), {}).setdefault(key, make_id(int(i)))

    note(f.sf_contacts, "salesforce", lambda i: ("Contact", sf_id("Contact", i)))
    note(f.sf_leads, "salesforce", lambda i: ("Lead", sf_id("Lead", i)))
    note(f.hs_contacts, "hubspot", lambda i: ("contacts", str(CONTACT_BASE + i)))
    note(f.pd_persons, "pipedrive", lambda i: ("persons", i + 1))
    rows = []
    for person, ids in sorted(found.items()):
        if len(ids) < 2:
            continue
        name = f"{FIRST_NAMES[f.people.first[person]]} {LAST_NAMES[f.people.last[person]]}"
        rows.append({"entity_type": "person", "match_key": f.people.email(person, world.companies).lower(),
                     **{f"{crm}_id": ids[crm][1] if crm in ids else None for crm in S.CRMS},
                     **{f"{crm}_name": name if crm in ids else None for crm in S.CRMS}})
    return rows


def manager_changes(world: World) -> pd.DataFrame:
    org = world.org
    rows = []
    for mc in org.manager_changes:
        if mc.day * DAY >= world.cutoff:
            continue
        rows.append({"team": org.teams[mc.team].name, "change_date": iso_date(mc.day),
                     "old_manager_email": org.employees[mc.old].email,
                     "new_manager_email": org.employees[mc.new].email,
                     **world.manager_effects,
                     "effect_applies_to": "new-business deals of the team created on or after change_date; "
                                          "eNPS answers of the team after change_date"})
    return pd.DataFrame(rows, columns=["team", "change_date", "old_manager_email", "new_manager_email",
                                       "built_in_effect_win_rate_points",
                                       "built_in_effect_stage_conversion_demo_points",
                                       "built_in_effect_enps_score_points", "effect_applies_to"])
