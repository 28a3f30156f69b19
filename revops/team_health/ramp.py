"""Ramp time of new reps and cohort ramp curves.

Ramp (docs/kpis.md): for an AE, the days from hire to the first day on which the won amount of the
trailing 90 days (that day included) reaches `ramp_share` of the rep's full quarterly quota, the largest
quarterly revenue quota the rep was given; for an SDR, the days until the meetings of the trailing 30
days reach `ramp_share` of the monthly meeting target. NULL while not reached. The hire is the start of
the rep's latest employment spell (a rehired rep ramps again); only deals and meetings from that day on
count.

Ramp curves show, per hire cohort (fiscal quarter of the hire) and role, the median attainment in each
month of tenure. Tenure month k runs from the hire date plus k−1 months to the hire date plus k months
and is counted only once it is over and the rep was employed throughout. AE attainment in a tenure month
is the won amount over a third of the full quarterly quota; SDR attainment is meetings over the monthly
target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.team_health.events import WindowSums, full_quarterly_quota, person_index
from revops.team_health.periods import add_months, days_to_dates, fiscal_quarter_start, month_of_day
from revops.team_health.roster import Roster

AE_WINDOW_DAYS = 90
SDR_WINDOW_DAYS = 30
RAMP_COLUMNS = ["rep_id", "email", "role", "team", "hire_date", "days_to_first_deal", "days_to_first_meeting",
                "ramp_days", "ramp_reached_on"]
CURVE_COLUMNS = ["hire_cohort", "role", "tenure_month", "reps", "attainment_median"]


def _first_day_on_or_after(events: pd.DataFrame, hire: pd.Series) -> pd.Series:
    """First event day of each person on or after their hire day (index person_id)."""
    joined = events.merge(hire.rename("hire_day").reset_index(), on="person_id")
    return joined[joined["day"] >= joined["hire_day"]].groupby("person_id")["day"].min()


def _first_reaching(events: pd.DataFrame, people: pd.DataFrame, threshold: pd.Series, window_days: int,
                    index: dict[object, int]) -> pd.Series:
    """First day on which the trailing-window sum of event values since hire reaches the threshold.

    The trailing sum only rises on event days, so only event days need to be checked.
    """
    if events.empty or threshold.empty:
        return pd.Series(dtype=np.int64)
    hire = people.set_index("person_id")["hire_day"]
    days = events.groupby(["person_id", "day"], as_index=False)["value"].sum()
    days = days[days["person_id"].isin(threshold.index)]
    days = days.merge(hire.rename("hire_day").reset_index(), on="person_id")
    days = days[days["day"] >= days["hire_day"]]
    sums = WindowSums(events["person_id"].to_numpy(), events["day"].to_numpy(), events["value"].to_numpy(), index)
    start = np.maximum(days["day"].to_numpy() - (window_days - 1), days["hire_day"].to_numpy())
    trailing = sums.between(days["person_id"].to_numpy(), start, days["day"].to_numpy() + 1)
    reached = trailing >= days["person_id"].map(threshold).to_numpy() - 1e-9
    return days[reached].groupby("person_id")["day"].min()


def rep_ramp(roster: Roster, won: pd.DataFrame, meetings: pd.DataFrame, revenue_quotas: pd.DataFrame, *,
             ramp_share: float, sdr_monthly_meeting_target: float) -> pd.DataFrame:
    """team_health.rep_ramp rows plus the internal columns hire_day and ramp_day (day numbers)."""
    if not 0 < ramp_share <= 1:
        raise ValueError(f"team_health: ramp_share must be in (0, 1], got {ramp_share}")
    people = roster.people[roster.people["role"].isin(["ae", "sdr"])].copy()
    index = person_index(roster)
    hire = people.set_index("person_id")["hire_day"]
    first_deal = _first_day_on_or_after(won, hire)
    first_meeting = _first_day_on_or_after(meetings, hire)

    full = full_quarterly_quota(revenue_quotas)
    ae = people.loc[people["role"] == "ae", "person_id"]
    ae_threshold = (full[full.index.isin(ae) & (full > 0)] * ramp_share)
    ae_reached = _first_reaching(won.rename(columns={"amount": "value"}), people, ae_threshold,
                                 AE_WINDOW_DAYS, index)
    sdr = people.loc[people["role"] == "sdr", "person_id"]
    sdr_threshold = pd.Series(ramp_share * sdr_monthly_meeting_target, index=pd.Index(sdr, dtype=object))
    sdr_reached = _first_reaching(meetings.assign(value=1.0), people, sdr_threshold, SDR_WINDOW_DAYS, index)
    reached = pd.concat([ae_reached, sdr_reached])

    pid = people["person_id"]
    hire_day = people["hire_day"].to_numpy()
    ramp_day = pid.map(reached).to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "rep_id": pid.to_numpy(),
            "email": people["email"].to_numpy(),
            "role": people["role"].to_numpy(),
            "team": people["team"].to_numpy(),
            "hire_date": days_to_dates(hire_day),
            "days_to_first_deal": pid.map(first_deal).to_numpy(dtype=float) - hire_day,
            "days_to_first_meeting": pid.map(first_meeting).to_numpy(dtype=float) - hire_day,
            "ramp_days": ramp_day - hire_day,
            "ramp_reached_on": days_to_dates(ramp_day),
            "hire_day": hire_day,
            "ramp_day": ramp_day,
        }
    )
    for column in ("days_to_first_deal", "days_to_first_meeting", "ramp_days"):
        frame[column] = frame[column].astype("Int64")
    return frame.reset_index(drop=True)


def ramp_curves(roster: Roster, won: pd.DataFrame, meetings: pd.DataFrame, revenue_quotas: pd.DataFrame, *,
                sdr_monthly_meeting_target: float, fiscal_year_start_month: int) -> pd.DataFrame:
    """team_health.ramp_curves: median attainment by hire cohort, role and month of tenure."""
    people = roster.people[roster.people["role"].isin(["ae", "sdr"])]
    full = full_quarterly_quota(revenue_quotas)
    monthly_target = pd.Series(
        np.where(people["role"] == "ae", people["person_id"].map(full).to_numpy(dtype=float) / 3.0,
                 sdr_monthly_meeting_target),
        index=people["person_id"].to_numpy(),
    )
    people = people[(monthly_target.to_numpy() > 0)]
    if people.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    hire = people["hire_day"].to_numpy()
    last = np.minimum(people["end"].to_numpy(), roster.as_of_day + 1)
    # Complete tenure months: the largest k with hire + k months on or before `last`.
    counts = month_of_day(last) - month_of_day(hire)
    counts = np.where(add_months(hire, counts) <= last, counts, counts - 1).clip(min=0)
    rows = np.repeat(np.arange(len(people)), counts)
    if rows.size == 0:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    tenure = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    window_start = add_months(hire[rows], tenure - 1)
    window_end = add_months(hire[rows], tenure)
    person = people["person_id"].to_numpy()[rows]
    role = people["role"].to_numpy()[rows]

    index = person_index(roster)
    revenue = WindowSums(won["person_id"].to_numpy(), won["day"].to_numpy(), won["amount"].to_numpy(), index)
    meeting = WindowSums(meetings["person_id"].to_numpy(), meetings["day"].to_numpy(),
                         np.ones(len(meetings)), index)
    achieved = np.where(role == "ae", revenue.between(person, window_start, window_end),
                        meeting.between(person, window_start, window_end))
    attainment = achieved / monthly_target.loc[person].to_numpy()
    cohort = fiscal_quarter_start(hire[rows], fiscal_year_start_month)
    curve = (
        pd.DataFrame({"cohort_day": cohort, "role": role, "tenure_month": tenure, "person_id": person,
                      "attainment": attainment})
        .groupby(["cohort_day", "role", "tenure_month"], as_index=False)
        .agg(reps=("person_id", "nunique"), attainment_median=("attainment", "median"))
    )
    curve.insert(0, "hire_cohort", days_to_dates(curve.pop("cohort_day").to_numpy()))
    return curve[CURVE_COLUMNS]


def ramp_day_of(ramp: pd.DataFrame) -> pd.Series:
    """Day number on which each rep reached ramp (NaN when not yet), indexed by rep_id."""
    return ramp.set_index("rep_id")["ramp_day"] if len(ramp) else pd.Series(dtype=float)

