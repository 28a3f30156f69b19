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


@pytest.mark.parametrize("obj,params", [
    ("deals", {"sort_by": "update_time", "sort_direction": "asc", "limit": 37}),
    ("deals", {"sort_by": "update_time", "sort_direction": "desc", "limit": 41, "status": "open,won,lost,deleted"}),
    ("deals", {"sort_by": "id", "limit": 5, "updated_since": "2026-06-01T00:00:00Z"}),
    ("activities", {"sort_by": "add_time", "sort_direction": "desc", "limit": 53}),
    ("persons", {"limit": 29}),
])
def test_a_lazily_rendered_company_pages_the_same_through_the_pipedrive_server(monkeypatch, obj, params):
    """Large companies are served from sorted views kept per query (a page is a binary search); paging
    them to the end gives the pages an eagerly rendered company gives."""
    import requests

    from sandbox.servers.common import Faults
    from sandbox.servers.pipedrive import DEFAULT_TOKEN, PipedriveServer

    world = generate(seed=3, size="tiny", as_of=date(2026, 9, 15))
    eager = render(world, truth=False)
    monkeypatch.setitem(S.SIZES, "tiny", dataclasses.replace(S.SIZES["tiny"], lazy_records=True))
    lazy = render(world, truth=False)
    assert isinstance(lazy.records["pipedrive"][obj], LazyRecords)

    def pages(dataset):
        out = []
        with PipedriveServer(dataset, faults=Faults()) as srv:
            cursor = None
            while True:
                query = {**params, **({"cursor": cursor} if cursor else {})}
                body = requests.get(f"{srv.base_url}/api/v2/{obj}", params=query,
                                    headers={"x-api-token": DEFAULT_TOKEN}, timeout=30).json()
                out.append([r["id"] for r in body["data"]])
                cursor = body["additional_data"]["next_cursor"]
                if cursor is None:
                    return out

    expected = pages(eager)
    assert sum(map(len, expected)) > params["limit"]  # more than one page, so cursors were followed
    assert pages(lazy) == expected


def test_a_lazily_rendered_company_searches_the_same_through_the_hubspot_server(monkeypatch):
    """Searches of a large company keep their hits per query; paging one with `after` gives the
    pages an eagerly rendered company gives, and another query is not answered from the kept hits."""
    import requests

    from sandbox.servers.common import Faults
    from sandbox.servers.hubspot import DEFAULT_TOKEN, HubSpotServer

    world = generate(seed=3, size="tiny", as_of=date(2026, 9, 15))
    eager = render(world, truth=False)
    monkeypatch.setitem(S.SIZES, "tiny", dataclasses.replace(S.SIZES["tiny"], lazy_records=True))
    lazy = render(world, truth=False)
    bodies = [
        {"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                                        "value": "2026-03-01T00:00:00Z"}]}],
         "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}], "limit": 7},
        {"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                                        "value": "2026-08-01T00:00:00Z"}]}],
         "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}], "limit": 5},
    ]

    def pages(dataset):
        out = []
        with HubSpotServer(dataset, faults=Faults(), search_rate_limit=None) as srv:
            for body in bodies:
                after, ids = None, []
                while True:
                    answer = requests.post(f"{srv.base_url}/crm/v3/objects/deals/search",
                                           json={**body, **({"after": after} if after else {})},
                                           headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}, timeout=30).json()
                    ids.append([r["id"] for r in answer["results"]])
                    after = (answer.get("paging") or {}).get("next", {}).get("after")
                    if not after:
                        break
                out.append(ids)
        return out

    expected = pages(eager)
    assert len(expected[0]) > 1 and expected[0] != expected[1]
    assert pages(lazy) == expected


def test_a_day_step_frees_the_hubspot_servers_stale_indexes_before_building_new_ones(monkeypatch):
    """At a day step the HubSpot server rebuilds its id orders and association index for the new lists.
    The previous lists and indexes (gigabytes for a large company) are released before the first new
    one is built, so a step never holds both."""
    import gc
    import weakref

    from sandbox.generator import step
    from sandbox.servers.common import Faults
    from sandbox.servers.hubspot import HubSpotServer, catalogue
    from sandbox.servers.hubspot import records as hubspot_records

    monkeypatch.setitem(S.SIZES, "tiny", dataclasses.replace(S.SIZES["tiny"], lazy_records=True))
    world = generate(seed=3, size="tiny", as_of=date(2026, 9, 15))
    dataset = render(world, truth=False)
    body = {"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE",
                                           "value": "2026-08-01T00:00:00Z"}]}], "limit": 5}
    with HubSpotServer(dataset, faults=Faults(), search_rate_limit=None) as srv:
        srv.warm()
        srv._search_hits("deals", body, lambda: [{"id": "kept"}])
        names = [*catalogue.OBJECT_TYPES, "associations"]
        old = {name: weakref.ref(dataset.objects("hubspot", name)) for name in names
               if len(dataset.objects("hubspot", name))}
        assert {"deals", "contacts", "associations"} <= set(old)
        assert all(isinstance(ref(), LazyRecords) for ref in old.values())
        alive_at_first_build: list[list[str]] = []
        real_id_key = hubspot_records.id_key

        def id_key(value):
            if not alive_at_first_build:
                gc.collect()
                alive_at_first_build.append([name for name, ref in old.items() if ref() is not None])
            return real_id_key(value)

        monkeypatch.setattr(hubspot_records, "id_key", id_key)
        dataset.replace(render(step(world, 1), truth=False))
        srv.warm()
        # A search of the new lists is not answered from the hits kept for the old ones.
        assert srv._search_hits("deals", body, lambda: [{"id": "fresh"}]) == [{"id": "fresh"}]
    assert alive_at_first_build == [[]]
