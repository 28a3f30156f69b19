"""A small hand-made raw warehouse whose KPIs can be worked out by hand.

The tables mimic what the connectors land (docs/warehouse.md, the connector contract): dlt snake_case
columns, `is_deleted` on every CRM table, Salesforce probabilities 0-100, HubSpot properties as typed
columns, Pipedrive deal flow rows. Timestamps are a mix of ISO text and real timestamps on purpose.

The world (as of 2026-05-20, fiscal year from February: Q1 = Feb-Apr 2026, Q2 = May-Jul 2026):

Salesforce (Ann, AE "Mid-Market"; a sales-ops integration user outside the HR roster)
  O1  Kelvant   USD 10,000  qualification 02-03 > demo 02-10 > proposal 02-20 > won 03-05 (skips negotiation)
  O2  Orbit     EUR  5,000  created at proposal 02-05 (mid-funnel) > lost 03-10
  O3  Kelvant   EUR 20,000  qualification 03-02 > demo 03-09 > proposal 03-20 > demo 04-01 (backward)
                            > proposal 04-10 with amount 25,000 and close 06-15 (was 05-30); open
  O4  deleted in Salesforce: must vanish
  O5  sales ops CHF 7,000   renewal, qualification 04-01 > won 04-15; no CHF rate: amount NULL
HubSpot (Bob, AE "SMB"; Ann is a HubSpot owner too, with no records, her e-mail spelled " ANN@acme.test")
  H1  Nimbus    EUR  3,000  appointmentscheduled 02-10 > qualifiedtobuy 02-12 > presentationscheduled 02-20
                            > closedlost 03-01 > presentationscheduled 03-15 (reopened) > closedwon 04-20
  H2  archived: must vanish
  H3  Orbit     EUR  4,000  appointmentscheduled 05-05; open, close 06-30
Pipedrive (Carl, AE "UK")
  P1  Kelvant S.A.S. GBP 8,000  Lead In 02-15 > Proposal Made 02-20 (skips demo) > won 03-25
  P2  no org    GBP  1,000  Contact Made 04-02; open, expected close 05-31
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd

AS_OF = "2026-05-20"


def ts(text: str) -> datetime:
    """A UTC timestamp, as dlt lands parsed ISO strings."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sf_ts(day: str, time: str = "10:00:00") -> str:
    """Salesforce's datetime text, as the REST API sends it."""
    return f"{day}T{time}.000+0000"


def d(text: str) -> date:
    return date.fromisoformat(text)


def _table(con: duckdb.DuckDBPyConnection, schema: str, name: str, rows: list[dict[str, Any]]) -> None:
    con.execute(f"create schema if not exists {schema}")
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        # pandas turns integer columns with gaps into floats; dlt lands them as BIGINT
        if frame[column].dtype == "float64" and (column == "id" or column.endswith("_id")):
            frame[column] = frame[column].astype("Int64")
    con.execute(f'create or replace table {schema}."{name}" as select * from frame')


def _crm(rows: list[dict[str, Any]], load_id: str = "1779000000.5") -> list[dict[str, Any]]:
    """Every CRM row gets dlt's bookkeeping columns and `is_deleted` (default false)."""
    out = []
    for i, row in enumerate(rows):
        full = {"is_deleted": False, **row, "_dlt_load_id": load_id, "_dlt_id": f"id{i}"}
        out.append(full)
    return out


