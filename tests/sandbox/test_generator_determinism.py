"""The generator is deterministic: same arguments, same dataset; another seed, another company."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.generator import generate, render

AS_OF = date(2026, 9, 15)


@pytest.fixture(scope="module")
def tiny_dataset():
    return render(generate(seed=7, size="tiny", as_of=AS_OF))


def test_same_seed_gives_an_identical_dataset(tiny_dataset):
    again = render(generate(seed=7, size="tiny", as_of=AS_OF))
    assert again.records == tiny_dataset.records
    assert again.inputs == tiny_dataset.inputs
    assert again.truth == tiny_dataset.truth
    assert again.meta == tiny_dataset.meta


def test_another_seed_gives_another_company(tiny_dataset):
    other = render(generate(seed=8, size="tiny", as_of=AS_OF), truth=False)
    assert other.records["salesforce"]["Opportunity"] != tiny_dataset.records["salesforce"]["Opportunity"]


def test_meta_describes_the_world(tiny_dataset):
    meta = tiny_dataset.meta
    assert meta["as_of"] == "2026-09-15T00:00:00Z"
    assert (meta["seed"], meta["size"]) == (7, "tiny")
    assert meta["fiscal_year_start_month"] == 2
    assert meta["corporate_currency"] == "EUR"


def test_tiny_world_has_about_ten_reps_and_a_few_hundred_deals(tiny_dataset):
    roster = [r for r in tiny_dataset.inputs["hr_roster.csv"].splitlines()[1:] if ",ae," in r or ",sdr," in r]
    deals = sum(len(tiny_dataset.records[crm][obj]) for crm, obj in
                (("salesforce", "Opportunity"), ("hubspot", "deals"), ("pipedrive", "deals")))
    assert 8 <= len([r for r in roster if r.split(",")[8] == ""]) <= 16
    assert 150 <= deals <= 600


def test_unknown_size_is_refused_with_the_allowed_sizes():
    with pytest.raises(ValueError, match="tiny, small, large"):
        generate(size="huge", as_of=AS_OF)


def test_another_fiscal_year_and_corporate_currency_are_honoured():
    ds = render(generate(seed=7, size="tiny", as_of=AS_OF, fiscal_year_start_month=1, corporate_currency="USD"))
    rates = [r.split(",") for r in ds.inputs["exchange_rates.csv"].splitlines()[1:]]
    assert all(float(rate) == 1.0 for _, code, rate in rates if code == "USD")
    assert any(float(rate) != 1.0 for _, code, rate in rates if code == "EUR")
    quarters = {r.split(",")[1] for r in ds.truth["kpi_values.csv"].splitlines()[1:] if r.startswith("quarter,")}
    assert all(q[5:7] in ("01", "04", "07", "10") for q in quarters)
    assert ds.meta["corporate_currency"] == "USD"
    quota = ds.inputs["quotas.csv"].splitlines()[1].split(",")
    assert quota[5] in ("USD", "")
