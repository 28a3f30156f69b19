"""Scenarios change the simulated future from their start day on, and nothing else: without one the
company is the usual one; with `conversion_drop` the deals entering qualification after the start
move on to demo far less often, and what followed a lost pass is gone with it."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest

from sandbox.generator import generate, render, settings, step
from sandbox.generator.events import STAGE, FieldIndex
from sandbox.generator.scenarios import lost_passes, scenario_rng
from sandbox.generator.timeutil import DAY, NEVER
from sandbox.launch import ensure_dataset

AS_OF = date(2026, 10, 31)
SCENARIO = "conversion_drop"


@pytest.fixture(scope="module")
def worlds():
    """The small company without and with the scenario (simulated only, not rendered)."""
    return (generate(seed=3, size="small", as_of=AS_OF),
            generate(seed=3, size="small", as_of=AS_OF, scenario=SCENARIO))


def _start_s(world) -> int:
    return (world.generated_as_of + settings.SCENARIO_START_DAYS) * DAY


def _stages(world, deal: int) -> list[tuple[int, float]]:
    log = world.log
    m = (log.deal == deal) & (log.field == STAGE)
    return list(zip(log.ts[m].tolist(), log.value[m].tolist(), strict=True))


def _qualification_passes(world, entered_from: int) -> tuple[int, int]:
    """(stays in qualification that began at or after `entered_from` and ended, those that moved on)."""
    st = FieldIndex.build(world.log, STAGE)
    ended = moved = 0
    for i in range(1, len(st.deal)):
        if st.deal[i] != st.deal[i - 1] or st.value[i - 1] != 1 or st.value[i] == 1:
            continue
        j = i - 1  # back to the start of the stay (the second qualification sub-stage is part of it)
        while j > 0 and st.deal[j - 1] == st.deal[i] and st.value[j - 1] == 1:
            j -= 1
        if st.ts[j] >= entered_from:
            ended += 1
            moved += int(st.value[i] != settings.LOST)
    return ended, moved


def test_a_scenario_changes_nothing_before_it_starts():
    plain = generate(seed=7, size="tiny", as_of=AS_OF)
    changed = generate(seed=7, size="tiny", as_of=AS_OF, scenario=SCENARIO)
    for days in (0, settings.SCENARIO_START_DAYS):
        a, b = render(step(plain, days)), render(step(changed, days))
        assert a.records == b.records, f"records differ {days} day(s) after as_of"
        assert a.inputs == b.inputs
        assert a.truth == b.truth


def test_without_a_scenario_the_meta_has_no_scenario_keys_and_with_one_it_names_it():
    plain = render(generate(seed=7, size="tiny", as_of=AS_OF), truth=False)
    changed = render(generate(seed=7, size="tiny", as_of=AS_OF, scenario=SCENARIO), truth=False)
    assert "scenario" not in plain.meta and "scenario_start" not in plain.meta
    assert changed.meta["scenario"] == SCENARIO
    assert changed.meta["scenario_start"] == (AS_OF + timedelta(days=settings.SCENARIO_START_DAYS)).isoformat()
    assert {k: v for k, v in changed.meta.items() if not k.startswith("scenario")} == plain.meta


def test_an_unknown_scenario_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="conversion_drop"):
        generate(seed=7, size="tiny", as_of=AS_OF, scenario="everything_burns")


def test_qualification_passes_after_the_start_fall_to_about_the_kept_share(worlds):
    plain, changed = worlds
    ended_plain, moved_plain = _qualification_passes(plain, _start_s(plain))
    ended, moved = _qualification_passes(changed, _start_s(changed))
    # the same stays end (a few fewer: a deal lost early cannot come back to qualification later)
    assert ended_plain > 100 and ended_plain - 5 <= ended <= ended_plain
    rate_plain, rate = moved_plain / ended_plain, moved / ended
    assert rate_plain > 0.45
    assert rate == pytest.approx(rate_plain * settings.CONVERSION_DROP_KEEP, abs=0.07)


def _histories(world) -> dict[int, tuple[tuple[int, ...], tuple[float, ...]]]:
    """deal -> (times, stages) of its stage events."""
    st = FieldIndex.build(world.log, STAGE)
    bounds = np.flatnonzero(np.r_[True, st.deal[1:] != st.deal[:-1]])
    return {int(st.deal[b]): (tuple(ts.tolist()), tuple(v.tolist()))
            for b, ts, v in zip(bounds, np.split(st.ts, bounds[1:]), np.split(st.value, bounds[1:]), strict=True)}


def test_only_deals_in_qualification_after_the_start_change(worlds):
    plain, changed = worlds
    cut = lost_passes(plain.log, _start_s(plain), settings.CONVERSION_DROP_KEEP, scenario_rng(plain.seed))
    a, b = _histories(plain), _histories(changed)
    assert a.keys() == b.keys()
    assert {d for d in a if a[d] != b[d]} == set(cut)
    for d in cut:  # every changed deal was in qualification on or after the start day
        assert any(v == 1 and t >= _start_s(plain) for t, v in zip(*a[d], strict=True))


def test_a_dropped_pass_becomes_a_loss_at_that_moment_and_what_followed_is_gone(worlds):
    plain, changed = worlds
    cuts = lost_passes(plain.log, _start_s(plain), settings.CONVERSION_DROP_KEEP, scenario_rng(plain.seed))
    assert cuts
    log = changed.log
    for deal, ts in cuts.items():
        before = [(t, v) for t, v in _stages(plain, deal) if t < ts]
        assert _stages(changed, deal) == [*before, (ts, float(settings.LOST))]
        assert log.ts[log.deal == deal].max() == ts  # no later amount, close date, owner or edit
        assert changed.won_ts[deal] == NEVER
    a = changed.activities
    on_cut = np.isin(a.deal, list(cuts))
    cut_ts = np.array([cuts.get(int(d), NEVER) for d in a.deal[on_cut]])
    late = a.ts[on_cut] > cut_ts
    assert (a.deleted[on_cut][late] <= cut_ts[late]).all()  # a meeting planned before the loss is cancelled


def test_lost_wins_no_longer_make_customers(worlds):
    plain, changed = worlds
    gone = np.flatnonzero((plain.won_ts < NEVER) & (changed.won_ts == NEVER))
    assert len(gone) > 0
    hs = changed.funnel.hs_contacts
    m = np.isin(hs.deal, gone)
    assert (hs.customer[m] == NEVER).all()
    for crm, acc in changed.accounts.items():
        for company in np.unique(changed.deals.account[gone][changed.deals.crm[gone] == crm]):
            if company < 0:
                continue
            others = (changed.deals.account == company) & (changed.deals.crm == crm)
            first = changed.won_ts[others].min()
            i = np.flatnonzero(acc.company == company)
            if len(i) and plain.accounts[crm].customer[i[0]] >= _start_s(plain):
                assert acc.customer[i[0]] == (NEVER if first >= NEVER else max(first, acc.created[i[0]]))


def test_ensure_dataset_makes_the_scenario_and_never_reuses_another_one(tmp_path):
    folder = tmp_path / "dataset"
    with_drop = ensure_dataset(folder, seed=7, size="tiny", as_of=AS_OF, scenario=SCENARIO)
    assert json.loads((folder / "meta.json").read_text())["scenario"] == SCENARIO
    again = ensure_dataset(folder, seed=7, size="tiny", as_of=AS_OF, scenario=SCENARIO)
    assert again.records == with_drop.records
    plain = ensure_dataset(folder, seed=7, size="tiny", as_of=AS_OF)
    assert "scenario" not in plain.meta
    assert "scenario" not in json.loads((folder / "meta.json").read_text())
