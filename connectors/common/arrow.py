"""Pages of typed rows as Arrow tables.

dlt normalizes Python dicts value by value after the last page has been read, which for a few
hundred thousand rows takes seconds while the API sits idle. An Arrow page is built while the
resource waits for its next page (the API's rate window leaves it waiting most of the time) and goes
to Parquet as it is. Values must already be cast to their column types (the connectors' record
conversions do that); a row Arrow still refuses is returned with the reason, to be quarantined.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pyarrow as pa

Row = dict[str, Any]

# dlt data type -> the Arrow type its values are built as (timestamps are timezone-aware UTC).
ARROW_TYPES: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "text": pa.string(),
}


def arrow_schema(columns: Mapping[str, str], required: Collection[str] = ()) -> pa.Schema:
    """Column name -> dlt data type as an Arrow schema (unknown types as text); `required` columns
    are not nullable."""
    return pa.schema([pa.field(name, ARROW_TYPES.get(kind, pa.string()), nullable=name not in required)
                      for name, kind in columns.items()])


def with_extra_columns(rows: list[Row], schema: pa.Schema) -> pa.Schema:
    """`schema` plus a text column for each key of `rows` it lacks (a property that appeared since
    the column list was read lands as text, as in a dict load)."""
    known = set(schema.names)
    extra = sorted({key for row in rows for key in row if key not in known})
    for name in extra:
        schema = schema.append(pa.field(name, pa.string()))
    return schema


def to_arrow(rows: list[Row], schema: pa.Schema) -> tuple[pa.Table, list[tuple[Row, str]]]:
    """A page of typed rows as an Arrow table with `schema` (widened by `with_extra_columns`), and
    the rows Arrow refused with the reason (values are cast beforehand, so normally none)."""
    return table_or_refused(rows, with_extra_columns(rows, schema))


def table_or_refused(rows: list[Row], schema: pa.Schema) -> tuple[pa.Table, list[tuple[Row, str]]]:
    """The rows as an Arrow table with exactly `schema`; when Arrow refuses the page, each row is tried
    alone and the ones it refuses come back with the reason."""
    try:
        return pa.Table.from_pylist(rows, schema=schema), []
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        good: list[Row] = []
        bad: list[tuple[Row, str]] = []
        for row in rows:
            try:
                pa.Table.from_pylist([row], schema=schema)
                good.append(row)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
                bad.append((row, f"a value does not fit its column type: {exc}"))
        return pa.Table.from_pylist(good, schema=schema), bad
