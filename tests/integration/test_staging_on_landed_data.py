"""Staging on what the connectors really land from the sandbox company: every column staging reads is
filled, so a connector that renames or drops a raw column is caught here."""

from __future__ import annotations

import duckdb
import pytest

# staging columns that must be filled whenever their table has rows: an all-NULL column here means
# a connector renamed or dropped the raw column staging reads
FILLED = {
    "stg_salesforce__opportunities": ["opportunity_id", "stage_name", "amount", "currency", "close_date",
                                      "created_at", "owner_id", "account_id", "opportunity_type"],
    "stg_salesforce__opportunity_history": ["opportunity_id", "stage_name", "amount", "close_date", "created_at"],
    "stg_salesforce__accounts": ["account_id", "account_name", "website", "employees"],
    "stg_salesforce__users": ["user_id", "email"],
    "stg_salesforce__leads": ["lead_id", "email", "mql_at", "employees"],
    "stg_salesforce__tasks": ["task_id", "activity_date", "task_type", "owner_id"],
    "stg_salesforce__events": ["event_id", "start_at", "owner_id"],
    "stg_hubspot__deals": ["deal_id", "stage_id", "pipeline_id", "amount", "currency", "close_at", "created_at",
                           "owner_id"],
    "stg_hubspot__deal_stage_history": ["deal_id", "stage_id", "changed_at"],
    "stg_hubspot__deal_stages": ["pipeline_id", "stage_id", "probability"],
    "stg_hubspot__companies": ["company_id", "company_name", "domain", "employees"],
    "stg_hubspot__contacts": ["contact_id", "email", "mql_at"],
    "stg_hubspot__owners": ["owner_id", "email"],
    "stg_hubspot__calls": ["call_id", "occurred_at", "owner_id"],
    "stg_hubspot__emails": ["email_id", "occurred_at", "activity_category"],
    "stg_hubspot__associations": ["from_object_type", "from_id", "to_object_type", "to_id"],
    "stg_pipedrive__deals": ["deal_id", "stage_id", "deal_status", "amount", "currency", "created_at",
                             "expected_close_date", "owner_id"],
    "stg_pipedrive__deal_flow": ["deal_id", "field_key", "changed_at", "new_value"],
    "stg_pipedrive__stages": ["stage_id", "stage_name", "pipeline_id", "deal_probability"],
    "stg_pipedrive__pipelines": ["pipeline_id", "pipeline_name"],
    "stg_pipedrive__users": ["user_id", "email"],
    "stg_pipedrive__organizations": ["organization_id", "organization_name"],
    "stg_pipedrive__activities": ["activity_id", "activity_type", "due_date", "owner_id"],
    "stg_inputs__exchange_rates": ["currency", "rate_date", "rate_to_corporate"],
    "stg_inputs__hr_roster": ["employee_id", "email", "team", "hire_date"],
    "stg_inputs__quotas": ["rep_email", "period_start", "period_end", "quota_amount"],
}


@pytest.mark.parametrize(("model", "columns"), sorted(FILLED.items()))
def test_staging_reads_the_columns_the_connectors_land(e2e, model: str, columns: list[str]) -> None:
    with duckdb.connect(str(e2e["rt"].warehouse), read_only=True) as con:
        total = con.execute(f"select count(*) from staging.{model}").fetchone()[0]
        assert total > 0, f"staging.{model} is empty: was its raw table landed?"
        empty = [c for c in columns
                 if con.execute(f"select count({c}) from staging.{model}").fetchone()[0] == 0]
    assert empty == [], f"staging.{model}: no values in {empty}"


def test_pipedrive_organizations_carry_their_size_and_website(e2e) -> None:
    with duckdb.connect(str(e2e["rt"].warehouse), read_only=True) as con:
        assert con.execute("select count(employees), count(domain) from staging.stg_pipedrive__organizations"
                           ).fetchone() > (0, 0)


def test_hubspot_amount_and_close_date_histories_are_landed(e2e) -> None:
    with duckdb.connect(str(e2e["rt"].warehouse), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_hubspot__deal_amount_history").fetchone()[0] > 0
        assert con.execute("select count(*) from staging.stg_hubspot__deal_close_date_history").fetchone()[0] > 0