def salesforce(con: duckdb.DuckDBPyConnection) -> None:
    _table(con, "raw_salesforce", "user", _crm([
        {"id": "005A", "name": "Ann Archer", "email": "Ann@Acme.test", "is_active": True, "user_role_id": "00E1"},
        {"id": "005B", "name": "Bea Boss", "email": "boss@acme.test", "is_active": True, "user_role_id": "00E2"},
        {"id": "005S", "name": "Sales Ops", "email": "salesops@acme.test", "is_active": True, "user_role_id": None},
    ]))
    _table(con, "raw_salesforce", "user_role", _crm([
        {"id": "00E1", "name": "Account Executive"}, {"id": "00E2", "name": "Sales Manager"},
    ]))
    _table(con, "raw_salesforce", "account", _crm([
        {"id": "001X", "name": "Kelvant SAS", "website": "https://www.kelvant.fr/about", "number_of_employees": 500,
         "annual_revenue": 10_000_000.0, "currency_iso_code": "EUR", "industry": "Software", "billing_country": "FR",
         "created_date": sf_ts("2025-01-10")},
        {"id": "001Y", "name": "Orbit Ltd", "website": "orbit.co.uk", "number_of_employees": 50,
         "annual_revenue": 2_000_000.0, "currency_iso_code": "GBP", "industry": "Retail", "billing_country": "GB",
         "created_date": sf_ts("2025-02-10")},
    ]))
    stages = [("Qualification", 10, False, False, "Pipeline"), ("Needs Analysis", 20, False, False, "Pipeline"),
              ("Proposal/Price Quote", 60, False, False, "BestCase"),
              ("Negotiation/Review", 80, False, False, "Forecast"), ("Closed Won", 100, True, True, "Closed"),
              ("Closed Lost", 0, True, False, "Omitted")]
    _table(con, "raw_salesforce", "opportunity_stage", _crm([
        {"id": f"01J{i}", "api_name": name, "master_label": name, "sort_order": i, "is_active": True,
         "is_closed": closed, "is_won": won, "default_probability": float(prob), "forecast_category": fc}
        for i, (name, prob, closed, won, fc) in enumerate(stages, start=1)
    ]))
    opps = [
        dict(id="006O1", name="Kelvant platform", account_id="001X", owner_id="005A", stage_name="Closed Won",
             amount=10_000.0, probability=100.0, close_date="2026-03-05", is_closed=True, is_won=True,
             forecast_category_name="Closed", type="New Business", currency_iso_code="USD",
             created_date=sf_ts("2026-02-03", "09:00:00"), last_modified_date=sf_ts("2026-03-05", "15:00:00")),
        dict(id="006O2", name="Orbit pilot", account_id="001Y", owner_id="005A", stage_name="Closed Lost",
             amount=5_000.0, probability=0.0, close_date="2026-03-10", is_closed=True, is_won=False,
             forecast_category_name="Omitted", type="New Business", currency_iso_code="EUR",
             loss_reason_c="Price", created_date=sf_ts("2026-02-05"),
             last_modified_date=sf_ts("2026-03-10", "16:00:00")),
        dict(id="006O3", name="Kelvant expansion", account_id="001X", owner_id="005A",
             stage_name="Proposal/Price Quote", amount=25_000.0, probability=60.0, close_date="2026-06-15",
             is_closed=False, is_won=False, forecast_category_name="Best Case", type="Existing Customer - Upgrade",
             currency_iso_code="EUR", created_date=sf_ts("2026-03-02"),
             last_modified_date=sf_ts("2026-04-10", "12:00:00")),
        dict(id="006O4", name="Deleted deal", account_id="001X", owner_id="005A", stage_name="Qualification",
             amount=99_999.0, probability=10.0, close_date="2026-04-30", is_closed=False, is_won=False,
             forecast_category_name="Pipeline", type="New Business", currency_iso_code="EUR",
             created_date=sf_ts("2026-02-04"), last_modified_date=sf_ts("2026-02-04"), is_deleted=True),
        dict(id="006O5", name="Orbit renewal", account_id="001Y", owner_id="005S", stage_name="Closed Won",
             amount=7_000.0, probability=100.0, close_date="2026-04-15", is_closed=True, is_won=True,
             forecast_category_name="Closed", type="Renewal", currency_iso_code="CHF",
             created_date=sf_ts("2026-04-01"), last_modified_date=sf_ts("2026-04-15", "11:00:00")),
    ]
    _table(con, "raw_salesforce", "opportunity", _crm(opps))
    # OpportunityHistory: a snapshot of stage, amount, close date, probability at each change
    h = []

    def snap(opp: str, day: str, stage: str, amount: float, close: str, prob: float, fc: str,
             time: str = "10:00:00", deleted: bool = False) -> None:
        h.append(dict(id=f"008{len(h):03d}", opportunity_id=opp, stage_name=stage, amount=amount,
                      close_date=close, probability=prob, forecast_category=fc, currency_iso_code="EUR",
                      created_date=sf_ts(day, time), is_deleted=deleted))

    snap("006O1", "2026-02-03", "Qualification", 10_000.0, "2026-04-30", 10, "Pipeline", "09:00:00")
    snap("006O1", "2026-02-10", "Needs Analysis", 10_000.0, "2026-04-30", 20, "Pipeline")
    snap("006O1", "2026-02-20", "Proposal/Price Quote", 10_000.0, "2026-04-30", 60, "BestCase")
    snap("006O1", "2026-03-05", "Closed Won", 10_000.0, "2026-03-05", 100, "Closed", "15:00:00")
    snap("006O2", "2026-02-05", "Proposal/Price Quote", 5_000.0, "2026-03-31", 60, "BestCase")
    snap("006O2", "2026-03-10", "Closed Lost", 5_000.0, "2026-03-10", 0, "Omitted", "16:00:00")
    snap("006O3", "2026-03-02", "Qualification", 20_000.0, "2026-05-30", 10, "Pipeline")
    snap("006O3", "2026-03-09", "Needs Analysis", 20_000.0, "2026-05-30", 20, "Pipeline")
    snap("006O3", "2026-03-20", "Proposal/Price Quote", 20_000.0, "2026-05-30", 60, "BestCase")
    snap("006O3", "2026-04-01", "Needs Analysis", 20_000.0, "2026-05-30", 20, "Pipeline")
    snap("006O3", "2026-04-10", "Proposal/Price Quote", 25_000.0, "2026-06-15", 60, "BestCase", "12:00:00")
    snap("006O4", "2026-02-04", "Qualification", 99_999.0, "2026-04-30", 10, "Pipeline")
    snap("006O5", "2026-04-01", "Qualification", 7_000.0, "2026-04-30", 10, "Pipeline")
    snap("006O5", "2026-04-15", "Closed Won", 7_000.0, "2026-04-15", 100, "Closed", "11:00:00")
    _table(con, "raw_salesforce", "opportunity_history", _crm(h))
    _table(con, "raw_salesforce", "task", _crm([
        {"id": "00T1", "subject": "Call Kelvant", "task_subtype": "Call", "type": "Call", "owner_id": "005A",
         "what_id": "006O1", "account_id": "001X", "activity_date": "2026-02-04",
         "completed_date_time": sf_ts("2026-02-04", "11:00:00"), "call_duration_in_seconds": 600,
         "created_date": sf_ts("2026-02-04")},
        {"id": "00T2", "subject": "Send proposal", "task_subtype": "Email", "type": "Proposal", "owner_id": "005A",
         "what_id": "006O1", "account_id": "001X", "activity_date": "2026-02-20",
         "completed_date_time": sf_ts("2026-02-20", "12:00:00"), "created_date": sf_ts("2026-02-20")},
    ]))
    _table(con, "raw_salesforce", "event", _crm([
        {"id": "00U1", "subject": "Demo", "owner_id": "005A", "what_id": "006O1",
         "start_date_time": sf_ts("2026-02-10", "14:00:00"), "end_date_time": sf_ts("2026-02-10", "15:00:00"),
         "duration_in_minutes": 60, "created_date": sf_ts("2026-02-09")},
    ]))
    _table(con, "raw_salesforce", "lead", _crm([
        {"id": "00Q1", "email": "Zoe@Orbit.co.uk", "company": "Orbit Ltd", "status": "Converted", "owner_id": "005A",
         "created_date": sf_ts("2026-01-20"), "mql_date_c": "2026-02-02", "sql_date_c": "2026-02-04",
         "is_converted": True, "converted_date": "2026-02-05", "converted_opportunity_id": "006O2",
         "converted_account_id": "001Y"},
        {"id": "00Q2", "email": "yan@kelvant.fr", "company": "Kelvant", "status": "Working", "owner_id": "005A",
         "created_date": sf_ts("2026-02-01"), "mql_date_c": "2026-02-10", "is_converted": False},
    ]))


