"""The point-in-time view of the warehouse: what was known at the start of a day d.

Every forecast method, model and back-test reads the warehouse only through `as_of_view`, so that a
forecast "as of d" cannot use anything that happened on or after d:

- open deals: the `fct_pipeline_daily` rows of snapshot_date = d (stage, amount, probability and
  expected close date as they stood then). A deal closed on d itself is still open at the start of d:
  when the mart leaves it out of the day-d snapshot, its day d-1 row stands in for it, so the view does
  not depend on whether the mart lists deals on their closing day;
- closed deals: deals whose close date is before d, with status and amount as they were at d (changes
  recorded in `fct_deal_changes` on or after d are undone);
- snapshots dated d or earlier, stage events entered before d (exits on or after d are hidden),
  activities and changes dated before d, lead-funnel dates before d.

Reps, accounts and quotas are taken as they are today: team and manager attribution is "as is" by
definition (docs/kpis.md), and quotas are a plan, not an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from revops.forecast.events import DealEvents
from revops.forecast.marts import Marts, day_number, normalise_status

CLOSED_STATUSES = ("won", "lost")


@dataclass(frozen=True)
class AsOfView:
    """What the warehouse knew at the start of `as_of`; see the module docstring for the rules."""

    as_of: date
    day: int
    open_deals: pd.DataFrame
    snapshots: pd.DataFrame
    closed: pd.DataFrame
    stage_events: pd.DataFrame
    activities: pd.DataFrame
    changes: pd.DataFrame
    leads: pd.DataFrame
    reps: pd.DataFrame
    quotas: pd.DataFrame
    accounts: pd.DataFrame
    # The marts' index of every deal's events, later ones included: deal features ask it only about
    # days on or before `as_of`, counting events strictly before them (None: build one from the view).
    events: DealEvents | None = None

    def latest_dated_day(self) -> float:
        """The latest day number any dated row of the view carries (for checks: must be <= day)."""
        candidates = [
            self.snapshots["day"].max(), self.closed["closed_day"].max(),
            self.stage_events["entered_day"].max(), self.stage_events["exited_day"].max(),
            self.activities["day"].max(), self.changes["day"].max(),
            self.leads["mql_day"].max(), self.leads["sql_day"].max(), self.leads["created_day"].max(),
        ]
        values = [float(c) for c in candidates if c is not None and not pd.isna(c)]
        return max(values) if values else float("-inf")


def _per_deal(marts: Marts, field: str, picked: np.ndarray, values: np.ndarray, *, last: bool,
              fill: float | None) -> np.ndarray:
    """Per row of `marts.deals`, the value of its first (or last) picked change of `field`, in the
    changes' time order; `fill` for a deal without one."""
    deal_codes, field_codes, n = marts.deal_codes
    picked = picked & (field_codes[field] >= 0)
    codes, values = field_codes[field][picked], values[picked]
    if last:
        codes, values = codes[::-1], values[::-1]
    _, first = np.unique(codes, return_index=True)  # each deal's first row in that order
    by_code = np.full(n + 1, fill, dtype=object if fill is None else "float64")  # last slot: no deal id (-1)
    by_code[codes[first]] = values[first]
    return np.asarray(by_code[deal_codes])


def value_at_start_of(marts: Marts, field: str, day: int) -> np.ndarray | None:
    """Per row of `marts.deals`, the value `field` had at the start of `day`: the old value of the
    deal's first change dated on or after `day`, None for a deal without such a change (its current
    value applies). None when no change of `field` was recorded."""
    changes = marts.changes_by_field.get(field)
    if changes is None:
        return None
    return _per_deal(marts, field, (changes["day"] >= day).to_numpy(), changes["old_value"].to_numpy(),
                     last=False, fill=None)


def _last_close_before(marts: Marts, day: int) -> np.ndarray:
    """Per row of `marts.deals`, the day of its last status change into a closed status before `day`
    (NaN when none)."""
    changes = marts.changes_by_field["status"]
    picked = (changes["day"] < day).to_numpy() & changes["new_status"].isin(CLOSED_STATUSES).to_numpy()
    return _per_deal(marts, "status", picked, changes["day"].to_numpy("float64"), last=True, fill=np.nan)


