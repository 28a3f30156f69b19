"""Quota attainment distribution (median, share at 100%, ramping reps at 70%) and activities per rep."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from team_health_warehouse import Marts

from revops.team_health import compute_team_health

AS_OF = date(2024, 6, 30)
MARCH_QUOTA = 90_000 * 31 / 91  # Q1 2024 has 91 days, March 31 of them.


def _marts(quarter_end: date = date(2024, 3, 31)) -> Marts:
    marts = (
        Marts()
        .person("vet@x.com", team="alpha", manager="lead@x.com", hired=date(2021, 1, 1))
        .person("new@x.com", team="alpha", manager="lead@x.com", hired=date(2024, 2, 1))
        .person("fresh@x.com", team="alpha", manager="lead@x.com", hired=date(2024, 1, 10))
    )
    for email in ("vet@x.com", "new@x.com", "fresh@x.com"):
        marts.quota(email, date(2024, 1, 1), quarter_end, 90_000)
    marts.deal("vet@x.com", created=date(2024, 1, 5), closed=date(2024, 3, 12), status="won", amount=40_000)
    marts.deal("new@x.com", created=date(2024, 2, 5), closed=date(2024, 3, 20), status="won", amount=22_000)
    marts.deal("fresh@x.com", created=date(2024, 2, 5), closed=date(2024, 3, 20), status="lost", amount=50_000)
    marts.activity("vet@x.com", date(2024, 3, 4), "call", count=6)
    marts.activity("vet@x.com", date(2024, 3, 5), "email", count=3)
    marts.activity("new@x.com", date(2024, 3, 6), "meeting", count=3)
    marts.activity("new@x.com", date(2024, 3, 6), "note", count=5)
    return marts


def _march(marts: Marts) -> pd.Series:
    monthly = compute_team_health(marts.frames(), as_of=AS_OF).team_health_monthly
    return monthly[(monthly["scope_type"] == "team") & (monthly["scope_id"] == "alpha")
                   & (monthly["month"] == date(2024, 3, 1))].iloc[0]


def test_attainment_distribution_uses_quotas_prorated_by_days() -> None:
    march = _march(_marts())

    # Attainments 40k, 22k and 0 over the prorated quota: the median is the 22k rep.
    assert march["attainment_median"] == pytest.approx(22_000 / MARCH_QUOTA)
    assert march["attainment_share_100"] == pytest.approx(1 / 3)


def test_ramping_share_counts_only_reps_still_ramping() -> None:
    march = _march(_marts())

    # The veteran is not ramping; of the two new reps one is at 72% of quota and one at 0%.
    assert march["ramping_share_70"] == 0.5


def test_quota_period_end_may_be_given_as_the_next_periods_first_day() -> None:
    assert _march(_marts(quarter_end=date(2024, 4, 1)))["attainment_median"] == pytest.approx(22_000 / MARCH_QUOTA)


def test_activities_per_rep_counts_selling_activities_over_average_headcount() -> None:
    # 6 calls + 3 e-mails + 3 meetings (notes excluded) over 3 people.
    assert _march(_marts())["activities_per_rep"] == 4.0
