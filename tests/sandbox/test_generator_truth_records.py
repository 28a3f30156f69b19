"""The truth (computed from the simulation) agrees with what the rendered records say, for KPIs
simple enough to recompute here from the records alone."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from sandbox.dataset import read_csv
from sandbox.generator import generate, render


@pytest.fixture(scope="module")
def ds():
    return render(generate(seed=21, size="tiny", as_of=date(2026, 9, 15)))


def _truth(ds, kpi: str, field: str = "value") -> dict[str, float]:
    return {r["period_start"]: float(r[field]) for r in read_csv(ds.truth["kpi_values.csv"])
            if r["kpi"] == kpi and r["grain"] == "month" and r["scope_type"] == "company"}


def _deals(ds):
    """(created date, closed date or None, won) of every non-deleted deal, from the records."""
    out = []
    for o in ds.records["salesforce"]["Opportunity"]:
        if not o["IsDeleted"]:
            out.append((o["CreatedDate"][:10], o["CloseDate"] if o["IsClosed"] else None, o["IsWon"]))
    for d in ds.records["hubspot"]["deals"]:
        if not d["archived"]:
            p = d["properties"]
            closed = p["hs_is_closed"] == "true"
            out.append((p["createdate"][:10], p["closedate"][:10] if closed else None, p["hs_is_closed_won"] == "true"))
    for d in ds.records["pipedrive"]["deals"]:
        if not d["is_deleted"]:
            closed = d["status"] in ("won", "lost")
            out.append((d["add_time"][:10], d["close_time"][:10] if closed else None, d["status"] == "won"))
    return out


def test_opportunities_created_match_the_records(ds):
    created = Counter(c[:7] + "-01" for c, _, _ in _deals(ds))
    truth = _truth(ds, "opportunities_created")
    assert truth
    for month, value in truth.items():
        assert created.get(month, 0) == value, month


def test_won_and_closed_deal_counts_match_the_records(ds):
    won = Counter(c[:7] + "-01" for _, c, w in _deals(ds) if c and w)
    closed = Counter(c[:7] + "-01" for _, c, _ in _deals(ds) if c)
    numerators, denominators = _truth(ds, "win_rate_count", "numerator"), _truth(ds, "win_rate_count", "denominator")
    for month in numerators:
        assert (won.get(month, 0), closed.get(month, 0)) == (numerators[month], denominators[month]), month


def test_mql_cohorts_match_the_records_after_unifying_people_by_email(ds):
    first: dict[str, str] = {}
    for lead in ds.records["salesforce"]["Lead"]:
        if lead["MQL_Date__c"] and not lead["IsDeleted"]:
            key = lead["Email"].lower()
            first[key] = min(first.get(key, "9999"), lead["MQL_Date__c"])
    for c in ds.records["hubspot"]["contacts"]:
        mql = c["properties"].get("hs_lifecyclestage_marketingqualifiedlead_date")
        if mql and not c["archived"]:
            key = c["properties"]["email"].lower()
            first[key] = min(first.get(key, "9999"), mql[:10])
    cohorts = Counter(d[:7] + "-01" for d in first.values())
    truth = _truth(ds, "mql_to_sql_conversion", "denominator")
    assert any(truth.values())
    for month, value in truth.items():
        assert cohorts.get(month, 0) == value, month
