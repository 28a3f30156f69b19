"""Scopes a forecast is rolled up to: company, team, manager (the owner's whole management chain, via
dim_reps.manager_email), segment and source. Team and manager are the owner's current ones ("as is")."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

SCOPE_TYPES = ("company", "team", "manager", "segment", "source")
Scope = tuple[str, str]
COMPANY: Scope = ("company", "all")
_MAX_CHAIN = 12  # management chains are short; the cap also stops cycles in bad roster data


def _clean(value: object, default: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return default
    text = str(value).strip()
    return text if text else default


@dataclass
class ScopeResolver:
    """Maps deals (owner, segment, source) to the scopes they count in."""

    team_of: dict[str, str]
    chain_of: dict[str, tuple[str, ...]]
    scopes: list[Scope] = field(default_factory=list)
    index: dict[Scope, int] = field(default_factory=dict)

    @classmethod
    def from_reps(cls, reps: pd.DataFrame) -> ScopeResolver:
        """Build from marts.dim_reps (rep_id, email, team, manager_email)."""
        manager_by_email = {
            _clean(e, "").lower(): _clean(m, "").lower()
            for e, m in zip(reps["email"], reps["manager_email"], strict=True)
            if _clean(e, "")
        }
        team_of: dict[str, str] = {}
        chain_of: dict[str, tuple[str, ...]] = {}
        for rep_id, email, team in zip(reps["rep_id"], reps["email"], reps["team"], strict=True):
            rid = _clean(rep_id, "")
            if not rid:
                continue
            team_of[rid] = _clean(team, "unassigned")
            chain: list[str] = []
            current = manager_by_email.get(_clean(email, "").lower(), "")
            while current and current not in chain and len(chain) < _MAX_CHAIN:
                chain.append(current)
                current = manager_by_email.get(current, "")
            chain_of[rid] = tuple(chain)
        resolver = cls(team_of=team_of, chain_of=chain_of)
        resolver.intern(COMPANY)
        return resolver

    def intern(self, scope: Scope) -> int:
        """Index of a scope, registering it on first sight."""
        idx = self.index.get(scope)
        if idx is None:
            idx = len(self.scopes)
            self.scopes.append(scope)
            self.index[scope] = idx
        return idx

    def scopes_of(self, owner: object, segment: object, source: object) -> list[Scope]:
        """Every scope one deal counts in."""
        rid = _clean(owner, "")
        out: list[Scope] = [COMPANY, ("team", self.team_of.get(rid, "unassigned"))]
        out.extend(("manager", m) for m in self.chain_of.get(rid, ()))
        out.append(("segment", _clean(segment, "unknown")))
        out.append(("source", _clean(source, "unknown")))
        return out

    def memberships(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(row index, scope index) pairs for a frame with owner_rep_id, segment and source columns."""
        rows: list[int] = []
        idxs: list[int] = []
        cache: dict[tuple[str, str, str], list[int]] = {}
        owners = frame["owner_rep_id"].to_numpy(dtype=object)
        segments = frame["segment"].to_numpy(dtype=object)
        sources = frame["source"].to_numpy(dtype=object)
        for i in range(len(frame)):
            key = (_clean(owners[i], ""), _clean(segments[i], "unknown"), _clean(sources[i], "unknown"))
            found = cache.get(key)
            if found is None:
                found = [self.intern(s) for s in self.scopes_of(*key)]
                cache[key] = found
            rows.extend([i] * len(found))
            idxs.extend(found)
        return np.asarray(rows, dtype=np.int64), np.asarray(idxs, dtype=np.int64)

    def sum_by_scope(self, frame: pd.DataFrame, values: np.ndarray) -> np.ndarray:
        """Per scope (indexed like self.scopes, after registering the frame's scopes), the sum of values."""
        rows, idxs = self.memberships(frame)
        weights = np.nan_to_num(np.asarray(values, dtype="float64"))[rows] if len(rows) else np.zeros(0)
        return np.bincount(idxs, weights=weights, minlength=len(self.scopes))

    def matrix(self, frame: pd.DataFrame) -> sparse.csr_matrix:
        """Sparse 0/1 matrix (scopes x rows) of memberships, for rolling up simulated outcomes."""
        rows, idxs = self.memberships(frame)
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_matrix((data, (idxs, rows)), shape=(len(self.scopes), len(frame)))

    def quota_by_scope(self, quotas: pd.DataFrame, start_day: int, end_day: int) -> dict[Scope, float]:
        """Revenue quota of [start_day, end_day) per company, team and manager scope, prorated by days."""
        q = quotas[quotas["quota_type"].astype(str).str.lower() == "revenue"]
        out: dict[Scope, float] = {}
        for rep_id, qs, qe, amount in zip(q["rep_id"], q["start_day"], q["end_day"], q["quota_amount"],
                                          strict=True):
            if pd.isna(qs) or pd.isna(qe) or pd.isna(amount) or qe <= qs:
                continue
            overlap = min(qe, end_day) - max(qs, start_day)
            if overlap <= 0:
                continue
            share = float(amount) * overlap / (qe - qs)
            rid = _clean(rep_id, "")
            scopes = [COMPANY, ("team", self.team_of.get(rid, "unassigned"))]
            scopes.extend(("manager", m) for m in self.chain_of.get(rid, ()))
            for scope in scopes:
                out[scope] = out.get(scope, 0.0) + share
        return out
