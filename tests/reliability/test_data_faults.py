"""Complete syncs of each CRM when the data itself misbehaves: malformed records, a field that appears
or disappears, timestamps a little behind the cursor (clock skew), and records changed while the sync
reads them. Nothing is dropped silently: a bad record is quarantined and counted, and once fixed it
lands; everything else equals the sandbox."""

from __future__ import annotations

import re

import duckdb
import pytest

from sandbox.servers.common import Request
from tests.reliability import mutations as m
from tests.reliability.harness import available_crms, check_ops, on_request

pytestmark = pytest.mark.reliability
CRMS = available_crms()
FIELD_NAMES = {"salesforce": ("Amount", "CloseDate"), "hubspot": ("amount", "closedate"),
               "pipedrive": ("value", "expected_close_date")}


def _column(r, table: str, column: str, ids: list[str]) -> dict[str, object]:  # noqa: ANN001
    with duckdb.connect(str(r.warehouse), read_only=True) as con:
        rows = con.execute(f'select cast(id as varchar), "{column}" from raw_{r.crm}."{table}"').fetchall()
    return {rid: value for rid, value in rows if rid in ids}


@pytest.mark.parametrize("crm", CRMS)
def test_malformed_records_are_quarantined_counted_and_land_once_fixed(rig, crm: str) -> None:
    r = rig(crm, "malformed records (unparseable amount and date)")
    obj, table = m.MAIN[crm], m.TABLE[crm]
    t = m.latest(r.dataset, crm)
    records = m.live(r.dataset, crm)
    bad_amount, bad_date = records[0], records[1]
    m.touch(crm, bad_amount, t + m.minutes(1), **m.malformed_change(crm))
    first = r.sync()
    r.check(first, quarantined={table: {m.key(crm, bad_amount)}})
    assert first.rejected == {obj: 1}, first.rejected
    # a day's worth of trouble: a landed record turns bad, a new one arrives bad
    m.touch(crm, bad_date, t + m.minutes(2), **m.bad_date_change(crm))
    new = m.insert(r.dataset, crm, t + m.minutes(3), **m.malformed_change(crm))
    second = r.sync()
    bad = {m.key(crm, x) for x in (bad_amount, bad_date, new)}
    r.check(second, quarantined={table: bad})
    # the record quarantined yesterday is inside the overlap window, read again and rejected again
    assert second.rejected == {obj: 3}, second.rejected
    with duckdb.connect(str(r.warehouse), read_only=True) as con:
        rejected = con.execute("select record_id, reason from ops.rejected_records where source = ? "
                               "order by rejected_at", [crm]).fetchall()
    assert {rid for rid, _ in rejected} == bad
    amount_field, date_field = FIELD_NAMES[crm]
    reasons = {rid: reason for rid, reason in rejected}
    assert amount_field in reasons[m.key(crm, new)] and date_field in reasons[m.key(crm, bad_date)], reasons
    # fixed in the CRM: all three land on the next run, nothing left in quarantine
    for i, record in enumerate((bad_amount, bad_date, new)):
        m.touch(crm, record, t + m.minutes(4 + i), **m.amount_change(crm))
        if record is bad_date:
            m.touch(crm, record, t + m.minutes(4 + i), **_valid_date(crm))
    r.check(r.sync())


def _valid_date(crm: str) -> dict[str, str]:
    return {"salesforce": {"CloseDate": "2027-01-29"}, "hubspot": {"closedate": "2027-01-29T00:00:00.000Z"},
            "pipedrive": {"expected_close_date": "2027-01-29"}}[crm]


@pytest.mark.parametrize("crm", CRMS)
def test_a_new_field_becomes_a_column_and_the_warehouse_stays_exact(rig, crm: str) -> None:
    r = rig(crm, "schema drift: a new field appears")
    r.check(r.sync())
    changed = m.add_field(r.dataset, crm, m.latest(r.dataset, crm) + m.minutes(5), [1000.0, 2500.5, 75.25])
    r.check(r.sync())
    ids = [m.key(crm, x) for x in changed]
    values = _column(r, m.TABLE[crm], m.NEW_FIELD[crm][1], ids)
    assert sorted(float(v) for v in values.values()) == [75.25, 1000.0, 2500.5], values  # type: ignore[arg-type]


