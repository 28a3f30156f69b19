"""Manager changes of teams: validated from an explicit list (e.g. HR events) or reconstructed from spells.

The marts hold no dated history of who managed a team, so the reconstruction is a best effort: the
managers a team had are the manager e-mails its members' spells name (leaders' own rows excluded, they
name their own boss). Managers are ordered by the last day a member spell naming them ran; the change
from one to the next is dated, in order of preference, by the new manager's hire (an own spell starting
after the old manager was first named), by the old manager's exit (an own spell ending after that), or
by the last day the old manager was named. An explicit list, when available, is always more accurate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.team_health.periods import day_number, day_to_date, days_of
from revops.team_health.roster import LEADER_ROLES, Roster

CHANGE_COLUMNS = ["team", "change_date", "old_manager_email", "new_manager_email"]


def validate_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise an explicit list of manager changes (team, change_date, old/new e-mails)."""
    missing = [c for c in ("team", "change_date") if c not in changes.columns]
    if missing:
        raise ValueError(
            f"team_health manager changes: missing columns {missing}; pass a DataFrame with columns "
            f"{CHANGE_COLUMNS} (old and new manager e-mails may be NULL)"
        )
    frame = changes.copy()
    for column in ("old_manager_email", "new_manager_email"):
        if column not in frame:
            frame[column] = None
        frame[column] = frame[column].astype(object).map(lambda v: v.strip().lower() if isinstance(v, str) else None)
    no_date = frame["change_date"].isna() | frame["team"].isna()
    if no_date.any():
        raise ValueError(
            f"team_health manager changes: row {int(np.nonzero(no_date.to_numpy())[0][0])} has no team or no "
            "change_date; every change needs both"
        )
    frame["change_date"] = [day_to_date(d) for d in days_of(frame["change_date"])]
    return frame[CHANGE_COLUMNS].sort_values(["team", "change_date"]).reset_index(drop=True)


def detect_manager_changes(roster: Roster) -> pd.DataFrame:
    """Manager changes reconstructed from the employment spells (see the module docstring)."""
    spells = roster.spells
    as_of = roster.as_of_day
    evidence = spells[spells["spell_manager"].notna() & spells["spell_team"].notna()]
    member = ~evidence["role"].isin(LEADER_ROLES)
    # Leaders' rows count only in teams that have no other members.
    evidence = evidence[member | ~member.groupby(evidence["spell_team"]).transform("any")]
    named = (
        evidence.assign(last=np.minimum(evidence["end"], as_of))
        .groupby(["spell_team", "spell_manager"], as_index=False)
        .agg(first_seen=("start", "min"), last_seen=("last", "max"))
    )
    named = named[named.groupby("spell_team")["spell_manager"].transform("size") > 1]
    own_spells = {email: group for email, group in spells[spells["email"].isin(named["spell_manager"])]
                  .groupby("email")}
    rows = []
    for team, managers in named.sort_values(["spell_team", "last_seen", "first_seen"]).groupby("spell_team"):
        ordered = list(managers.itertuples(index=False))
        for old, new in zip(ordered, ordered[1:], strict=False):
            change = _date_change(old.spell_manager, int(old.first_seen), int(old.last_seen), new.spell_manager,
                                  own_spells, as_of)
            rows.append({"team": team, "change_date": day_to_date(change), "old_manager_email": old.spell_manager,
                         "new_manager_email": new.spell_manager})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _date_change(old_email: str, old_first: int, old_last: int, new_email: str,
                 own_spells: dict[str, pd.DataFrame], as_of: int) -> int:
    new_own = own_spells.get(new_email)
    if new_own is not None:
        joined = new_own.loc[new_own["start"] > old_first, "start"]
        if len(joined):
            return int(joined.min())
    old_own = own_spells.get(old_email)
    if old_own is not None:
        left = old_own.loc[(old_own["end"] > old_first) & (old_own["end"] <= as_of), "end"]
        if len(left):
            return int(left.min())
    return old_last


def changes_in_range(changes: pd.DataFrame, first_day: int, end_day: int) -> set[str]:
    """Teams with a manager change dated in [first_day, end_day)."""
    if changes.empty:
        return set()
    days = np.array([day_number(d) for d in changes["change_date"]], dtype=np.int64)
    inside = (days >= first_day) & (days < end_day)
    return set(changes.loc[inside, "team"])
