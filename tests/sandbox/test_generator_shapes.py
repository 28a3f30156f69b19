"""Rendered records follow sandbox/FORMAT.md for each CRM, and the input files have their columns."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sandbox.dataset import read_csv
from sandbox.generator import generate, render

SF_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$")
HS_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
V1_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HEX40 = re.compile(r"^[0-9a-f]{40}$")
SF_PREFIX = {"User": "005", "UserRole": "00E", "Account": "001", "Contact": "003", "Lead": "00Q",
             "Opportunity": "006", "OpportunityHistory": "008", "OpportunityFieldHistory": "017", "Task": "00T",
             "Event": "00U", "OpportunityStage": "01J", "ForecastingQuota": "0J9", "CurrencyType": "02N",
             "DatedConversionRate": "04w"}


@pytest.fixture(scope="module")
def ds():
    return render(generate(seed=3, size="tiny", as_of=date(2026, 9, 15)), truth=False)


def test_every_salesforce_object_is_present_with_ids_of_its_prefix(ds):
    sf = ds.records["salesforce"]
    assert set(SF_PREFIX) <= set(sf)
    for obj, prefix in SF_PREFIX.items():
        assert sf[obj], f"no {obj} records"
        for row in sf[obj]:
            assert len(row["Id"]) == 18 and row["Id"].startswith(prefix), (obj, row["Id"])
            assert "attributes" not in row


def test_salesforce_audit_fields_follow_the_format(ds):
    for obj, rows in ds.records["salesforce"].items():
        for row in rows:
            assert isinstance(row["IsDeleted"], bool)
            assert SF_DATETIME.match(row["CreatedDate"]), (obj, row["CreatedDate"])
            if obj == "OpportunityFieldHistory":
                assert "SystemModstamp" not in row and "LastModifiedDate" not in row
                continue
            assert SF_DATETIME.match(row["SystemModstamp"])
            assert ("LastModifiedDate" in row) == (obj != "OpportunityHistory")


def test_salesforce_opportunities_use_the_sales_process_stages_and_dates(ds):
    stages = {"Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won",
              "Closed Lost"}
    opps = ds.records["salesforce"]["Opportunity"]
    assert {o["StageName"] for o in opps} <= stages
    assert {s["ApiName"] for s in ds.records["salesforce"]["OpportunityStage"]} == stages
    for o in opps:
        assert DATE.match(o["CloseDate"]) and 0 <= o["Probability"] <= 100
        assert o["CurrencyIsoCode"] in {"EUR", "USD", "GBP"}
        assert o["Loss_Reason__c"] is None or o["StageName"] == "Closed Lost"
    for h in ds.records["salesforce"]["OpportunityHistory"]:
        assert {"StageName", "Amount", "CloseDate", "Probability", "ForecastCategory", "CreatedDate",
                "SystemModstamp"} <= set(h)
    assert {h["Field"] for h in ds.records["salesforce"]["OpportunityFieldHistory"]} == {"created", "StageName"}


def test_salesforce_accounts_and_leads_carry_the_custom_fields(ds):
    acc = ds.records["salesforce"]["Account"][0]
    assert {"Segment__c", "Strategic__c"} <= set(acc)
    lead_fields = set(ds.records["salesforce"]["Lead"][0])
    assert {"MQL_Date__c", "SQL_Date__c", "IsConverted", "ConvertedOpportunityId"} <= lead_fields


def test_every_hubspot_property_value_is_a_string_or_null(ds):
    for obj in ("contacts", "companies", "deals", "calls", "meetings", "emails", "notes", "tasks"):
        rows = ds.records["hubspot"][obj]
        assert rows, f"no HubSpot {obj}"
        for row in rows:
            assert isinstance(row["id"], str)
            props = row["properties"]
            assert all(v is None or isinstance(v, str) for v in props.values()), (obj, props)
            assert {"hs_object_id", "createdate", "hs_lastmodifieddate"} <= set(props)
            assert HS_DATETIME.match(row["createdAt"]) and HS_DATETIME.match(row["updatedAt"])
            assert row["archived"] == ("archivedAt" in row)
            if obj == "contacts":
                assert "lastmodifieddate" in props


def test_hubspot_deals_have_stage_history_newest_first_in_the_default_pipeline(ds):
    ids = {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
           "contractsent", "closedwon", "closedlost"}
    pipeline = ds.records["hubspot"]["pipelines_deals"][0]
    assert pipeline["id"] == "default" and {s["id"] for s in pipeline["stages"]} == ids
    assert all(isinstance(v, str) for s in pipeline["stages"] for v in s["metadata"].values())
    for deal in ds.records["hubspot"]["deals"]:
        hist = deal["propertiesWithHistory"]["dealstage"]
        assert hist[0]["value"] == deal["properties"]["dealstage"]
        stamps = [h["timestamp"] for h in hist]
        assert stamps == sorted(stamps, reverse=True)
        assert set(deal["propertiesWithHistory"]) == {"dealstage", "amount", "closedate"}


def test_hubspot_contacts_have_lifecycle_history_and_dates(ds):
    contacts = ds.records["hubspot"]["contacts"]
    mql = [c for c in contacts if c["properties"].get("hs_lifecyclestage_marketingqualifiedlead_date")]
    assert mql
    for c in contacts:
        hist = c["propertiesWithHistory"]["lifecyclestage"]
        assert hist[0]["value"] == c["properties"]["lifecyclestage"]


def test_hubspot_owners_and_associations_have_their_shapes(ds):
    owner = ds.records["hubspot"]["owners"][0]
    assert {"id", "email", "type", "firstName", "lastName", "userId", "createdAt", "updatedAt", "archived",
            "teams"} <= set(owner)
    kinds = {(a["fromObjectType"], a["toObjectType"]) for a in ds.records["hubspot"]["associations"]}
    assert {("deals", "companies"), ("deals", "contacts"), ("contacts", "companies"), ("calls", "deals")} <= kinds


def test_pipedrive_records_use_integer_ids_and_rfc3339_times(ds):
    pd = ds.records["pipedrive"]
    for obj in ("deals", "persons", "organizations", "activities", "pipelines", "stages"):
        assert pd[obj], f"no Pipedrive {obj}"
        for row in pd[obj]:
            assert isinstance(row["id"], int)
            assert RFC3339.match(row["add_time"]) and RFC3339.match(row["update_time"])
            assert isinstance(row.get("is_deleted", False), bool)
    for deal in pd["deals"]:
        for key in ("owner_id", "pipeline_id", "stage_id"):
            assert isinstance(deal[key], int)
        assert deal["status"] in {"open", "won", "lost"}
        assert all(HEX40.match(k) for k in deal["custom_fields"])
    assert [s["name"] for s in pd["stages"]] == ["Lead In", "Contact Made", "Demo Scheduled", "Proposal Made",
                                                 "Negotiations Started"]
    assert pd["pipelines"][0]["name"] == "Subsidiary sales"


def test_pipedrive_v1_objects_and_deal_flow_have_their_shapes(ds):
    pd = ds.records["pipedrive"]
    assert all(V1_TIME.match(u["created"]) for u in pd["users"])
    assert "proposal" in {t["key_string"] for t in pd["activityTypes"]}
    custom = [f for f in pd["dealFields"] if HEX40.match(f["key"])]
    assert custom and custom[0]["name"] == "Lead channel"
    keys = set()
    for change in pd["dealFlow"]:
        assert change["object"] == "dealChange" and V1_TIME.match(change["timestamp"])
        data = change["data"]
        assert data["item_id"] == change["deal_id"]
        keys.add(data["field_key"])
    assert {"stage_id", "value", "expected_close_date", "status"} <= keys


def test_input_files_have_the_documented_columns(ds):
    expected = {
        "quotas.csv": ["rep_email", "period_start", "period_end", "quota_type", "quota_amount", "currency"],
        "targets.csv": ["kpi", "grain", "scope_type", "scope_id", "target"],
        "hr_roster.csv": ["employee_id", "email", "full_name", "role", "level", "team", "manager_email",
                          "hire_date", "exit_date", "exit_type"],
        "hr_events.csv": ["employee_id", "event_date", "event_type", "detail"],
        "absences.csv": ["employee_id", "start_date", "end_date", "absence_type", "planned"],
        "surveys.csv": ["survey_id", "survey_date", "team", "enps_score"],
        "exchange_rates.csv": ["rate_date", "currency", "rate_to_corporate"],
    }
    for name, columns in expected.items():
        assert ds.inputs[name].splitlines()[0].split(",") == columns, name
    quotas = read_csv(ds.inputs["quotas.csv"])
    assert {q["quota_type"] for q in quotas} == {"revenue", "meetings"}
    assert all((q["currency"] == "EUR") == (q["quota_type"] == "revenue") for q in quotas)
    rates = read_csv(ds.inputs["exchange_rates.csv"])
    assert {r["currency"] for r in rates} == {"EUR", "USD", "GBP"}
    assert all(float(r["rate_to_corporate"]) == 1.0 for r in rates if r["currency"] == "EUR")
    assert max(r["rate_date"] for r in rates) < "2026-09-15"


def test_nothing_dated_after_as_of_is_visible(ds):
    cutoff = "2026-09-15"
    assert all(o["CreatedDate"] < cutoff for o in ds.records["salesforce"]["Opportunity"])
    assert all(o["SystemModstamp"] < cutoff for o in ds.records["salesforce"]["Opportunity"])
    assert all(d["properties"]["hs_lastmodifieddate"] < cutoff for d in ds.records["hubspot"]["deals"])
    assert all(d["update_time"] < cutoff for d in ds.records["pipedrive"]["deals"])
    roster = read_csv(ds.inputs["hr_roster.csv"])
    assert all(r["hire_date"] < cutoff and (r["exit_date"] or "") < cutoff for r in roster)


def test_records_hold_only_plain_json_values(ds):
    import json

    def plain(x: object) -> bool:
        if isinstance(x, dict):
            return all(isinstance(k, str) and plain(v) for k, v in x.items())
        if isinstance(x, list):
            return all(plain(v) for v in x)
        return x is None or type(x) in (str, int, float, bool)

    for crm, objects in ds.records.items():
        for obj, rows in objects.items():
            assert all(plain(r) for r in rows), (crm, obj)
            assert json.loads(json.dumps(rows)) == rows


def test_dataset_round_trips_through_a_folder(ds, tmp_path):
    from sandbox.dataset import Dataset

    ds.save(tmp_path / "sandbox")
    back = Dataset.load(tmp_path / "sandbox")
    assert back.records["salesforce"]["Opportunity"] == ds.records["salesforce"]["Opportunity"]
    assert back.records["pipedrive"]["dealFlow"] == ds.records["pipedrive"]["dealFlow"]
    assert back.inputs == ds.inputs
