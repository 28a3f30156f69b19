"""A day step reveals more of the simulated timeline in a way an incremental sync can follow:
what changed carries a modified timestamp after the previous as_of, what did not change is
byte-for-byte the same."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sandbox.generator import generate, render, step

AS_OF = date(2026, 9, 15)
MODIFIED = {"salesforce": ("SystemModstamp", "CreatedDate"), "hubspot": ("updatedAt",),
            "pipedrive": ("update_time", "modified", "timestamp")}
ID = {"salesforce": "Id", "hubspot": "id", "pipedrive": "id"}


def _moment(text: str) -> datetime:
    text = text.replace(".000+0000", "").replace(".000Z", "").replace("Z", "").replace(" ", "T")
    return datetime.fromisoformat(text)


def _stamp(crm: str, row: dict) -> datetime | None:
    for key in MODIFIED[crm]:
        if key in row:
            return _moment(row[key])
    return None


def _key(crm: str, obj: str, row: dict) -> object:
    if obj == "dealFlow":
        return row["data"]["id"]
    if obj == "associations":
        return (row["fromObjectType"], row["fromId"], row["toObjectType"], row["toId"])
    return row.get(ID[crm])


@pytest.fixture(scope="module")
def before_after():
    world = generate(seed=11, size="tiny", as_of=AS_OF)
    return render(world, truth=False), render(step(world, 7), truth=False)


def _diff(before, after, crm: str):
    new, changed, same = [], [], []
    for obj, rows in after.records[crm].items():
        old = {_key(crm, obj, r): r for r in before.records[crm].get(obj, [])}
        for row in rows:
            prev = old.get(_key(crm, obj, row))
            (new if prev is None else changed if prev != row else same).append((obj, row))
    return new, changed, same


@pytest.mark.parametrize("crm", ["salesforce", "hubspot", "pipedrive"])
def test_step_creates_and_updates_records_with_timestamps_after_the_previous_as_of(before_after, crm):
    before, after = before_after
    new, changed, _ = _diff(before, after, crm)
    assert new, f"no new {crm} records after a week"
    assert changed, f"no updated {crm} records after a week"
    cutoff = datetime(2026, 9, 15)
    for obj, row in new + changed:
        stamp = _stamp(crm, row)
        if stamp is not None and obj not in ("pipelines_deals", "associations"):
            assert stamp >= cutoff, (crm, obj, row)


@pytest.mark.parametrize("crm", ["salesforce", "hubspot", "pipedrive"])
def test_unchanged_records_keep_their_old_timestamps(before_after, crm):
    before, after = before_after
    _, _, same = _diff(before, after, crm)
    assert same
    for obj, row in same:
        stamp = _stamp(crm, row)
        if stamp is not None and obj not in ("CurrencyType",):
            assert stamp < datetime(2026, 9, 15), (crm, obj)


def test_step_deletes_a_deal_in_every_crm(before_after):
    before, after = before_after
    gone_sf = {o["Id"] for o in after.records["salesforce"]["Opportunity"] if o["IsDeleted"]} - {
        o["Id"] for o in before.records["salesforce"]["Opportunity"] if o["IsDeleted"]}
    gone_hs = {d["id"] for d in after.records["hubspot"]["deals"] if d["archived"]} - {
        d["id"] for d in before.records["hubspot"]["deals"] if d["archived"]}
    gone_pd = {d["id"] for d in after.records["pipedrive"]["deals"] if d["is_deleted"]} - {
        d["id"] for d in before.records["pipedrive"]["deals"] if d["is_deleted"]}
    assert gone_sf and gone_hs and gone_pd
    deleted = [o for o in after.records["salesforce"]["Opportunity"] if o["Id"] in gone_sf]
    assert all(_moment(o["SystemModstamp"]) >= datetime(2026, 9, 15) for o in deleted)
    archived = [d for d in after.records["hubspot"]["deals"] if d["id"] in gone_hs]
    assert all(d["archivedAt"] >= "2026-09-15" for d in archived)


def test_open_deals_progress_during_a_step():
    world = generate(seed=11, size="tiny", as_of=AS_OF)
    before, after = render(world, truth=False), render(step(world, 30), truth=False)
    old = {o["Id"]: o for o in before.records["salesforce"]["Opportunity"]}
    old.update({d["id"]: d for d in before.records["hubspot"]["deals"]})
    moved = [o for o in after.records["salesforce"]["Opportunity"]
             if o["Id"] in old and old[o["Id"]]["StageName"] != o["StageName"]]
    moved += [d for d in after.records["hubspot"]["deals"]
              if d["id"] in old and old[d["id"]]["properties"]["dealstage"] != d["properties"]["dealstage"]]
    assert moved
    history_before = len(before.records["salesforce"]["OpportunityHistory"])
    assert len(after.records["salesforce"]["OpportunityHistory"]) >= history_before


def test_new_custom_fields_appear_after_a_step(before_after):
    before, after = before_after
    assert not any("Competitor__c" in o for o in before.records["salesforce"]["Opportunity"])
    assert any("Competitor__c" in o for o in after.records["salesforce"]["Opportunity"])
    assert any("partner_name" in d["properties"] for d in after.records["hubspot"]["deals"])
    names_before = {f["name"] for f in before.records["pipedrive"]["dealFields"]}
    names_after = {f["name"] for f in after.records["pipedrive"]["dealFields"]}
    assert names_after - names_before == {"Competitor"}


def test_step_of_zero_days_changes_nothing():
    world = generate(seed=11, size="tiny", as_of=AS_OF)
    assert render(step(world, 0), truth=False).records == render(world, truth=False).records


def test_stepping_past_the_simulated_horizon_is_refused():
    world = generate(seed=11, size="tiny", as_of=AS_OF)
    later = step(world, 30)
    assert later.as_of == AS_OF + timedelta(days=30)
    with pytest.raises(ValueError, match="simulated up to"):
        step(world, 400)


def test_render_at_an_earlier_date_hides_what_happened_later():
    world = generate(seed=11, size="tiny", as_of=AS_OF)
    earlier = render(world, as_of=date(2026, 6, 1), truth=False)
    assert earlier.meta["as_of"] == "2026-06-01T00:00:00Z"
    assert all(o["CreatedDate"] < "2026-06-01" for o in earlier.records["salesforce"]["Opportunity"])
