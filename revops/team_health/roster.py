"""The HR roster as the team-health computations need it: employment spells, people, teams, managers
and the scopes (company, team, manager) each person counts in.

Attribution is "as is" (docs/kpis.md): a person counts in their current team (the last team the roster
gives them) for their whole history, and in the scope of their current manager (the manager the roster
names for them; the team's manager when it names none). A manager's scope is their direct reports, so a
manager who runs two teams has one scope made of both teams, and does not count in their own scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from revops.team_health.periods import NO_DAY, OPEN_DAY, days_of

UNASSIGNED_TEAM = "unassigned"
REP_ROLES = ("ae", "sdr")
# Roles that lead rather than belong to a team; they do not vote on who manages a team.
LEADER_ROLES = ("manager", "vp")
SPELL_COLUMNS = ("rep_id", "email", "role", "team", "manager_email", "spell_start", "spell_end", "exit_type")


@dataclass(frozen=True)
class Roster:
    """Normalised roster.

    spells: one row per employment spell (overlapping spells of a person merged), columns person_id,
      employee_id, email, role, spell_team, spell_manager, start, end (day numbers; end is OPEN_DAY while
      employed as of the as-of date), exit_type.
    people: one row per person: person_id, email, role, team (current), manager_email (the current manager
      of that team), hire_day (start of the latest spell), end (end of the latest spell).
    team_managers: team, manager_email (the current manager of each team, NULL when unknown).
    scopes: scope_pos, scope_type, scope_id (positions index the scope axis of the computations).
    person_scopes: person_id, scope_pos (each person is in company, their team and their manager).
    """

    spells: pd.DataFrame
    people: pd.DataFrame
    team_managers: pd.DataFrame
    scopes: pd.DataFrame
    person_scopes: pd.DataFrame
    as_of_day: int

    def scope_pairs(self, person_ids: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(item index, scope position) pairs for items owned by the given people, one per scope."""
        items = pd.DataFrame({"person_id": np.asarray(person_ids, dtype=object)})
        items["item"] = np.arange(len(items))
        pairs = items.merge(self.person_scopes, on="person_id", how="inner")
        return pairs["item"].to_numpy(np.int64), pairs["scope_pos"].to_numpy(np.int64)

    def person_of_rep(self, rep_ids: pd.Series) -> pd.Series:
        """Person id of CRM rep ids (NaN for reps who are not in the HR roster)."""
        known = set(self.people["person_id"])
        return rep_ids.where(rep_ids.isin(known))


def _lower(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna()).map(lambda v: v.strip().lower() if isinstance(v, str) else v)


def _person_id(frame: pd.DataFrame) -> pd.Series:
    rep = frame["rep_id"].astype(object)
    return rep.where(rep.notna(), _lower(frame["email"]))


def _merge_overlaps(spells: pd.DataFrame) -> pd.DataFrame:
    """Merge spells of one person that overlap, so a person is never counted twice on one day."""
    spells = spells.sort_values(["person_id", "start", "end"]).reset_index(drop=True)
    previous_end = spells.groupby("person_id")["end"].cummax().groupby(spells["person_id"]).shift()
    new_block = previous_end.isna() | (spells["start"] >= previous_end)
    spells["block"] = new_block.cumsum()
    if spells["block"].is_unique:
        return spells.drop(columns="block")
    first_start = spells.groupby("block")["start"].transform("min")
    last = spells.sort_values(["block", "end"]).groupby("block").tail(1).copy()
    last["start"] = first_start.loc[last.index]
    return last.drop(columns="block").sort_values(["person_id", "start"]).reset_index(drop=True)


def normalise_spells(spells: pd.DataFrame, as_of_day: int) -> pd.DataFrame:
    """Spells as day numbers, with exits after the as-of date treated as not yet happened."""
    missing = [c for c in SPELL_COLUMNS if c not in spells.columns]
    if missing:
        raise ValueError(
            f"marts.fct_employment_spells: missing columns {missing}; rebuild the marts with `dbt build`"
        )
    frame = pd.DataFrame(
        {
            "person_id": _person_id(spells),
            "employee_id": spells["employee_id"].astype(object) if "employee_id" in spells else None,
            "email": _lower(spells["email"]),
            "role": _lower(spells["role"]),
            "spell_team": spells["team"].astype(object),
            "spell_manager": _lower(spells["manager_email"]),
            "start": days_of(spells["spell_start"]),
            "end": days_of(spells["spell_end"], open_value=OPEN_DAY),
            "exit_type": _lower(spells["exit_type"]),
        }
    )
    no_person = frame["person_id"].isna()
    if no_person.any():
        raise ValueError(
            "marts.fct_employment_spells: a spell has neither rep_id nor email "
            f"(employee_id {frame.loc[no_person, 'employee_id'].iloc[0]!r}); fix the HR roster row"
        )
    no_start = frame["start"] == NO_DAY
    if no_start.any():
        raise ValueError(
            f"marts.fct_employment_spells: spell of {frame.loc[no_start, 'person_id'].iloc[0]!r} has no "
            "spell_start; give the person a hire date in the HR roster"
        )
    backwards = frame["end"] < frame["start"]
    if backwards.any():
        raise ValueError(
            f"marts.fct_employment_spells: spell of {frame.loc[backwards, 'person_id'].iloc[0]!r} ends before "
            "it starts; correct the exit date in the HR roster"
        )
    frame = frame[frame["start"] <= as_of_day].copy()
    # An exit dated after the as-of date has not happened yet as of that date.
    future_exit = frame["end"] > as_of_day
    frame.loc[future_exit, "end"] = OPEN_DAY
    frame.loc[future_exit, "exit_type"] = None
    return _merge_overlaps(frame)


