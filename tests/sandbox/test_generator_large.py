"""Large worlds render lazily; the lazy records are the same records, built on demand."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from sandbox.generator import generate, render
from sandbox.generator import settings as S
from sandbox.generator.rendering.lazy import LazyRecords


def test_lazy_rendering_gives_the_same_records_as_eager_rendering(monkeypatch):
    world = generate(seed=3, size="tiny", as_of=date(2026, 9, 15))
    eager = render(world, truth=False)
    monkeypatch.setitem(S.SIZES, "tiny", dataclasses.replace(S.SIZES["tiny"], lazy_records=True))
    lazy = render(world, truth=False)
    assert isinstance(lazy.records["hubspot"]["associations"], LazyRecords)
    for crm, objects in eager.records.items():
        for obj, rows in objects.items():
            got = lazy.records[crm][obj]
            assert len(got) == len(rows), (crm, obj)
            assert list(got) == rows, (crm, obj)
            if len(rows) > 3:
                assert got[-1] == rows[-1] and got[1:3] == rows[1:3]


@pytest.mark.slow
def test_large_world_has_about_a_million_deals():
    world = generate(seed=42, size="large", as_of=date(2026, 9, 15))
    visible = int((world.deals.created < world.cutoff).sum())
    assert 700_000 <= visible <= 1_400_000
    ds = render(world, truth=False)
    first = ds.records["salesforce"]["Opportunity"][0]
    assert first["Id"].startswith("006")
