"""Hypothesis strategies for what an API can send: JSON values of any shape, and strings that look like
timestamps, dates and numbers, valid or nearly valid."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Deterministic: the same examples on every run, so a failure is reproducible and a known gap
# (xfail) fails every time. Several hundred examples per property keep each file to seconds.
PROFILE = settings(max_examples=250, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Epoch milliseconds beyond what `datetime` can hold are tested on their own in
# test_common_parsers.py; the broad properties stay within the representable range so that every
# connector's conversion is exercised on values it can actually land.
MAX_EPOCH_MS = 253_402_300_799_000  # 9999-12-31T23:59:59Z

timestamp_like = st.from_regex(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?", fullmatch=True)
date_like = st.from_regex(r"\d{4}-\d{1,2}-\d{1,2}", fullmatch=True)
number_like = st.from_regex(r"-?\d{1,9}([.,]\d{0,4})?(e-?\d{1,3})?", fullmatch=True)
epoch_ms_text = st.integers(min_value=10**11, max_value=MAX_EPOCH_MS).map(str)
near_values = st.one_of(timestamp_like, date_like, number_like, epoch_ms_text,
                        st.sampled_from(["", " ", "true", "False", "yes", "0", "1", "null", "NaN", "inf", "-inf",
                                         "12,5x", "twelve", "2026-13-45", "2026-02-30", "yesterday", "Z", "T"]))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-MAX_EPOCH_MS, max_value=MAX_EPOCH_MS),
    st.floats(min_value=-MAX_EPOCH_MS, max_value=MAX_EPOCH_MS),
    st.just(float("nan")),
    st.text(max_size=12),
    near_values,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=6,
)


def records(keys: st.SearchStrategy[str], values: st.SearchStrategy[Any] = json_values,
            max_size: int = 6) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts keyed by `keys` (plus any text key) with JSON-ish values."""
    return st.dictionaries(st.one_of(keys, st.text(max_size=6)), values, max_size=max_size)
