"""Columnar event logs and point-in-time state.

A deal's history is a list of events `(deal, ts, field, value, sub)`: the stage (canonical 1-6 plus
the qualification sub-stage used by HubSpot and Pipedrive), the amount, the expected close date
(a day number), the owner (an employee index), and untracked edits ("touches"). The creation writes
one event per field, so the state at any moment is the last event of each field before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STAGE, AMOUNT, CLOSE, OWNER, TOUCH = 0, 1, 2, 3, 4


@dataclass
class EventLog:
    deal: np.ndarray  # int64
    ts: np.ndarray  # int64 epoch seconds
    field: np.ndarray  # int8
    value: np.ndarray  # float64
    sub: np.ndarray  # int8

    @classmethod
    def empty(cls) -> EventLog:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int8),
                   np.empty(0, np.float64), np.empty(0, np.int8))

    @classmethod
    def concat(cls, parts: list[EventLog]) -> EventLog:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("deal", "ts", "field", "value", "sub")))

    def __len__(self) -> int:
        return len(self.deal)

    def take(self, index: np.ndarray) -> EventLog:
        return EventLog(self.deal[index], self.ts[index], self.field[index], self.value[index],
                        self.sub[index])

    def sorted(self) -> EventLog:
        """Ordered by deal, time, field."""
        order = np.lexsort((self.field, self.ts, self.deal))
        return self.take(order)


class EventBuffer:
    """Collects event arrays during a simulation."""

    def __init__(self) -> None:
        self.parts: list[EventLog] = []

    def add(self, deal: np.ndarray, ts: np.ndarray, field: int, value: np.ndarray,
            sub: np.ndarray | int = 0) -> None:
        n = len(deal)
        if n == 0:
            return
        sub_arr = np.broadcast_to(np.asarray(sub, dtype=np.int8), (n,)).copy()
        # copies: callers keep mutating their state arrays after recording an event
        self.parts.append(EventLog(np.array(deal, np.int64), np.array(ts, np.int64),
                                   np.full(n, field, np.int8), np.array(value, np.float64), sub_arr))

    def log(self) -> EventLog:
        return EventLog.concat(self.parts)


@dataclass
class FieldIndex:
    """Events of one field, ordered by (deal, ts), for fast "value as of" queries."""

    deal: np.ndarray
    ts: np.ndarray
    value: np.ndarray
    sub: np.ndarray

    @classmethod
    def build(cls, log: EventLog, field: int) -> FieldIndex:
        m = log.field == field
        deal, ts = log.deal[m], log.ts[m]
        order = np.lexsort((ts, deal))
        return cls(deal[order], ts[order], log.value[m][order], log.sub[m][order])

    def last_before(self, n_deals: int, cutoff: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """Index into this field's events of each deal's last event with `ts < cutoff` (-1: none),
        and its timestamp. `cutoff` is a scalar or one value per deal."""
        cut = cutoff if np.isscalar(cutoff) else np.asarray(cutoff)[self.deal]
        ok = self.ts < cut
        pos = np.flatnonzero(ok)
        out = np.full(n_deals, -1, dtype=np.int64)
        if len(pos):
            d = self.deal[pos]
            last = np.r_[d[1:] != d[:-1], True]
            out[d[last]] = pos[last]
        ts = np.where(out >= 0, self.ts[np.maximum(out, 0)], -1)
        return out, ts

    def value_before(self, n_deals: int, cutoff: np.ndarray | int, default: float = np.nan
                     ) -> np.ndarray:
        idx, _ = self.last_before(n_deals, cutoff)
        return np.where(idx >= 0, self.value[np.maximum(idx, 0)] if len(self.value) else default, default)


def first_reach_ts(stages: FieldIndex, n_deals: int, k: int, cutoff: int) -> np.ndarray:
    """Earliest time before `cutoff` each deal was at a canonical stage >= k (closed_lost does not
    count); -1 when never."""
    m = (stages.ts < cutoff) & (stages.value >= k) & (stages.value <= 5)
    out = np.full(n_deals, -1, dtype=np.int64)
    d, t = stages.deal[m], stages.ts[m]
    if len(d):
        first = np.r_[True, d[1:] != d[:-1]]  # events are ordered by (deal, ts)
        out[d[first]] = t[first]
    return out