def hubspot(con: duckdb.DuckDBPyConnection) -> None:
    _table(con, "raw_hubspot", "owners", _crm([
        {"id": "11", "email": "bob@acme.test", "first_name": "Bob", "last_name": "Baker", "archived": False,
         "created_at": ts("2024-01-01 00:00:00"), "updated_at": ts("2024-01-01 00:00:00")},
        # Ann owns records in Salesforce too (005A, "Ann@Acme.test"): one person, two CRM users
        {"id": "12", "email": " ANN@acme.test", "first_name": "Ann", "last_name": "Archer", "archived": False,
         "created_at": ts("2024-01-01 00:00:00"), "updated_at": ts("2024-01-01 00:00:00")},
    ]))
    stages = [("appointmentscheduled", 0.2, False), ("qualifiedtobuy", 0.4, False),
              ("presentationscheduled", 0.6, False), ("decisionmakerboughtin", 0.8, False),
              ("contractsent", 0.9, False), ("closedwon", 1.0, True), ("closedlost", 0.0, True)]
    _table(con, "raw_hubspot", "deal_pipelines", _crm([{"id": "default", "label": "Sales Pipeline",
                                                         "display_order": 0, "archived": False}]))
    _table(con, "raw_hubspot", "deal_stages", _crm([
        {"pipeline_id": "default", "stage_id": s, "label": s.title(), "display_order": i, "probability": p,
         "is_closed": c} for i, (s, p, c) in enumerate(stages)
    ]))
    _table(con, "raw_hubspot", "companies", _crm([
        {"id": "9", "name": "ORBIT", "domain": "www.orbit.co.uk", "numberofemployees": 50,
         "created_at": ts("2025-03-01 10:00:00"), "archived": False},
        {"id": "10", "name": "Nimbus GmbH", "domain": None, "numberofemployees": 2000,
         "created_at": ts("2025-03-02 10:00:00"), "archived": False},
    ]))
    _table(con, "raw_hubspot", "deals", _crm([
        {"id": "501", "dealname": "Nimbus seats", "pipeline": "default", "dealstage": "closedwon", "amount": 3000.0,
         "deal_currency_code": "EUR", "hubspot_owner_id": "11", "closedate": ts("2026-04-20 10:00:00"),
         "createdate": ts("2026-02-10 09:00:00"), "hs_lastmodifieddate": ts("2026-04-20 10:00:00"),
         "dealtype": "newbusiness", "archived": False},
        {"id": "502", "dealname": "Archived", "pipeline": "default", "dealstage": "qualifiedtobuy", "amount": 50_000.0,
         "deal_currency_code": "EUR", "hubspot_owner_id": "11", "closedate": ts("2026-04-20 10:00:00"),
         "createdate": ts("2026-02-11 09:00:00"), "hs_lastmodifieddate": ts("2026-02-11 09:00:00"),
         "archived": True, "is_deleted": True},
        {"id": "503", "dealname": "Orbit add-on", "pipeline": "default", "dealstage": "appointmentscheduled",
         "amount": 4000.0, "deal_currency_code": "EUR", "hubspot_owner_id": "11",
         "closedate": ts("2026-06-30 00:00:00"), "createdate": ts("2026-05-05 09:00:00"),
         "hs_lastmodifieddate": ts("2026-05-05 09:00:00"), "dealtype": "existingbusiness", "archived": False},
    ]))
    history = [("501", "appointmentscheduled", "2026-02-10 09:00:00"), ("501", "qualifiedtobuy", "2026-02-12 10:00:00"),
               ("501", "presentationscheduled", "2026-02-20 10:00:00"), ("501", "closedlost", "2026-03-01 10:00:00"),
               ("501", "presentationscheduled", "2026-03-15 10:00:00"), ("501", "closedwon", "2026-04-20 10:00:00"),
               ("502", "qualifiedtobuy", "2026-02-11 09:00:00"), ("503", "appointmentscheduled", "2026-05-05 09:00:00")]
    _table(con, "raw_hubspot", "deal_stage_history", _crm([
        {"deal_id": deal, "value": stage, "timestamp": ts(when), "source_type": "CRM_UI"} for deal, stage, when in history
    ]))
    _table(con, "raw_hubspot", "associations", _crm([
        {"from_object_type": "deals", "from_id": "501", "to_object_type": "companies", "to_id": "10", "type_id": 5,
         "category": "HUBSPOT_DEFINED"},
        {"from_object_type": "companies", "from_id": "9", "to_object_type": "deals", "to_id": "503", "type_id": 6,
         "category": "HUBSPOT_DEFINED"},
        {"from_object_type": "calls", "from_id": "701", "to_object_type": "deals", "to_id": "501", "type_id": 206,
         "category": "HUBSPOT_DEFINED"},
    ]))
    _table(con, "raw_hubspot", "calls", _crm([
        {"id": "701", "hs_timestamp": ts("2026-02-11 10:00:00"), "hubspot_owner_id": "11", "hs_call_title": "Intro",
         "hs_call_duration": 900_000.0, "archived": False},
    ]))
    _table(con, "raw_hubspot", "meetings", _crm([
        {"id": "701", "hs_timestamp": ts("2026-02-20 10:00:00"), "hubspot_owner_id": "11",
         "hs_meeting_title": "Demo", "hs_meeting_start_time": ts("2026-02-20 10:00:00"),
         "hs_meeting_end_time": ts("2026-02-20 10:45:00"), "archived": False},
    ]))
    _table(con, "raw_hubspot", "contacts", _crm([
        {"id": "801", "email": "zoe@orbit.co.uk", "lifecyclestage": "opportunity", "hubspot_owner_id": "11",
         "createdate": ts("2026-01-15 10:00:00"),
         "hs_lifecyclestage_marketingqualifiedlead_date": ts("2026-01-30 10:00:00"), "archived": False},
        {"id": "802", "email": "ola@nimbus.de", "lifecyclestage": "salesqualifiedlead", "hubspot_owner_id": "11",
         "createdate": ts("2026-02-01 10:00:00"), "archived": False},
    ]))
    _table(con, "raw_hubspot", "contact_lifecycle_history", _crm([
        {"contact_id": "802", "value": "marketingqualifiedlead", "timestamp": ts("2026-02-03 10:00:00")},
        {"contact_id": "802", "value": "salesqualifiedlead", "timestamp": ts("2026-02-06 10:00:00")},
    ]))


