"""Dated events of deals and other entities, indexed for "how many before day t" queries.

`DealEvents` indexes every deal's activities, close-date pushes and amount cuts once for a set of
marts. The deal features of a point-in-time view ask it only about days on or before the view's day,
counting events strictly before them: one index shared by every view of a back-test answers exactly
what an index of each view's own events would, without being rebuilt for each view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_SPAN = np.int64(1) << 22  # days per key block (about 11 000 years)
_OFFSET = np.int64(1) << 21


def _keys(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    return np.asarray(codes.astype(np.int64) * _SPAN + (np.floor(days).astype(np.int64) + _OFFSET))


class DatedIndex:
    """Sorted (entity, day) events answering "how many before day t" for many queries at once."""

    def __init__(self, codes: np.ndarray, days: np.ndarray, weights: np.ndarray | None = None) -> None:
        keep = ~np.isnan(days) & (codes >= 0)
        keys = _keys(codes[keep], days[keep])
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        w = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype="float64")[keep][order]
        self.cum = np.concatenate([[0.0], np.cumsum(w)])

    def _pos(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.keys, _keys(codes, days), side="left")

    def count_before(self, codes: np.ndarray, days: np.ndarray, since: np.ndarray | None = None) -> np.ndarray:
        """Number of events of each code dated before `days` (and on or after `since`)."""
        end = self._pos(codes, days)
        start = self._pos(codes, np.full(len(codes), -float(_OFFSET)) if since is None else since)
        return np.asarray((end - start).astype("float64"))

    def weight_before(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Sum of the event weights of each code dated before `days`."""
        end = self._pos(codes, days)
        start = self._pos(codes, np.full(len(codes), -float(_OFFSET)))
        return np.asarray(self.cum[end] - self.cum[start])

    def last_before(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Day of the latest event of each code before `days` (NaN when none)."""
        end = self._pos(codes, days)
        start = self._pos(codes, np.full(len(codes), -float(_OFFSET)))
        out = np.full(len(codes), np.nan)
        has = end > start
        if len(self.keys):
            prev = self.keys[np.maximum(end - 1, 0)]
            out[has] = (prev[has] - codes[has].astype(np.int64) * _SPAN - _OFFSET).astype("float64")
        return out


def codes_of(values: pd.Series, vocabulary: pd.Index) -> np.ndarray:
    """Integer code of each value in the vocabulary (-1 when absent)."""
    return np.asarray(vocabulary.get_indexer(values.astype(object)).astype(np.int64))


def _date_days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values.astype(object), errors="coerce", utc=True)
    days = (stamps - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(days=1)
    return np.asarray(np.floor(days.to_numpy(dtype="float64", na_value=np.nan)))


def change_flags(changes: pd.DataFrame) -> pd.DataFrame:
    """Close-date pushes (moved later) and amount cuts (lowered) among recorded changes."""
    ecd = changes[changes["field"] == "expected_close_date"]
    old, new = _date_days(ecd["old_value"]), _date_days(ecd["new_value"])
    pushes = ecd.loc[new > old, ["deal_id", "day"]]
    amt = changes[changes["field"] == "amount"]
    a_old = pd.to_numeric(amt["old_value"], errors="coerce").to_numpy(dtype="float64")
    a_new = pd.to_numeric(amt["new_value"], errors="coerce").to_numpy(dtype="float64")
    cuts = amt.loc[a_new < a_old, ["deal_id", "day"]]
    return pd.concat([pushes.assign(kind="push"), cuts.assign(kind="cut")], ignore_index=True)


@dataclass(frozen=True)
class DealEvents:
    """Activities, close-date pushes and amount cuts per deal, each a `DatedIndex` over `vocabulary`
    (the deal ids with at least one event)."""

    vocabulary: pd.Index
    activities: DatedIndex
    pushes: DatedIndex
    cuts: DatedIndex

    @classmethod
    def of(cls, activities: pd.DataFrame, changes: pd.DataFrame) -> DealEvents:
        """Index `activities` (deal_id, day) and the pushes and cuts among `changes`."""
        vocab = pd.Index(pd.unique(pd.concat([activities["deal_id"], changes["deal_id"]]).dropna().astype(object)))
        flags = change_flags(changes)

        def index(events: pd.DataFrame) -> DatedIndex:
            return DatedIndex(codes_of(events["deal_id"], vocab), events["day"].to_numpy(dtype="float64"))

        return cls(vocabulary=vocab, activities=index(activities), pushes=index(flags[flags["kind"] == "push"]),
                   cuts=index(flags[flags["kind"] == "cut"]))

    def codes(self, deal_ids: pd.Series) -> np.ndarray:
        """Each deal's code in the vocabulary; -1 for a deal without events (every count is 0 for it,
        its last event NaN)."""
        return codes_of(deal_ids, self.vocabulary)
