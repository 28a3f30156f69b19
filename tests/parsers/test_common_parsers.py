"""Properties of the strict field parsers in connectors.common.records: any JSON value either parses to
the right type or raises ValueError naming the field and the value; nothing else escapes."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from connectors.common.records import parse_bool, parse_date, parse_datetime, parse_float, reject
from tests.parsers.strategies import PROFILE, json_values, near_values


def _refused_by_name(exc: ValueError) -> None:
    assert str(exc).startswith("amount:") or str(exc).startswith("when:"), str(exc)


@PROFILE
@given(json_values)
def test_parse_datetime_gives_an_aware_timestamp_or_a_value_error(value: object) -> None:
    try:
        out = parse_datetime(value, field="when")
    except ValueError:
        return  # the caller quarantines the record; whether the reason names the field: see below
    assert out is None or (isinstance(out, datetime) and out.tzinfo is not None)
    if value is None or value == "":
        assert out is None


@PROFILE
@given(json_values)
def test_parse_date_gives_a_date_or_a_named_value_error(value: object) -> None:
    try:
        out = parse_date(value, field="when")
    except ValueError as exc:
        _refused_by_name(exc)
        return
    assert out is None or isinstance(out, date)


@PROFILE
@given(st.one_of(json_values, st.floats(), st.sampled_from(["inf", "-Infinity", "nan", "1e999"])))
def test_parse_float_gives_a_finite_number_or_a_named_value_error(value: object) -> None:
    try:
        out = parse_float(value, field="amount")
    except ValueError as exc:
        _refused_by_name(exc)
        return
    assert out is None or (isinstance(out, float) and math.isfinite(out))
    assert not isinstance(value, bool)


@PROFILE
@given(json_values)
def test_parse_bool_gives_a_boolean_or_a_named_value_error(value: object) -> None:
    try:
        out = parse_bool(value, field="when")
    except ValueError as exc:
        _refused_by_name(exc)
        return
    assert out is None or isinstance(out, bool)


@PROFILE
@given(near_values)
def test_a_timestamp_that_parses_reads_back_the_same_instant(text: str) -> None:
    try:
        out = parse_datetime(text, field="when")
    except ValueError:
        return
    if out is not None:
        assert parse_datetime(out.isoformat(), field="when") == out


@PROFILE
@given(st.text(max_size=4), st.one_of(st.none(), st.text(max_size=8), st.integers()), json_values)
def test_reject_turns_any_record_into_a_quarantine_row(reason: str, record_id: object, payload: object) -> None:
    item = reject("src", "obj", record_id, reason, payload)
    row = item.data if hasattr(item, "data") else item
    assert row["reason"] == reason and row["record_id"] == (None if record_id is None else str(record_id))
    assert isinstance(row["payload"], str)


@PROFILE
@given(st.one_of(st.just(float("nan")), st.integers(max_value=-62_135_596_800_001)))
@example(float("nan"))
def test_an_unreadable_epoch_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(ValueError) as exc:
        parse_datetime(value, field="when")
    _refused_by_name(exc.value)


@PROFILE
@given(st.one_of(st.integers(min_value=10**17, max_value=10**30), st.integers(min_value=10**17).map(str),
                 st.just(float("inf"))))
@example(10**20)
def test_epoch_milliseconds_out_of_range_are_a_value_error(value: object) -> None:
    with pytest.raises(ValueError) as exc:
        parse_datetime(value, field="when")
    _refused_by_name(exc.value)


@pytest.mark.parametrize("value", ["１２３４５６７８９０１２３", "²²²²²²²²²²²²", 10**400, -(10**20)])
def test_digits_outside_ascii_and_numbers_past_the_float_range_are_named_value_errors(value: object) -> None:
    with pytest.raises(ValueError) as exc:
        parse_datetime(value, field="when")
    _refused_by_name(exc.value)
    with pytest.raises(ValueError) as exc:
        parse_float(10**400, field="amount")
    _refused_by_name(exc.value)
