"""The ground truth follows docs/kpis.md, checked on hand-made deals whose KPIs are worked out by
hand: a skipped stage counts as passed, a deal created mid-funnel passed the earlier stages, a
backward move does not undo progress, deleted deals are excluded, a zero denominator is NULL, money
is converted at the close date's rate, and quarters start in February."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from sandbox.generator import generate
from sandbox.generator import settings as S
from sandbox.generator.deals import Deals
from sandbox.generator.events import AMOUNT, CLOSE, OWNER, STAGE, EventLog
from sandbox.generator.timeutil import NEVER, day_of
from sandbox.generator.truth import kpi_values

AS_OF = date(2026, 9, 1)


def _ts(d: date, hour: int = 10) -> int:
    return int(datetime(d.year, d.month, d.day, hour, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def hand_world():
    world = generate(seed=5, size="tiny", as_of=AS_OF)
    org = world.org
    ae = next(e for e in org.employees if e.stints[0].role == "ae" and org.teams[e.stints[0].team].crm == S.SF
              and e.exit is None and e.hire < day_of(date(2025, 6, 1)))
    team = ae.stints[0].team
    account = int(np.flatnonzero(world.companies.segment == 1)[0])
    # (created, currency, events after creation); creation writes stage, amount, close, owner
    plan = [
        (date(2026, 2, 3), 1, 10000, date(2026, 3, 31), S.EUR,        # A: skips proposal, won
         [(date(2026, 2, 10), STAGE, 2), (date(2026, 2, 20), STAGE, 4), (date(2026, 3, 2), STAGE, 5),
          (date(2026, 3, 2), CLOSE, day_of(date(2026, 3, 2)))]),
        (date(2026, 2, 5), 3, 20000, date(2026, 4, 15), S.EUR,        # B: created at proposal, lost
         [(date(2026, 2, 25), STAGE, 6), (date(2026, 2, 25), CLOSE, day_of(date(2026, 2, 25)))]),
        (date(2026, 1, 20), 1, 5000, date(2026, 2, 28), S.EUR,        # C: back to demo, lost
         [(date(2026, 2, 12), STAGE, 2), (date(2026, 2, 16), STAGE, 3), (date(2026, 2, 18), STAGE, 2),
          (date(2026, 3, 1), STAGE, 6), (date(2026, 3, 1), CLOSE, day_of(date(2026, 3, 1)))]),
        (date(2026, 2, 4), 1, 7000, date(2026, 3, 15), S.EUR, []),    # D: deleted two days later
        (date(2026, 3, 3), 4, 1000, date(2026, 3, 20), S.USD,         # E: created at negotiation, won, USD
         [(date(2026, 3, 10), STAGE, 5), (date(2026, 3, 10), CLOSE, day_of(date(2026, 3, 10)))]),
    ]
    n = len(plan)
    deal, ts, field, value = [], [], [], []
    for i, (created, entry, amount, close, _, events) in enumerate(plan):
        for f, v in ((STAGE, entry), (AMOUNT, amount), (CLOSE, day_of(close)), (OWNER, ae.idx)):
            deal.append(i), ts.append(_ts(created)), field.append(f), value.append(v)
        for d, f, v in events:
            deal.append(i), ts.append(_ts(d, 11)), field.append(f), value.append(v)
    log = EventLog(np.array(deal, np.int64), np.array(ts, np.int64), np.array(field, np.int8),
                   np.array(value, np.float64), np.zeros(len(deal), np.int8)).sorted()
    deleted = np.full(n, NEVER, np.int64)
    deleted[3] = _ts(date(2026, 2, 6))
    deals = Deals(
        crm=np.full(n, S.SF, np.int8), team=np.full(n, team, np.int32), market=np.full(n, 1, np.int8),
        account=np.full(n, account, np.int64), owner0=np.full(n, ae.idx, np.int64),
        created=np.array([_ts(p[0]) for p in plan], np.int64), dtype=np.zeros(n, np.int8),
        currency=np.array([p[4] for p in plan], np.int8), channel=np.full(n, 2, np.int8),
        entry=np.array([p[1] for p in plan], np.int8), parent=np.full(n, -1, np.int64),
        loss_reason=np.zeros(n, np.int8), sdr=np.full(n, -1, np.int64), contact=np.full(n, -1, np.int64),
        deleted=deleted)
    world = dataclasses.replace(world, deals=deals, log=log, static={})
    return world, ae.email.lower()


@pytest.fixture(scope="module")
def kpis(hand_world):
    return kpi_values(hand_world[0])


def _row(kpis: pd.DataFrame, kpi: str, grain: str, start: str, scope: str = "company", sid: str = "all"):
    rows = kpis[(kpis.kpi == kpi) & (kpis.grain == grain) & (kpis.period_start == start)
                & (kpis.scope_type == scope) & (kpis.scope_id == sid)]
    assert len(rows) == 1, (kpi, grain, start, scope, sid, len(rows))
    return rows.iloc[0]


def _usd_rate(world, d: date) -> float:
    return float(world.fx[S.USD, day_of(d) - world.fx_first])


def test_fiscal_quarters_start_in_february(kpis):
    starts = set(kpis[kpis.grain == "quarter"].period_start)
    assert {"2026-02-01", "2026-05-01", "2025-11-01"} <= starts
    assert "2026-01-01" not in starts and "2026-04-01" not in starts


def test_deleted_deals_are_excluded_and_created_deals_counted_by_created_date(kpis):
    assert _row(kpis, "opportunities_created", "quarter", "2026-02-01").value == 3  # A, B, E (not D)
    assert _row(kpis, "opportunities_created", "quarter", "2025-11-01").value == 1  # C, in January
    assert _row(kpis, "opportunities_created", "week", "2026-02-02").value == 2  # A, B; D deleted


def test_a_skipped_stage_counts_as_passed_and_mid_funnel_deals_passed_earlier_stages(kpis):
    qual = _row(kpis, "stage_conversion_qualification", "quarter", "2026-02-01")
    assert (qual.numerator, qual.denominator) == (3, 3)  # A, B (created at proposal), E
    demo = _row(kpis, "stage_conversion_demo", "quarter", "2026-02-01")
    assert (demo.numerator, demo.denominator) == (4, 4)  # C reached demo in February too
    prop = _row(kpis, "stage_conversion_proposal", "quarter", "2026-02-01")
    assert (prop.numerator, prop.denominator) == (2, 4)  # A skipped proposal; C went back, lost
    assert prop.value == pytest.approx(0.5)
    neg = _row(kpis, "stage_conversion_negotiation", "quarter", "2026-02-01")
    assert (neg.numerator, neg.denominator, neg.value) == (2, 2, 1.0)


def test_a_zero_denominator_gives_null_not_zero(kpis):
    neg = _row(kpis, "stage_conversion_negotiation", "quarter", "2025-11-01")
    assert neg.denominator == 0 and math.isnan(neg.value)
    wr = _row(kpis, "win_rate_count", "quarter", "2026-05-01")
    assert wr.denominator == 0 and math.isnan(wr.value)
    growth = _row(kpis, "revenue_growth", "quarter", "2026-02-01")
    assert growth.denominator == 0 and math.isnan(growth.value)


def test_win_rate_cycle_and_deal_size_use_the_close_date_and_its_exchange_rate(hand_world, kpis):
    world, _ = hand_world
    usd = 1000 * _usd_rate(world, date(2026, 3, 10))
    wr = _row(kpis, "win_rate_count", "quarter", "2026-02-01")
    assert (wr.numerator, wr.denominator) == (2, 4)
    wv = _row(kpis, "win_rate_value", "quarter", "2026-02-01")
    assert wv.numerator == pytest.approx(10000 + usd)
    assert wv.denominator == pytest.approx(35000 + usd)
    assert _row(kpis, "won_amount", "quarter", "2026-02-01").value == pytest.approx(10000 + usd)
    cycle = _row(kpis, "sales_cycle_days_mean", "quarter", "2026-02-01")
    assert (cycle.numerator, cycle.denominator, cycle.value) == (34, 2, 17)  # 27 and 7 days
    assert _row(kpis, "sales_cycle_days_median", "quarter", "2026-02-01").value == 17
    assert _row(kpis, "average_deal_size", "quarter", "2026-02-01").value == pytest.approx((10000 + usd) / 2)
    assert _row(kpis, "win_rate_count", "month", "2026-02-01").value == 0.0  # only B closed in February
    assert _row(kpis, "revenue_growth", "quarter", "2026-05-01").value == -1.0


def test_open_and_weighted_pipeline_are_taken_at_the_period_start(kpis):
    q1 = _row(kpis, "open_pipeline", "quarter", "2026-02-01")
    assert q1.value == 5000  # only C existed on 1 February; its close date fell in the quarter
    assert _row(kpis, "weighted_pipeline", "quarter", "2026-02-01").value == pytest.approx(500)  # 10 %
    march = _row(kpis, "open_pipeline", "month", "2026-03-01")
    assert march.value == 10000  # A in negotiation, closing 31 March; C was lost on 1 March
    assert _row(kpis, "weighted_pipeline", "month", "2026-03-01").value == pytest.approx(9000)


def test_rep_and_segment_scopes_hold_the_same_deals(hand_world, kpis):
    _, rep = hand_world
    assert _row(kpis, "win_rate_count", "quarter", "2026-02-01", "rep", rep).value == 0.5
    assert _row(kpis, "win_rate_count", "quarter", "2026-02-01", "segment", "mid_market").value == 0.5
    assert _row(kpis, "win_rate_count", "quarter", "2026-02-01", "source", "salesforce").value == 0.5
    assert not ((kpis.scope_type == "source") & (kpis.scope_id == "hubspot") & (kpis.kpi == "win_rate_count")).any()