@pytest.mark.parametrize("crm", CRMS)
def test_a_field_that_disappears_keeps_its_column_and_the_sync_goes_on(rig, crm: str) -> None:
    r = rig(crm, "schema drift: a field disappears")
    r.check(r.sync())
    column, changed = m.remove_field(r.dataset, crm, m.latest(r.dataset, crm) + m.minutes(5))
    r.check(r.sync())
    # the history stays: the column is still there (null for the records re-read since)
    values = _column(r, m.TABLE[crm], column, [m.key(crm, x) for x in changed])
    assert values and all(v is None for v in values.values()), values


@pytest.mark.parametrize("crm", CRMS)
def test_records_stamped_a_little_before_the_cursor_are_caught_by_the_overlap(rig, crm: str) -> None:
    r = rig(crm, "clock skew: changes stamped up to 5 minutes before the cursor")
    r.check(r.sync())
    cursor = m.latest(r.dataset, crm)  # where the first run left the cursor
    skewed = m.live(r.dataset, crm)[3]
    m.touch(crm, skewed, cursor - m.minutes(2), **m.amount_change(crm))
    late = m.insert(r.dataset, crm, cursor - m.minutes(5))
    m.delete(crm, m.live(r.dataset, crm)[4], cursor - m.minutes(1))
    r.check(r.sync())  # a 10-minute overlap: every one of them is read again
    assert m.key(crm, late) in _column(r, m.TABLE[crm], "is_deleted", [m.key(crm, late)])


# The object read in several pages, the request that starts its second page, and a page size to use.
PAGED = {
    "salesforce": ("Task", re.compile(r"/queryAll/\w+-\d+"), {"rest_batch_size": 200}),
    "hubspot": ("deals", re.compile(r"/crm/v3/objects/deals$"), {}),
    "pipedrive": ("deals", re.compile(r"/api/v2/deals$"), {"page_size": 20}),
}


def _second_page(crm: str, request: Request) -> bool:
    obj, path, _ = PAGED[crm]
    if not path.search(request.path):
        return False
    if crm == "hubspot":
        return bool(request.arg("after")) and not request.flag("archived")
    if crm == "pipedrive":
        return bool(request.arg("cursor")) and request.arg("status") is None
    return True


@pytest.mark.parametrize("crm", CRMS)
def test_records_changed_while_the_sync_reads_them_are_all_there_after_the_next_run(rig, crm: str) -> None:
    r = rig(crm, "records changed during the sync (between pages)")
    obj, _, tweaks = PAGED[crm]
    before = r.snapshot()
    t = max(m.latest(r.dataset, crm), m.latest(r.dataset, crm, obj))
    fired: list[int] = []

    def mutate(n: int, request: Request) -> None:
        if fired or not _second_page(crm, request):
            return
        fired.append(n)
        paged = m.live(r.dataset, crm, obj)
        m.touch(crm, paged[0], t + m.minutes(30), **({} if obj != m.MAIN[crm] else m.amount_change(crm)))
        m.touch(crm, paged[-1], t + m.minutes(31))
        m.delete(crm, paged[len(paged) // 2], t + m.minutes(32))
        m.insert(r.dataset, crm, t + m.minutes(33), obj)
        main = m.live(r.dataset, crm)  # the deals were read earlier (or are being read)
        m.touch(crm, main[1], t + m.minutes(34), **m.amount_change(crm))

    on_request(r.server, mutate)
    first = r.sync(**tweaks)
    assert fired, "the sync never asked for a second page"
    assert first.outcome == "success", first.message
    # every record holds the version before or after the change, never anything else
    during = r.compare(previous=before)
    assert during.ok, during.summary()
    check_ops(r.warehouse, first, during)
    r.faults.counts["records changed mid-sync"] += 5
    r.check(r.sync(**tweaks))
