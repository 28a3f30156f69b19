"""Properties of each connector's record conversion: whatever JSON an API sends for a record, the
conversion returns a row or a rejection with a reason (or raises only the errors its caller turns into
a rejection); never an exception that would stop the sync.

Callers and what they catch: Salesforce `to_row` (nothing: it returns the reason), HubSpot `flatten`
(ValueError, TypeError), `owner_row` / `stage_rows` (ValueError, TypeError, KeyError), `history_rows` and
`association_rows` (nothing), Pipedrive `to_row` / `deal_row` / `flow_row` (nothing: Outcome)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.parsers.strategies import PROFILE, json_values, near_values, records

SF_TYPES = ["string", "picklist", "reference", "id", "datetime", "date", "double", "currency", "percent", "int",
            "boolean", "textarea", "anyType"]
SF_FIELDS = ["Id", "Name", "Amount", "CloseDate", "SystemModstamp", "CreatedDate", "IsDeleted", "Probability",
             "NumberOfEmployees", "IsWon", "Segment__c"]


# -- Salesforce ----------------------------------------------------------------------------------------
# Salesforce field names come from describe: identifiers, never empty.
sf_names = st.one_of(st.sampled_from(SF_FIELDS), st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True))


@PROFILE
@given(st.dictionaries(sf_names, st.one_of(json_values, near_values), max_size=8),
       st.dictionaries(st.sampled_from(SF_FIELDS), st.sampled_from(SF_TYPES), max_size=8))
def test_salesforce_records_become_typed_rows_or_rejections_with_a_reason(record: dict[str, Any],
                                                                           types: dict[str, str]) -> None:
    from connectors.salesforce.rows import arrow_schema, to_arrow, to_row

    types = {k: v for k, v in types.items() if k not in ("IsDeleted", "Id")}  # describe fixes these two
    row, reason = to_row(record, types, "SystemModstamp")
    if row is None:
        assert reason, "a rejection must say why"
        return
    assert reason == "" and row["is_deleted"] in (True, False) and row["id"]
    # rows go to Arrow page by page: a value Arrow refuses is returned with its reason, never raised
    table, refused = to_arrow([row], arrow_schema(types))
    assert isinstance(table, pa.Table) and table.num_rows + len(refused) == 1
    assert all(why for _, why in refused)


# -- HubSpot -------------------------------------------------------------------------------------------
HS_PROPS = ["amount", "closedate", "dealstage", "hs_lastmodifieddate", "hs_object_id", "hs_is_closed", "custom"]
HS_KINDS = ["double", "bigint", "bool", "timestamp", "date", "text"]
hubspot_objects = st.fixed_dictionaries(
    {},
    optional={"id": json_values, "createdAt": st.one_of(json_values, near_values),
              "updatedAt": st.one_of(json_values, near_values), "archived": json_values,
              "archivedAt": st.one_of(json_values, near_values),
              "properties": st.one_of(json_values, records(st.sampled_from(HS_PROPS),
                                                           st.one_of(json_values, near_values)))})


@PROFILE
@given(hubspot_objects, st.dictionaries(st.sampled_from(HS_PROPS), st.sampled_from(HS_KINDS), max_size=6))
def test_hubspot_objects_flatten_to_rows_or_raise_what_the_resource_quarantines(record: dict[str, Any],
                                                                               types: dict[str, str]) -> None:
    from connectors.hubspot.records import flatten

    try:
        row = flatten(record, types)
    except (ValueError, TypeError) as exc:
        assert str(exc)
        return
    assert row["id"] and row["is_deleted"] == row["archived"]


@PROFILE
@given(st.lists(st.one_of(records(st.sampled_from(["value", "timestamp", "sourceType", "sourceId",
                                                   "updatedByUserId"]), st.one_of(json_values, near_values)),
                          ), max_size=4))
def test_hubspot_property_history_splits_into_rows_and_reasons(entries: list[dict[str, Any]]) -> None:
    from connectors.hubspot.records import history_rows

    rows, bad = history_rows("deal_id", "1", entries)
    assert len(rows) + len(bad) == len(entries)
    assert all(reason for _, reason in bad)


@PROFILE
@given(records(st.sampled_from(["id", "email", "userId", "userIdIncludingInactive", "createdAt", "updatedAt",
                                "archived", "teams", "firstName"]), st.one_of(json_values, near_values)))
def test_hubspot_owners_become_rows_or_raise_what_the_resource_quarantines(owner: dict[str, Any]) -> None:
    from connectors.hubspot.records import owner_row

    try:
        row = owner_row(owner)
    except (ValueError, TypeError, KeyError):
        return
    assert row["id"] is not None


hubspot_stages = st.lists(st.fixed_dictionaries(
    {"metadata": st.dictionaries(st.sampled_from(["probability", "isClosed"]), st.one_of(json_values, near_values))},
    optional={"id": json_values, "label": json_values, "archived": json_values, "displayOrder": json_values,
              "createdAt": st.one_of(json_values, near_values), "updatedAt": st.one_of(json_values, near_values)}),
    max_size=3)


@PROFILE
@given(records(st.sampled_from(["id", "label", "archived", "displayOrder"]), json_values), hubspot_stages)
def test_hubspot_stages_become_rows_or_raise_what_the_resource_quarantines(pipeline: dict[str, Any],
                                                                          stages: list[dict[str, Any]]) -> None:
    from connectors.hubspot.records import stage_rows

    try:
        rows = stage_rows({**pipeline, "stages": stages})
    except (ValueError, TypeError, KeyError):
        return
    assert len(rows) == len(stages)


@pytest.mark.parametrize("stages", [["closedwon"], [{"id": "closedwon", "metadata": "x"}], "closedwon",
                                    [{"label": "no id"}], [{"id": "s", "archived": "maybe"}]])
def test_hubspot_a_stage_that_is_not_an_object_is_rejected_not_raised(stages: Any) -> None:
    from connectors.hubspot.records import stage_rows

    with pytest.raises((ValueError, TypeError, KeyError)) as exc:
        stage_rows({"id": "default", "stages": stages})
    assert "default" in str(exc.value), str(exc.value)  # the reason names the pipeline


def test_hubspot_a_stage_archived_as_the_string_false_is_live() -> None:
    from connectors.hubspot.records import stage_rows

    rows = stage_rows({"id": "default", "stages": [{"id": "s", "archived": "false", "displayOrder": "2"}]})
    assert rows[0]["is_deleted"] is False and rows[0]["display_order"] == 2


@PROFILE
@given(st.dictionaries(st.sampled_from(["contacts", "companies"]),
                       st.lists(records(st.sampled_from(["toObjectId", "associationTypes"]), json_values),
                                max_size=3), max_size=2))
@example({"contacts": [{"toObjectId": 1, "associationTypes": [{"typeId": "x"}]}]})
def test_hubspot_associations_never_raise(found: dict[str, list[dict[str, Any]]]) -> None:
    from connectors.hubspot.records import association_rows, split_associations

    for row in association_rows("deals", "1", found):
        assert row["from_id"] == "1"
    rows, bad = split_associations("deals", "1", found)
    assert all(reason.startswith("association of deals 1 to ") for _, reason in bad), bad
    assert all(isinstance(row["type_id"], int) and row["to_id"] for row in rows if not row["is_deleted"])
    entries = sum(len(t) if isinstance(t, list) else 1 for t in found.values())
    assert rows or bad or entries == 0


def test_hubspot_an_association_with_a_bad_type_id_is_refused_with_its_reason() -> None:
    from connectors.hubspot.records import split_associations

    found = {"contacts": [{"toObjectId": 7, "associationTypes": [{"typeId": "x"}, {"typeId": 3}]}, "junk"]}
    rows, bad = split_associations("deals", "1", found)
    assert [(r["to_id"], r["type_id"]) for r in rows] == [("7", 3)]
    reasons = [reason for _, reason in bad]
    assert len(reasons) == 2 and "typeId: 'x' is not a number" in reasons[0] and "'junk'" in reasons[1], reasons


# -- Pipedrive -----------------------------------------------------------------------------------------
PD_FIELDS = ["id", "title", "value", "update_time", "add_time", "expected_close_date", "status", "is_deleted",
             "custom_fields", "emails", "phones", "address", "probability", "due_date", "marked_as_done_time"]
PD_OBJECTS = ["deals", "persons", "organizations", "activities", "pipelines", "stages", "users",
              "activity_types", "deal_fields"]
HEX_KEY = "a" * 40


@PROFILE
@given(st.sampled_from(PD_OBJECTS), records(st.sampled_from(PD_FIELDS), st.one_of(json_values, near_values),
                                            max_size=8))
def test_pipedrive_records_become_rows_or_rejections_with_a_reason(obj: str, record: dict[str, Any]) -> None:
    from connectors.pipedrive.records import to_row

    outcome = to_row(obj, record)
    assert (outcome.row is None) != (outcome.reason is None)
    if outcome.row is not None:
        assert isinstance(outcome.row["id"], int) and outcome.row["is_deleted"] in (True, False)


@PROFILE
@given(records(st.sampled_from(PD_FIELDS), st.one_of(json_values, near_values), max_size=8),
       st.dictionaries(st.just(HEX_KEY), st.one_of(json_values, near_values)),
       st.sampled_from(["double", "monetary", "int", "enum", "set", "date", "varchar", "address", "unknown"]))
def test_pipedrive_deals_with_custom_fields_become_rows_or_rejections(record: dict[str, Any],
                                                                      custom: dict[str, Any], kind: str) -> None:
    from connectors.pipedrive.records import CustomFields, deal_row

    fields = CustomFields({HEX_KEY: "lead_channel"}, {HEX_KEY: kind}, {HEX_KEY: {"1": "Inbound"}})
    outcome = deal_row({**record, "custom_fields": custom} if custom else record, fields)
    assert (outcome.row is None) != (outcome.reason is None)


@PROFILE
@given(records(st.sampled_from(["object", "timestamp", "data"]), json_values),
       records(st.sampled_from(["id", "field_key", "old_value", "new_value", "log_time", "user_id",
                                "additional_data"]), st.one_of(json_values, near_values)))
def test_pipedrive_deal_flow_items_become_rows_skips_or_rejections(item: dict[str, Any],
                                                                   data: dict[str, Any]) -> None:
    from connectors.pipedrive.records import flow_row

    outcome = flow_row({**item, "object": "dealChange", "data": {**data, "field_key": "stage_id"}}, 7)
    assert outcome.row is None or outcome.reason is None
    flow_row(item, 7)  # any other shape is skipped or rejected, never raised


@PROFILE
@given(st.lists(st.fixed_dictionaries(
    {"id": st.one_of(st.none(), st.integers())},  # the API's field ids are integers
    optional={"key": st.one_of(json_values, st.just(HEX_KEY), st.just("b" * 40)), "name": json_values,
              "field_type": json_values, "options": json_values}), max_size=4))
def test_pipedrive_custom_field_metadata_never_stops_the_deals(fields: list[dict[str, Any]]) -> None:
    from connectors.pipedrive.records import CustomFields, assign_columns

    columns = assign_columns(fields, {})
    assert len(set(columns.values())) == len(columns), "two custom fields may not share a column"
    CustomFields.from_fields(fields, columns).column_types()
