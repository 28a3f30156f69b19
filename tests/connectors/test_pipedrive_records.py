"""Pure record transforms of the Pipedrive connector: names, custom fields, flow items."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.pipedrive.records import (
    CustomFields,
    assign_columns,
    deal_row,
    flow_row,
    snake_case,
    to_row,
)
from tests.connectors.pipedrive_fixtures import CONTRACT_VALUE_KEY, LEAD_CHANNEL_KEY, flow_item, ts

KEY_A = "a" * 40
KEY_B = "b" * 40


def test_snake_case_turns_labels_into_column_names() -> None:
    assert snake_case("Contract value (ARR)") == "contract_value_arr"
    assert snake_case("Lead channel") == "lead_channel"
    assert snake_case("Größe der Firma") == "grosse_der_firma"
    assert snake_case("2nd owner") == "field_2nd_owner"
    assert snake_case("leadSource") == "lead_source"
    assert snake_case("???") == "custom_field"


def test_custom_field_names_that_collide_get_a_key_suffix() -> None:
    fields = [{"id": 20, "key": KEY_A, "name": "Value"},
              {"id": 21, "key": KEY_B, "name": "Region"},
              {"id": 22, "key": "c" * 40, "name": "region"},
              {"id": 1, "key": "title", "name": "Title"}]
    assert assign_columns(fields, {}) == {KEY_A: "value_aaaaaaaa", KEY_B: "region",
                                          "c" * 40: "region_cccccccc"}


def test_known_custom_field_columns_never_change() -> None:
    known = {KEY_B: "region"}
    renamed = [{"id": 21, "key": KEY_B, "name": "Sales region"}, {"id": 23, "key": KEY_A, "name": "Region"}]
    assert assign_columns(renamed, known) == {KEY_B: "region", KEY_A: "region_aaaaaaaa"}


def test_deal_row_moves_custom_fields_to_named_columns() -> None:
    deal = {"id": 1, "value": 10, "update_time": ts(3), "add_time": ts(2), "status": "open",
            "expected_close_date": "2026-12-01",
            "custom_fields": {LEAD_CHANNEL_KEY: 31, CONTRACT_VALUE_KEY: {"value": 99.5, "currency": "USD"},
                              KEY_A: "orphan"}}
    custom = CustomFields({LEAD_CHANNEL_KEY: "lead_channel", CONTRACT_VALUE_KEY: "contract"},
                          {LEAD_CHANNEL_KEY: "enum", CONTRACT_VALUE_KEY: "monetary"},
                          {LEAD_CHANNEL_KEY: {"31": "Inbound"}})
    outcome = deal_row(deal, custom)
    assert outcome.row is not None
    row = outcome.row
    assert row["lead_channel"] == "Inbound" and row["lead_channel_id"] == 31
    assert row["contract"] == 99.5 and row["contract_currency"] == "USD"
    assert row[f"custom_field_{KEY_A}"] == "orphan"
    assert row["value"] == 10.0 and row["update_time"] == datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert row["is_deleted"] is False and "custom_fields" not in row


def test_a_deal_with_an_unreadable_amount_is_rejected_with_the_field_named() -> None:
    outcome = deal_row({"id": 5, "value": "lots", "update_time": ts(3)}, CustomFields({}, {}, {}))
    assert outcome.row is None and outcome.record_id == 5
    assert outcome.reason is not None and "value" in outcome.reason and "lots" in outcome.reason


def test_a_record_without_update_time_is_rejected() -> None:
    outcome = to_row("persons", {"id": 7, "name": "x"})
    assert outcome.row is None and outcome.reason is not None and "update_time" in outcome.reason


def test_deleted_status_marks_a_deal_deleted() -> None:
    outcome = to_row("deals", {"id": 8, "status": "deleted", "update_time": ts(3)})
    assert outcome.row is not None and outcome.row["is_deleted"] is True


def test_flow_rows_keep_tracked_changes_only() -> None:
    stage = flow_row(flow_item(1, 9, ts(4), "stage_id", 1, 2), 9)
    assert stage.row is not None and stage.row["log_time"] == datetime(2026, 11, 4, 9, tzinfo=UTC)
    assert stage.row["new_value_formatted"] == "Contact Made"
    title = flow_row(flow_item(2, 9, ts(4), "title", "a", "b"), 9)
    assert title.row is None and title.reason is None
    note = flow_row({"object": "note", "data": {"id": 3}}, 9)
    assert note.row is None and note.reason is None
    broken = flow_row({**flow_item(4, 9, ts(4), "status", "open", "won"),
                       "data": {"id": 4, "field_key": "status", "log_time": "soon"}}, 9)
    assert broken.row is None and broken.reason is not None and "log_time" in broken.reason


def test_set_fields_land_as_labels_and_ids() -> None:
    custom = CustomFields({KEY_A: "regions"}, {KEY_A: "set"}, {KEY_A: {"1": "EMEA", "2": "APAC"}})
    outcome = deal_row({"id": 6, "update_time": ts(3), "custom_fields": {KEY_A: [1, 2, 9]}}, custom)
    assert outcome.row is not None
    assert outcome.row["regions"] == "EMEA, APAC, 9" and outcome.row["regions_ids"] == "1,2,9"


def test_persons_get_their_primary_email_and_organizations_a_flat_address() -> None:
    person = to_row("persons", {"id": 1, "update_time": ts(3), "emails": [
        {"value": "old@x.org", "primary": False}, {"value": "main@x.org", "primary": True}]})
    assert person.row is not None and person.row["primary_email"] == "main@x.org"
    org = to_row("organizations", {"id": 2, "update_time": ts(3),
                                   "address": {"value": "1 Main St, Berlin", "country": "Germany"}})
    assert org.row is not None
    assert org.row["address"] == "1 Main St, Berlin" and org.row["address_country"] == "Germany"