def pipedrive(con: duckdb.DuckDBPyConnection) -> None:
    _table(con, "raw_pipedrive", "users", _crm([
        {"id": 1, "name": "Carl Cole", "email": "carl@acme.test", "active_flag": True},
    ]))
    _table(con, "raw_pipedrive", "pipelines", _crm([{"id": 1, "name": "Subsidiary sales", "order_nr": 1}]))
    stages = ["Lead In", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started"]
    _table(con, "raw_pipedrive", "stages", _crm([
        {"id": i, "name": n, "pipeline_id": 1, "order_nr": i, "deal_probability": 10 * i}
        for i, n in enumerate(stages, start=1)
    ]))
    _table(con, "raw_pipedrive", "organizations", _crm([
        {"id": 7, "name": "Kelvant S.A.S.", "owner_id": 1, "add_time": ts("2025-06-01 10:00:00")},
    ]))
    _table(con, "raw_pipedrive", "deals", _crm([
        {"id": 41, "title": "Kelvant UK", "owner_id": 1, "org_id": 7, "pipeline_id": 1, "stage_id": 4,
         "value": 8000.0, "currency": "GBP", "status": "won", "probability": None,
         "add_time": ts("2026-02-15 10:00:00"), "update_time": ts("2026-03-25 10:00:00"),
         "won_time": ts("2026-03-25 10:00:00"), "close_time": ts("2026-03-25 10:00:00"),
         "expected_close_date": "2026-03-31", "is_archived": False},
        {"id": 42, "title": "Small UK deal", "owner_id": 1, "org_id": None, "pipeline_id": 1, "stage_id": 2,
         "value": 1000.0, "currency": "GBP", "status": "open", "probability": None,
         "add_time": ts("2026-04-02 10:00:00"), "update_time": ts("2026-04-02 10:00:00"),
         "expected_close_date": "2026-05-31", "is_archived": False},
    ]))
    _table(con, "raw_pipedrive", "deal_flow", _crm([
        {"id": 9001, "deal_id": 41, "field_key": "stage_id", "old_value": "1", "new_value": "4",
         "log_time": "2026-02-20 10:00:00", "user_id": 1},
        {"id": 9002, "deal_id": 41, "field_key": "status", "old_value": "open", "new_value": "won",
         "log_time": "2026-03-25 10:00:00", "user_id": 1},
    ]))
    _table(con, "raw_pipedrive", "activities", _crm([
        {"id": 61, "subject": "Call Kelvant UK", "type": "call", "owner_id": 1, "deal_id": 41, "org_id": 7,
         "due_date": "2026-02-16", "due_time": "09:30", "duration": "00:20", "done": True},
    ]))


def inputs(con: duckdb.DuckDBPyConnection) -> None:
    _table(con, "raw_inputs", "exchange_rates", [
        {"rate_date": d("2026-01-01"), "currency": "USD", "rate_to_corporate": 0.90},
        {"rate_date": d("2026-03-01"), "currency": "USD", "rate_to_corporate": 0.95},
        {"rate_date": d("2026-01-01"), "currency": "GBP", "rate_to_corporate": 1.15},
        {"rate_date": d("2026-01-01"), "currency": "EUR", "rate_to_corporate": 1.0},
    ])
    _table(con, "raw_inputs", "hr_roster", [
        {"employee_id": "E1", "email": "ann@acme.test", "full_name": "Ann Archer", "role": "ae", "level": "senior",
         "team": "Mid-Market", "manager_email": "boss@acme.test", "hire_date": d("2024-01-15"), "exit_date": None,
         "exit_type": None},
        {"employee_id": "E2", "email": "bob@acme.test", "full_name": "Bob Baker", "role": "ae", "level": "mid",
         "team": "SMB", "manager_email": "boss@acme.test", "hire_date": d("2025-03-01"), "exit_date": None,
         "exit_type": None},
        {"employee_id": "E3", "email": "boss@acme.test", "full_name": "Bea Boss", "role": "manager", "level": "manager",
         "team": "Leadership", "manager_email": None, "hire_date": d("2023-01-01"), "exit_date": None,
         "exit_type": None},
        {"employee_id": "E4", "email": "carl@acme.test", "full_name": "Carl Cole", "role": "ae", "level": "mid",
         "team": "UK", "manager_email": "boss@acme.test", "hire_date": d("2025-09-01"), "exit_date": None,
         "exit_type": None},
        {"employee_id": "E5", "email": "dan@acme.test", "full_name": "Dan Drew", "role": "sdr", "level": "junior",
         "team": "SMB", "manager_email": "boss@acme.test", "hire_date": d("2024-05-01"),
         "exit_date": d("2026-04-30"), "exit_type": "voluntary"},
    ])
    _table(con, "raw_inputs", "hr_events", [
        {"employee_id": "E4", "event_date": d("2024-02-01"), "event_type": "hire", "detail": None},
        {"employee_id": "E4", "event_date": d("2025-01-31"), "event_type": "exit", "detail": "voluntary"},
        {"employee_id": "E4", "event_date": d("2025-09-01"), "event_type": "rehire", "detail": None},
    ])
    _table(con, "raw_inputs", "quotas", [
        {"rep_email": "ann@acme.test", "period_start": d("2026-02-01"), "period_end": d("2026-04-30"),
         "quota_type": "revenue", "quota_amount": 100_000.0, "currency": "EUR"},
        {"rep_email": "ann@acme.test", "period_start": d("2026-05-01"), "period_end": d("2026-07-31"),
         "quota_type": "revenue", "quota_amount": 120_000.0, "currency": "EUR"},
        {"rep_email": "bob@acme.test", "period_start": d("2026-02-01"), "period_end": d("2026-04-30"),
         "quota_type": "revenue", "quota_amount": 50_000.0, "currency": "EUR"},
        {"rep_email": "dan@acme.test", "period_start": d("2026-02-01"), "period_end": d("2026-04-30"),
         "quota_type": "meetings", "quota_amount": 40.0, "currency": None},
    ])
    _table(con, "raw_inputs", "absences", [
        {"employee_id": "E1", "start_date": d("2026-03-02"), "end_date": d("2026-03-06"), "absence_type": "vacation",
         "planned": True},
    ])
    _table(con, "raw_inputs", "surveys", [
        {"survey_id": "S1", "survey_date": d("2026-03-15"), "team": "SMB", "enps_score": s} for s in (9, 10, 6, 8)
    ])
    _table(con, "raw_inputs", "config_settings", [
        {"key": "corporate_currency", "value": "EUR"}, {"key": "fiscal_year_start_month", "value": "2"},
        {"key": "amber_share", "value": "0.9"}, {"key": "smb_max_employees", "value": "200"},
        {"key": "mid_market_max_employees", "value": "1000"}, {"key": "as_of_date", "value": AS_OF},
    ])
    mapping = {
        ("salesforce", "default"): {"Qualification": "qualification", "Needs Analysis": "demo",
                                    "Proposal/Price Quote": "proposal", "Negotiation/Review": "negotiation",
                                    "Closed Won": "closed_won", "Closed Lost": "closed_lost"},
        ("hubspot", "default"): {"appointmentscheduled": "qualification", "qualifiedtobuy": "qualification",
                                 "presentationscheduled": "demo", "decisionmakerboughtin": "proposal",
                                 "contractsent": "negotiation", "closedwon": "closed_won", "closedlost": "closed_lost"},
        ("pipedrive", "Subsidiary sales"): {"Lead In": "qualification", "Contact Made": "qualification",
                                            "Demo Scheduled": "demo", "Proposal Made": "proposal",
                                            "Negotiations Started": "negotiation"},
    }
    _table(con, "raw_inputs", "config_stage_mapping", [
        {"source": s, "pipeline": p, "source_stage": st, "canonical_stage": c}
        for (s, p), stages in mapping.items() for st, c in stages.items()
    ])
    _table(con, "raw_inputs", "config_kpi_targets", [
        {"kpi": "pipeline_coverage", "grain": "quarter", "scope_type": "company", "scope_id": "all", "target": 4.0},
        {"kpi": "stage_conversion_demo", "grain": "quarter", "scope_type": "company", "scope_id": "all",
         "target": 0.4},
        {"kpi": "opportunities_created", "grain": "quarter", "scope_type": "company", "scope_id": "all",
         "target": 8.0},
        {"kpi": "sales_cycle_days_mean", "grain": "quarter", "scope_type": "company", "scope_id": "all",
         "target": 30.0},
    ])
    _table(con, "raw_inputs", "targets", [
        {"kpi": "opportunities_created", "grain": "quarter", "scope_type": "company", "scope_id": "all",
         "target": 100.0},
        {"kpi": "win_rate_count", "grain": "quarter", "scope_type": "team", "scope_id": "SMB", "target": 0.3},
    ])
    _table(con, "raw_inputs", "config_kpi_actions", [
        {"kpi": "pipeline_coverage", "status": "red", "action": "Relaunch a targeted account-based (ABM) campaign"},
    ])
    _table(con, "raw_inputs", "config_headline_kpis", [
        {"kpi": k, "position": i} for i, k in enumerate(
            ["opportunities_created", "stage_conversion_demo", "pipeline_coverage", "win_rate_count",
             "sales_cycle_days_mean", "forecast_accuracy"], start=1)
    ])


def write_raw_fixture(path: str) -> None:
    """Create the raw schemas of the hand-made world in the DuckDB file at `path`."""
    with duckdb.connect(path) as con:
        salesforce(con)
        hubspot(con)
        pipedrive(con)
        inputs(con)