def _closed_as_of(marts: Marts, day: int, open_ids: set[object]) -> pd.DataFrame:
    deals = marts.deals
    status = deals["status"]
    closed_day = deals["closed_day"].copy()
    amount_corp = deals["amount_corporate"].copy()
    ids = deals["deal_id"]

    status_then = value_at_start_of(marts, "status", day)
    if status_then is not None:
        mapped = pd.Series(status_then, index=deals.index)
        changed = mapped.notna().to_numpy()
        status = status.where(~changed, mapped.map(normalise_status))
        # The close date as known then: the last status change into a closed status before `day`.
        close_then = pd.Series(_last_close_before(marts, day), index=deals.index)
        closed_day = closed_day.where(~changed, close_then)

    amount_then = value_at_start_of(marts, "amount", day)
    if amount_then is not None:
        native = pd.to_numeric(pd.Series(amount_then, index=deals.index), errors="coerce")
        rate = deals["fx_rate"].where(deals["fx_rate"].notna(), deals["amount_corporate"] / deals["amount"])
        reverted = native * rate
        amount_corp = amount_corp.where(reverted.isna(), reverted)

    mask = status.isin(CLOSED_STATUSES) & (closed_day < day) & ~ids.isin(open_ids)
    out = deals.loc[mask, ["deal_id", "source", "owner_rep_id", "team", "segment", "account_id",
                           "created_day", "stage_order"]].copy()
    out["status"] = status[mask].to_numpy()
    out["closed_day"] = closed_day[mask].to_numpy(dtype="float64")
    out["amount_corporate"] = amount_corp[mask].to_numpy(dtype="float64")
    return out.reset_index(drop=True)


def _open_at(marts: Marts, day: int) -> pd.DataFrame:
    today = marts.pipeline_on(day)
    deals = marts.deals
    closing_today = deals.loc[(deals["closed_day"] == day) & ~deals["deal_id"].isin(today["deal_id"]), "deal_id"]
    if len(closing_today):
        # A compact pipeline keeps these rows too: each ends its deal's run of days.
        yesterday = marts.pipeline_between(day - 1, day - 1)
        yesterday = yesterday[yesterday["deal_id"].isin(closing_today)].copy()
        # Seen from the start of `day`: one more day in the stage than on the day-before row.
        yesterday["day"] = float(day)
        yesterday["days_in_stage"] = yesterday["days_in_stage"] + 1
        today = pd.concat([today, yesterday], ignore_index=True)
    return today.drop_duplicates("deal_id").reset_index(drop=True)


def as_of_view(marts: Marts, as_of: date) -> AsOfView:
    """The point-in-time view at the start of `as_of` (the only door from the marts to the methods)."""
    day = day_number(as_of)
    open_deals = _open_at(marts, day)
    closed = _closed_as_of(marts, day, set(open_deals["deal_id"]))

    events = marts.stage_events[marts.stage_events["entered_day"] < day].copy()
    events["exited_day"] = events["exited_day"].where(events["exited_day"] < day, np.nan)

    leads = marts.leads
    known = (leads["created_day"] < day) | (leads["created_day"].isna() & (leads["mql_day"] < day))
    leads = leads[known].copy()
    for col in ("mql_day", "sql_day"):
        leads[col] = leads[col].where(leads[col] < day, np.nan)
    leads["mql_at"] = leads["mql_at"].where(leads["mql_day"].notna(), pd.NaT)

    return AsOfView(
        as_of=as_of,
        day=day,
        open_deals=open_deals,
        snapshots=marts.pipeline_between(-np.inf, day),
        closed=closed,
        stage_events=events.reset_index(drop=True),
        activities=marts.activities[marts.activities["day"] < day].reset_index(drop=True),
        changes=marts.changes[marts.changes["day"] < day].reset_index(drop=True),
        leads=leads.reset_index(drop=True),
        reps=marts.reps,
        quotas=marts.quotas,
        accounts=marts.accounts,
        events=marts.deal_events,
    )
