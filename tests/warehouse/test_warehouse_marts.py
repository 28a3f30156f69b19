"""The marts built from the hand-made raw world (see warehouse_raw_fixture.py for the story)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from warehouse_dbt import DbtRun


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_dbt_build_passes_every_model_and_test_with_only_the_missing_rate_warning(built: tuple[Path, DbtRun]) -> None:
    _, run = built
    assert run.exception is None
    assert run.failed() == {}
    assert run.success
    warned = {name for name, status in run.statuses.items() if status == "warn"}
    assert warned == {"assert_every_deal_currency_has_a_rate"}
    # unit tests ran as part of the build
    assert run.statuses["stage_events_flag_skips_backward_moves_and_reopenings"] == "pass"


def test_deleted_and_archived_deals_disappear_everywhere(con: duckdb.DuckDBPyConnection) -> None:
    deals = {r[0] for r in rows(con, "select deal_id from marts.fct_deals")}
    assert deals == {"salesforce:006O1", "salesforce:006O2", "salesforce:006O3", "salesforce:006O5",
                     "hubspot:501", "hubspot:503", "pipedrive:41", "pipedrive:42"}
    for table in ("fct_deal_stage_events", "fct_deal_changes", "fct_pipeline_daily"):
        leaked = rows(con, f"select count(*) from marts.{table} where deal_id in ('salesforce:006O4', 'hubspot:502')")
        assert leaked == [(0,)], table


def test_amounts_convert_at_the_rate_of_the_close_date_or_of_today(con: duckdb.DuckDBPyConnection) -> None:
    got = {r[0]: r[1:] for r in rows(con, "select deal_id, fx_rate, amount_corporate from marts.fct_deals")}
    assert got["salesforce:006O1"] == (0.95, 9500.0)  # USD won 03-05: the 03-01 rate, not 01-01's
    assert got["pipedrive:42"] == (1.15, 1150.0)  # open GBP deal: today's rate
    assert got["salesforce:006O5"] == (None, None)  # CHF has no rate at all: NULL, never 1:1
    assert got["hubspot:501"] == (1.0, 3000.0)


def test_canonical_stages_come_from_the_mapping_and_pipedrive_status(con: duckdb.DuckDBPyConnection) -> None:
    got = {r[0]: r[1:] for r in rows(con, "select deal_id, stage, status, source_stage, probability from marts.fct_deals")}
    assert got["pipedrive:41"][:2] == ("closed_won", "won")  # won lives in the status, not a stage
    assert got["pipedrive:42"] == ("qualification", "open", "Contact Made", 0.2)  # the stage's probability
    assert got["salesforce:006O3"] == ("proposal", "open", "Proposal/Price Quote", 0.6)
    assert got["hubspot:503"][:2] == ("qualification", "open")


def test_stage_events_flag_skips_backward_moves_and_reopenings(con: duckdb.DuckDBPyConnection) -> None:
    events = rows(con, """
        select deal_id, stage, is_skip, is_backward, is_reopening from marts.fct_deal_stage_events
        order by deal_id, entered_at""")
    assert ("salesforce:006O1", "closed_won", True, False, False) in events  # jumped over negotiation
    assert ("pipedrive:41", "proposal", True, False, False) in events  # Lead In straight to Proposal Made
    assert ("salesforce:006O3", "demo", False, True, False) in events  # back from proposal
    assert ("hubspot:501", "demo", False, False, True) in events  # reopened after closedlost
    o2 = [e for e in events if e[0] == "salesforce:006O2"]
    assert o2[0][1:] == ("proposal", False, False, False)  # created mid-funnel: the first entry is no skip
    hubspot_501 = [e[1] for e in events if e[0] == "hubspot:501"]
    # appointmentscheduled -> qualifiedtobuy are both qualification: one entry
    assert hubspot_501 == ["qualification", "demo", "closed_lost", "demo", "closed_won"]
    reopened = rows(con, "select deal_id from marts.fct_deals where is_reopened")
    assert reopened == [("hubspot:501",)]


def test_pipeline_daily_uses_the_amount_and_close_date_known_on_each_day(con: duckdb.DuckDBPyConnection) -> None:
    def o3(day: str) -> tuple:
        return rows(con, f"""select stage, amount, expected_close_date from marts.fct_pipeline_daily
                             where deal_id = 'salesforce:006O3' and snapshot_date = '{day}'""")[0]

    assert o3("2026-04-09") == ("demo", 20000.0, date(2026, 5, 30))
    assert o3("2026-04-10") == ("proposal", 25000.0, date(2026, 6, 15))  # end of day: the noon change counts
    won = rows(con, "select max(snapshot_date) from marts.fct_pipeline_daily where deal_id = 'salesforce:006O1'")
    assert won == [(date(2026, 3, 4),)]  # not open at the end of the day it was won


def test_deal_changes_record_amount_close_date_stage_and_status(con: duckdb.DuckDBPyConnection) -> None:
    changes = rows(con, """select field, old_value, new_value from marts.fct_deal_changes
                           where deal_id = 'salesforce:006O3' and changed_at = '2026-04-10 12:00:00'
                           order by field""")
    assert changes == [("amount", "20000.0", "25000.0"), ("expected_close_date", "2026-05-30", "2026-06-15"),
                       ("probability", "0.2", "0.6"), ("stage", "demo", "proposal")]
    statuses = rows(con, """select old_value, new_value from marts.fct_deal_changes
                            where deal_id = 'hubspot:501' and field = 'status' order by changed_at""")
    assert statuses == [("open", "lost"), ("lost", "open"), ("open", "won")]


def test_accounts_match_by_domain_then_by_name_across_crms(con: duckdb.DuckDBPyConnection) -> None:
    accounts = rows(con, """select domain, salesforce_account_id, hubspot_company_id, pipedrive_org_id, segment
                            from marts.dim_accounts order by domain nulls last""")
    assert ("kelvant.fr", "001X", None, "7", "mid_market") in accounts  # "Kelvant S.A.S." has no domain
    assert ("orbit.co.uk", "001Y", "9", None, "smb") in accounts  # "ORBIT", www.orbit.co.uk
    assert (None, None, "10", None, "enterprise") in accounts  # Nimbus: 2000 employees
    assert len(accounts) == 3


def test_people_are_one_rep_per_email_across_crms_and_the_roster(con: duckdb.DuckDBPyConnection) -> None:
    reps = {r[0]: r[1:] for r in rows(con, """select email, role, team, salesforce_user_id, is_in_hr_roster
                                               from marts.dim_reps""")}
    assert reps["ann@acme.test"] == ("ae", "Mid-Market", "005A", True)  # "Ann@Acme.test" in Salesforce
    assert reps["salesops@acme.test"] == ("other", "unassigned", "005S", False)
    assert set(reps) == {"ann@acme.test", "bob@acme.test", "boss@acme.test", "carl@acme.test", "dan@acme.test",
                         "salesops@acme.test"}


def test_a_rep_in_two_crms_is_one_dim_reps_row_holding_both_crm_ids(con: duckdb.DuckDBPyConnection) -> None:
    # Salesforce user 005A is "Ann@Acme.test", HubSpot owner 12 is " ANN@acme.test"
    ann = rows(con, """select email, salesforce_user_id, hubspot_owner_id, pipedrive_user_id, team
                       from marts.dim_reps where lower(email) like '%ann@acme.test%'""")
    assert ann == [("ann@acme.test", "005A", "12", None, "Mid-Market")]


def test_a_rehire_opens_a_second_employment_spell(con: duckdb.DuckDBPyConnection) -> None:
    spells = rows(con, """select spell_start, spell_end, exit_type from marts.fct_employment_spells
                          where employee_id = 'E4' order by spell_start""")
    assert spells == [(date(2024, 2, 1), date(2025, 1, 31), "voluntary"), (date(2025, 9, 1), None, None)]


def test_people_unify_by_email_with_the_earliest_mql_deciding_the_source(con: duckdb.DuckDBPyConnection) -> None:
    zoe = rows(con, """select source, owner_email, cast(mql_at as date), cast(sql_at as date), source_records
                       from marts.fct_lead_funnel where email = 'zoe@orbit.co.uk'""")
    # HubSpot's MQL (01-30) is earlier than the Salesforce lead's (02-02); the SQL date comes from Salesforce
    assert zoe == [("hubspot", "bob@acme.test", date(2026, 1, 30), date(2026, 2, 4), 2)]


def test_activities_are_typed_and_attached_to_reps_and_deals(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, """select activity_id, activity_type, rep_email, deal_id from marts.fct_activities
                       order by activity_id""")
    assert ("salesforce:task:00T2", "proposal_sent", "ann@acme.test", "salesforce:006O1") in got
    assert ("hubspot:calls:701", "call", "bob@acme.test", "hubspot:501") in got
    assert ("hubspot:meetings:701", "meeting", "bob@acme.test", None) in got  # same id, other object
    assert ("pipedrive:activities:61", "call", "carl@acme.test", "pipedrive:41") in got


@pytest.mark.parametrize("column", ["email", "rep_id"])
def test_marts_keep_keys_unique(con: duckdb.DuckDBPyConnection, column: str) -> None:
    dupes = rows(con, f"select {column} from marts.dim_reps group by 1 having count(*) > 1")
    assert dupes == []
