"""The companies the sales teams work: firmographics, segment, territory, and which CRMs hold them.

Each team owns a pool of companies in its territory. Which CRM records exist is decided later
(an account record appears when a deal, a lead or marketing first touches the company), except
for the cross-listed companies, which are in two CRMs on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import settings as S
from .names import COUNTRY_CURRENCY, COUNTRY_INFO, INDUSTRIES, REVENUE_PER_EMPLOYEE_EUR, company_names, slug
from .org import Org


@dataclass
class Companies:
    """Columnar company table (index = company id in the world)."""

    base: list[str]
    legal: list[str]
    country: list[str]
    city: list[str]
    domain: list[str]
    industry: np.ndarray  # index into INDUSTRIES
    employees: np.ndarray
    revenue: np.ndarray  # EUR
    segment: np.ndarray  # 0 smb, 1 mid_market, 2 enterprise
    strategic: np.ndarray
    team: np.ndarray  # team whose territory holds the company
    currency: np.ndarray  # deal currency used with this company
    cross_listed: np.ndarray  # also held by a second CRM: 1 = HubSpot (for SF), 2 = Salesforce (for PD)
    upper_name: np.ndarray  # the HubSpot copy writes the name in capitals

    def __len__(self) -> int:
        return len(self.base)

    def display_name(self, i: int, crm: int) -> str:
        """The company name as one CRM spells it ("Kelvant SAS" / "KELVANT" / "Kelvant S.A.S.")."""
        base, legal = self.base[i], self.legal[i]
        if crm == S.HS:
            return base.upper() if self.upper_name[i] else base
        if crm == S.PD:
            return f"{base} {legal}".replace("Ltd", "Limited") if self.cross_listed[i] else f"{base} {legal}"
        return f"{base} {legal}"


def segment_of(employees: np.ndarray) -> np.ndarray:
    """0 smb (< 200), 1 mid_market (200-999), 2 enterprise (>= 1000)."""
    return np.where(employees < S.SMB_MAX_EMPLOYEES, 0,
                    np.where(employees < S.ENTERPRISE_MIN_EMPLOYEES, 1, 2)).astype(np.int8)


def simulate_companies(rng: np.random.Generator, org: Org, size: S.SizeSpec, months: float) -> Companies:
    """Company pools per selling team, sized from the expected number of deals."""
    pools: list[tuple[int, int]] = []  # (team, count)
    for team in org.teams:
        spec = S.MARKETS.get(team.market)
        if spec is None:
            continue
        aes = sum(1 for e in org.employees if e.stints[0].team == team.idx and e.stints[0].role == "ae")
        expected = spec.deals_per_ae_month * size.deal_rate * max(aes, 1) * months * 0.55
        pools.append((team.idx, int(expected) + 15))
    n = sum(c for _, c in pools)
    team_of = np.concatenate([np.full(c, t, dtype=np.int32) for t, c in pools])
    base = company_names(rng, n)
    country, city, legal, domain = [], [], [], []
    employees = np.empty(n, dtype=np.int64)
    strategic = np.zeros(n, dtype=bool)
    used_domains: set[str] = set()
    pos = 0
    for t, c in pools:
        team = org.teams[t]
        spec = S.MARKETS[team.market]
        countries = team.spec.countries
        lo, hi = spec.employees
        employees[pos:pos + c] = np.exp(rng.uniform(np.log(lo), np.log(hi + 1), size=c)).astype(np.int64)
        if team.market == "strategic":
            strategic[pos:pos + c] = True
        elif team.market == "enterprise":
            strategic[pos:pos + c] = rng.random(c) < 0.05
        picks = rng.integers(0, len(countries), size=c)
        for j in range(c):
            code = countries[picks[j]]
            _, tld, legals, cities = COUNTRY_INFO[code]
            country.append(code)
            city.append(cities[int(rng.integers(len(cities)))])
            legal.append(legals[int(rng.integers(len(legals)))])
            dom = f"{slug(base[pos + j])}.{tld}"
            k = 2
            while dom in used_domains:
                dom = f"{slug(base[pos + j])}{k}.{tld}"
                k += 1
            used_domains.add(dom)
            domain.append(dom)
        pos += c
    industry = rng.integers(0, len(INDUSTRIES), size=n).astype(np.int8)
    rev_per = np.asarray(REVENUE_PER_EMPLOYEE_EUR)[industry]
    revenue = np.round(employees * rev_per * rng.uniform(0.7, 1.3, size=n), -3).astype(np.int64)
    currency = np.array([COUNTRY_CURRENCY.get(c, S.EUR) for c in country], dtype=np.int8)
    crm_of = np.array([org.teams[t].crm for t in team_of])
    cross = np.zeros(n, dtype=np.int8)
    pick = rng.random(n) < S.CROSS_LISTED_ACCOUNTS
    cross[pick & (crm_of == S.SF)] = 1
    cross[pick & (crm_of == S.PD)] = 2
    upper = rng.random(n) < 0.35
    return Companies(base, legal, country, city, domain, industry, employees, revenue,
                     segment_of(employees), strategic, team_of, currency, cross, upper)


def pick_companies(rng: np.random.Generator, companies: Companies, teams: np.ndarray) -> np.ndarray:
    """A company from each deal's team pool (with replacement: companies see several deals)."""
    out = np.empty(len(teams), dtype=np.int64)
    order = np.argsort(companies.team, kind="stable")
    sorted_team = companies.team[order]
    for t in np.unique(teams):
        lo, hi = np.searchsorted(sorted_team, [t, t + 1])
        mask = teams == t
        if hi == lo:
            out[mask] = -1
            continue
        # a skewed pick: some companies are worked far more often than others
        r = rng.random(mask.sum()) ** 1.6
        out[mask] = order[lo + (r * (hi - lo)).astype(np.int64)]
    return out
