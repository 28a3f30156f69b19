"""Employee NPS per scope and month, with privacy protection.

eNPS = % of scores 9–10 − % of scores 0–6, in points. Answers are anonymous and carry only a team; a
survey belongs to the month of its earliest survey_date, and the answers of all surveys of a month are
pooled. A month without any survey has no eNPS and no respondent count (NULL, never 0).

Privacy: a scope's eNPS is hidden below `min_survey_respondents` (the count is still shown). Hiding
small teams is not enough on its own: the company figure minus every published team would give away the
answers of the one small team left. Published scopes form a tree (company ⊃ manager ⊃ team), so a group
of answers can be derived exactly when it is a published scope minus the published scopes below it; each
such remainder must be empty or at least the minimum, otherwise the smallest published scope below is
hidden as well, until no remainder is too small.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from revops.team_health.periods import days_of, month_of_day
from revops.team_health.roster import Roster

SURVEY_COLUMNS = ("survey_id", "survey_date", "team", "enps_score")


def enps_points(scores: Sequence[float] | np.ndarray) -> float:
    """eNPS of a set of 0–10 scores, in points (NaN for no scores)."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return float("nan")
    return float(100.0 * (float((scores >= 9).sum()) - float((scores <= 6).sum())) / scores.size)


def _scope_tree(roster: Roster) -> tuple[dict[int, int | None], dict[int, frozenset[str]]]:
    """Parent of each scope position and the teams it covers (company covers every team)."""
    scopes = roster.scopes
    company = int(scopes.loc[scopes["scope_type"] == "company", "scope_pos"].iloc[0])
    manager_pos = {r.scope_id: int(r.scope_pos) for r in scopes.itertuples() if r.scope_type == "manager"}
    team_manager = dict(zip(roster.team_managers["team"], roster.team_managers["manager_email"], strict=True))
    parent: dict[int, int | None] = {company: None}
    teams_of: dict[int, set[str]] = {company: set()}
    for r in scopes.itertuples():
        if r.scope_type == "manager":
            parent[int(r.scope_pos)] = company
            teams_of.setdefault(int(r.scope_pos), set())
    for r in scopes.itertuples():
        if r.scope_type == "team":
            manager = team_manager.get(r.scope_id)
            above = manager_pos.get(manager, company) if isinstance(manager, str) else company
            parent[int(r.scope_pos)] = above
            teams_of[int(r.scope_pos)] = {r.scope_id}
            if above != company:
                teams_of[above].add(r.scope_id)
    return parent, {k: frozenset(v) for k, v in teams_of.items()}


def suppress(counts: dict[int, int], parent: dict[int, int | None], minimum: int) -> set[int]:
    """Scope positions whose eNPS may be published, given respondent counts and the scope tree."""
    published = {s for s, n in counts.items() if n >= minimum}
    children: dict[int, list[int]] = {}
    for child, p in parent.items():
        if p is not None:
            children.setdefault(p, []).append(child)

    def highest_published_below(node: int) -> list[int]:
        found = []
        for child in children.get(node, []):
            if child in published:
                found.append(child)
            else:
                found.extend(highest_published_below(child))
        return found

    changed = True
    while changed:
        changed = False
        for node in sorted(published):
            below = highest_published_below(node)
            remainder = counts[node] - sum(counts[b] for b in below)
            if below and 0 < remainder < minimum:
                smallest = min(below, key=lambda b: (counts[b], b))
                published.discard(smallest)
                changed = True
                break
    return published


def enps_monthly(responses: pd.DataFrame, roster: Roster, *, min_survey_respondents: int) -> pd.DataFrame:
    """Per scope position and survey month: enps (NULL when hidden) and enps_respondents."""
    missing = [c for c in SURVEY_COLUMNS if c not in responses.columns]
    if missing:
        raise ValueError(
            f"marts.fct_survey_responses: missing columns {missing}; rebuild the marts with `dbt build`"
        )
    columns = ["scope_pos", "month", "enps", "enps_respondents"]
    answers = responses[responses["enps_score"].notna() & responses["survey_date"].notna()].copy()
    if answers.empty:
        return pd.DataFrame(columns=columns)
    bad = ~answers["enps_score"].astype(float).between(0, 10)
    if bad.any():
        raise ValueError(
            f"marts.fct_survey_responses: survey {answers.loc[bad, 'survey_id'].iloc[0]!r} has a score "
            f"{answers.loc[bad, 'enps_score'].iloc[0]!r} outside 0–10; correct surveys.csv"
        )
    answers["day"] = days_of(answers["survey_date"])
    answers = answers[answers["day"] <= roster.as_of_day]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    survey_day = answers.groupby("survey_id")["day"].transform("min")
    answers["month"] = month_of_day(survey_day.to_numpy())
    score = answers["enps_score"].astype(float)
    answers["promoter"] = (score >= 9).astype(float)
    answers["detractor"] = (score <= 6).astype(float)

    # Respondents, promoters and detractors add up across teams, so scopes are sums over team cells.
    months = np.sort(answers["month"].unique())
    month_pos = np.searchsorted(months, answers["month"].to_numpy())
    parent, teams_of = _scope_tree(roster)
    company = next(s for s, p in parent.items() if p is None)
    teams = sorted({t for ts in teams_of.values() for t in ts})
    team_pos = pd.Index(teams, dtype=object).get_indexer(answers["team"].astype(object))
    cells = np.zeros((3, len(months), len(teams) + 1))  # last column: answers of teams not in the roster
    for k, column in enumerate(("one", "promoter", "detractor")):
        values = np.ones(len(answers)) if column == "one" else answers[column].to_numpy()
        np.add.at(cells[k], (month_pos, np.where(team_pos >= 0, team_pos, len(teams))), values)
    scope_ids = sorted(teams_of)
    membership = np.zeros((len(teams) + 1, len(scope_ids)))
    index_of_team = {t: i for i, t in enumerate(teams)}
    for j, scope in enumerate(scope_ids):
        if scope == company:
            membership[:, j] = 1.0
        else:
            membership[[index_of_team[t] for t in teams_of[scope]], j] = 1.0
    respondents, promoters, detractors = (cells[k] @ membership for k in range(3))

    rows = []
    for i, month in enumerate(months):
        counts = {scope: int(respondents[i, j]) for j, scope in enumerate(scope_ids)}
        published = suppress(counts, parent, min_survey_respondents)
        for j, scope in enumerate(scope_ids):
            n = counts[scope]
            shown = scope in published and n > 0
            rows.append({
                "scope_pos": scope,
                "month": int(month),
                "enps": 100.0 * (promoters[i, j] - detractors[i, j]) / n if shown else np.nan,
                "enps_respondents": n,
            })
    return pd.DataFrame(rows, columns=columns)
