"""The simulated company as a whole: `generate` builds the full timeline up to `as_of` plus a
horizon, `step` moves `as_of` forward so more of that timeline becomes visible."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from . import settings as S
from .accounts import AccountRecords, simulate_accounts
from .activities import Activities, simulate_activities
from .companies import Companies, simulate_companies
from .deals import Deals, outcomes, simulate_deals
from .events import STAGE, EventBuffer, EventLog, FieldIndex
from .funnel import Funnel, simulate_funnel
from .fx import simulate_rates
from .hr import Absence, Answer, Quota, quota_levels, simulate_absences, simulate_quotas, simulate_surveys
from .lifecycle import complete_history
from .org import Org, simulate_org
from .paths import PathInputs, run_paths
from .scenarios import apply_scenario, check_scenario
from .timeutil import DAY, NEVER, add_months, date_of, day_of, month_start, quarter_start, seconds_of


@dataclass
class World:
    """Everything that happens in the sandbox company from `start` to `horizon` (day numbers);
    what is visible is what happened before `cutoff` (epoch seconds, as_of midnight UTC)."""

    seed: int
    size: str
    fiscal_year_start_month: int
    corporate_currency: str
    start: int
    horizon: int
    generated_as_of: int  # day number; schema drift dates are relative to it
    cutoff: int
    org: Org
    companies: Companies
    deals: Deals
    log: EventLog
    won_ts: np.ndarray
    funnel: Funnel
    activities: Activities
    accounts: dict[int, AccountRecords]
    absences: list[Absence]
    answers: list[Answer]
    quotas: list[Quota]
    fx: np.ndarray  # [currency, day - fx_first]
    fx_first: int
    manager_effects: dict[str, float] = field(default_factory=dict)
    scenario: str | None = None  # a deliberate change to the future (scenarios.py), None: none
    # indexes that do not depend on the cutoff, shared by every view of the world
    static: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def as_of(self) -> date:
        return date_of(self.cutoff // DAY)

    @property
    def scenario_start(self) -> date | None:
        """The first day the scenario changes (None without a scenario)."""
        return date_of(self.generated_as_of + S.SCENARIO_START_DAYS) if self.scenario else None

    @property
    def as_of_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.cutoff, tz=UTC)

    def drift_ts(self, crm: str) -> int:
        """When the schema-drift custom field of a CRM appears."""
        return (self.generated_as_of + S.DRIFT_DAYS[crm]) * DAY + 9 * 3600

    def at(self, as_of: date | datetime) -> World:
        """The same world seen at another moment within its span."""
        cutoff = seconds_of(as_of)
        if cutoff > self.horizon * DAY:
            raise ValueError(
                f"sandbox world (seed {self.seed}, size {self.size}) is simulated up to "
                f"{date_of(self.horizon)}; {as_of} is past that. Generate a new world with a later "
                "as_of to look further ahead."
            )
        if cutoff <= self.start * DAY:
            raise ValueError(f"sandbox world starts on {date_of(self.start)}; {as_of} is before that")
        return dataclasses.replace(self, cutoff=cutoff)


def _rngs(seed: int, n: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def generate(seed: int = 42, size: str = "small", as_of: date | None = None,
             fiscal_year_start_month: int = 2, corporate_currency: str = "EUR",
             scenario: str | None = None) -> World:
    """Simulate the sandbox company: about 27 months of history ending at `as_of` (default today,
    UTC) plus `HORIZON_DAYS` of future that `step` reveals. Same arguments, same world.

    `scenario` (one of `settings.SCENARIOS`) changes the future from `SCENARIO_START_DAYS` after
    `as_of` on and nothing before it; see `scenarios.py`."""
    check_scenario(scenario)
    if size not in S.SIZES:
        raise ValueError(f"sandbox generator: unknown size {size!r}; use one of {', '.join(S.SIZES)}")
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError(f"sandbox generator: fiscal_year_start_month must be 1-12, got {fiscal_year_start_month}")
    spec = S.SIZES[size]
    as_of = as_of or datetime.now(UTC).date()
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    start = day_of(quarter_start(add_months(month_start(as_of), -S.HISTORY_MONTHS), fiscal_year_start_month))
    as_of_day = day_of(as_of)
    horizon = as_of_day + S.HORIZON_DAYS
    r = _rngs(seed, 10)
    fx_first = start - 40
    fx = simulate_rates(r[0], fx_first, horizon, corporate_currency)
    org = simulate_org(r[1], spec, start, as_of_day, horizon)
    companies = simulate_companies(r[2], org, spec, (horizon - start) / 30.44)
    deals, log = simulate_deals(r[3], org, companies, spec, fx, fx_first, start, horizon)
    log = complete_history(r[4], org, deals, log, as_of_day, horizon)
    won_ts = first_won_ts(log, len(deals))
    funnel = simulate_funnel(r[5], org, companies, deals, won_ts, spec, start, horizon)
    activities = simulate_activities(r[6], deals, log, funnel, spec, horizon, start * DAY - 10**7)
    accounts = simulate_accounts(r[7], companies, deals, won_ts, funnel, start, horizon)
    absences = simulate_absences(r[8], org, start, horizon)
    answers = simulate_surveys(r[8], org, start, horizon, fiscal_year_start_month)
    quotas = simulate_quotas(org, start, horizon, fiscal_year_start_month,
                             _quota_levels(org, deals, log, fx, fx_first, start, horizon, fiscal_year_start_month))
    effects = manager_change_effects(r[9]) if org.manager_changes else {}
    world = World(seed, size, fiscal_year_start_month, corporate_currency, start, horizon, as_of_day,
                  as_of_day * DAY, org, companies, deals, log, won_ts, funnel, activities, accounts,
                  absences, answers, quotas, fx, fx_first, effects)
    # applied last, on the finished timeline, so the quotas and everything before the start day
    # are those of the unchanged company
    return apply_scenario(world, scenario) if scenario else world


def _quota_levels(org: Org, deals: Deals, log: EventLog, fx: np.ndarray, fx_first: int, start: int,
                  horizon: int, fy_start_month: int) -> dict[tuple[str, int], float]:
    """Quota levels calibrated on the simulated bookings of AE-owned deals."""
    stage, last_ts, amount = outcomes(log, len(deals))
    won = (stage == S.WON) & (deals.owner0 >= 0) & (deals.deleted == NEVER)
    day = last_ts[won] // DAY
    corp = amount[won] * fx[deals.currency[won], np.clip(day - fx_first, 0, fx.shape[1] - 1)]
    market = np.array([org.teams[t].market for t in deals.team[won]], dtype=object)
    return quota_levels(org, market, day, corp, start, horizon, fy_start_month)


def step(world: World, days: int = 1) -> World:
    """The world `days` later: more of the simulated timeline is visible (new records, stage
    changes, wins and losses, edits, deletions, schema drift)."""
    if days < 0:
        raise ValueError("sandbox step: days must be >= 0; the past does not change")
    return world.at(datetime.fromtimestamp(world.cutoff + days * DAY, tz=UTC))


def first_won_ts(log: EventLog, n: int) -> np.ndarray:
    """Time each deal was first won (NEVER when it was not)."""
    m = (log.field == STAGE) & (log.value == S.WON)
    out = np.full(n, NEVER, dtype=np.int64)
    np.minimum.at(out, log.deal[m], log.ts[m])
    return out


def manager_change_effects(rng: np.random.Generator, n: int = 40000) -> dict[str, float]:
    """The built-in effect of the manager change, measured by walking synthetic mid-market deals
    with and without the lift: win rate and demo->proposal conversion, in points."""
    spec = S.MARKETS["mid_market"]
    res = {}
    for label, lift in (("base", np.zeros(4)), ("lifted", np.asarray(S.MANAGER_CHANGE_PASS_LIFT))):
        out = EventBuffer()
        p = PathInputs(np.arange(n), np.full(n, 20000 * DAY), np.ones(n, np.int64),
                       np.tile(np.minimum(0.97, np.asarray(spec.pass_prob) + lift), (n, 1)),
                       np.tile(np.asarray(spec.dwell_days, float), (n, 1)), np.full(n, 20060),
                       np.full(n, 1000.0), np.full(n, 100.0), np.ones(n, bool), np.ones(n, bool))
        run_paths(rng, p, 10**12, out)
        log = out.log()
        st = FieldIndex.build(log, STAGE)
        last, _ = st.last_before(n, NEVER)
        final = st.value[last]
        won = (final == S.WON).sum()
        closed = (final >= S.WON).sum()
        reached_demo = np.zeros(n, bool)
        reached_prop = np.zeros(n, bool)
        reached_demo[st.deal[(st.value >= 2) & (st.value <= 5)]] = True
        reached_prop[st.deal[(st.value >= 3) & (st.value <= 5)]] = True
        res[label] = (won / closed, reached_prop.sum() / reached_demo.sum())
    return {
        "built_in_effect_win_rate_points": round(float(100 * (res["lifted"][0] - res["base"][0])), 1),
        "built_in_effect_stage_conversion_demo_points": round(float(100 * (res["lifted"][1] - res["base"][1])), 1),
        "built_in_effect_enps_score_points": float(S.MANAGER_CHANGE_ENPS_SHIFT + 1),
    }