def _current_attributes(spells: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """One row per person: the latest spell, with team and manager taken from dim_reps when given."""
    latest = spells.sort_values(["person_id", "start"]).groupby("person_id").tail(1)
    people = pd.DataFrame(
        {
            "person_id": latest["person_id"].to_numpy(),
            "email": latest["email"].to_numpy(),
            "role": latest["role"].to_numpy(),
            "team": latest["spell_team"].to_numpy(),
            "manager_email": latest["spell_manager"].to_numpy(),
            "hire_day": latest["start"].to_numpy(),
            "end": latest["end"].to_numpy(),
        }
    )
    if len(reps):
        current = pd.DataFrame(
            {
                "person_id": _person_id(reps),
                "dim_team": reps["team"].astype(object),
                "dim_manager": _lower(reps["manager_email"]),
            }
        ).drop_duplicates("person_id")
        people = people.merge(current, on="person_id", how="left")
        people["team"] = people["dim_team"].where(people["dim_team"].notna(), people["team"])
        people["manager_email"] = people["dim_manager"].where(people["dim_manager"].notna(), people["manager_email"])
        people = people.drop(columns=["dim_team", "dim_manager"])
    people["team"] = people["team"].astype(object).where(people["team"].notna(), UNASSIGNED_TEAM)
    return people.reset_index(drop=True)


def team_managers_of(people: pd.DataFrame, as_of_day: int) -> pd.DataFrame:
    """Current manager of each team: the manager_email most of its members name.

    Present members vote before past ones and team members before leaders (a manager's own row usually
    names their own boss); ties go to the alphabetically first e-mail so the result is stable.
    """
    named = people[people["manager_email"].notna()]
    active = (named["end"] > as_of_day).to_numpy()
    member = (~named["role"].isin(LEADER_ROLES)).to_numpy()
    choice: dict[str, str] = {}
    for mask in (active & member, active, member, np.ones(len(named), dtype=bool)):
        pool = named[mask & ~named["team"].isin(list(choice)).to_numpy()]
        if pool.empty:
            continue
        votes = pool.groupby(["team", "manager_email"]).size().reset_index(name="votes")
        best = votes.sort_values(["team", "votes", "manager_email"], ascending=[True, False, True])
        best = best.drop_duplicates("team")
        choice.update(zip(best["team"], best["manager_email"], strict=True))
    # A team none of whose members names a manager (e.g. the VP's own leadership team) is run by its
    # leader: the active manager or VP in it, else the latest one.
    leaders = people[people["role"].isin(LEADER_ROLES) & ~people["team"].isin(list(choice))]
    leaders = leaders.assign(active=leaders["end"] > as_of_day).sort_values(
        ["team", "active", "hire_day", "email"], ascending=[True, False, False, True])
    choice.update(zip(leaders.drop_duplicates("team")["team"],
                      leaders.drop_duplicates("team")["email"].str.lower(), strict=True))
    teams = sorted(people["team"].unique())
    return pd.DataFrame({"team": pd.Series(teams, dtype=object),
                         "manager_email": pd.Series([choice.get(t) for t in teams], dtype=object)})


def build_roster(spells: pd.DataFrame, reps: pd.DataFrame, as_of_day: int) -> Roster:
    """Normalise the spells and derive people, team managers and scopes as of a date."""
    norm = normalise_spells(spells, as_of_day)
    people = _current_attributes(norm, reps)
    managers = team_managers_of(people, as_of_day)
    team_manager = people[["team"]].merge(managers, on="team", how="left")["manager_email"].to_numpy()
    own = people["manager_email"].to_numpy()
    people["manager_email"] = np.where(pd.isna(own), team_manager, own)
    # Nobody is their own manager (a roster that names the person as their own boss is read as no manager).
    people.loc[people["manager_email"] == people["email"].str.lower(), "manager_email"] = None

    teams = sorted(people["team"].unique())
    manager_ids = sorted(people["manager_email"].dropna().unique())
    scopes = pd.DataFrame(
        [("company", "all")] + [("team", t) for t in teams] + [("manager", m) for m in manager_ids],
        columns=["scope_type", "scope_id"],
    )
    scopes["scope_pos"] = np.arange(len(scopes))
    pos = {(r.scope_type, r.scope_id): r.scope_pos for r in scopes.itertuples()}
    links = [(p, pos[("company", "all")]) for p in people["person_id"]]
    links += [(p, pos[("team", t)]) for p, t in zip(people["person_id"], people["team"], strict=True)]
    links += [
        (p, pos[("manager", m)])
        for p, m in zip(people["person_id"], people["manager_email"], strict=True)
        if isinstance(m, str)
    ]
    person_scopes = pd.DataFrame(links, columns=["person_id", "scope_pos"])
    return Roster(
        spells=norm,
        people=people,
        team_managers=managers,
        scopes=scopes[["scope_pos", "scope_type", "scope_id"]],
        person_scopes=person_scopes,
        as_of_day=as_of_day,
    )
