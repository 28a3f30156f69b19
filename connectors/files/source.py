"""Validate and load the input CSV files into `raw_inputs`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dlt
from dlt.sources import DltResource

from connectors.common.records import reject
from connectors.files.settings import ALLOWED_VALUES, COLUMNS, PRIMARY_KEYS, REQUIRED_FILES

SOURCE = "files"


class InputFileError(Exception):
    """An input file cannot be read at all (missing, a required column absent, not UTF-8, not CSV)."""


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: list[tuple[str, str, bool, bool]]


SPECS = {name: FileSpec(name, cols) for name, cols in COLUMNS.items()}


def _cast(kind: str, raw: str) -> Any:
    if kind == "text":
        return raw
    if kind == "date":
        return date.fromisoformat(raw)
    if kind == "float":
        value = float(raw.replace(" ", ""))
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return value
    if kind == "int":
        return int(raw)
    if kind == "bool":
        low = raw.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ValueError("not true/false")
    raise AssertionError(kind)


_EXPECTED = {"date": "an ISO date YYYY-MM-DD", "float": "a number", "int": "a whole number",
             "bool": "true or false", "text": "text"}


def read_input_file(path: Path, spec: FileSpec) -> Iterator[tuple[dict[str, Any] | None, dict[str, Any]]]:
    """Yield (row, {}) or (None, problem) per data line: a parsed row, or a quarantine description
    (`line`, `reason` starting with "<file> line <n>:", `payload`). A file that cannot be read at all
    (a required column missing, not UTF-8, not CSV) raises InputFileError naming it."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in _next_record(reader, path) or []]
            missing = [c for c, _, required, _ in spec.columns if required and c not in header]
            if missing:
                raise InputFileError(
                    f"{path.name}: missing column(s) {', '.join(missing)} in the header line; expected "
                    f"columns: {', '.join(c for c, *_ in spec.columns)}"
                )
            while True:
                start = reader.line_num + 1  # the record's first line (a quoted cell may span several)
                cells = _next_record(reader, path)
                if cells is None:
                    return
                if not cells:
                    continue  # a blank line
                yield _parse_line(path, spec, header, cells, start)
        except UnicodeDecodeError:
            raise InputFileError(
                f"{path.name}{_first_undecodable(path)}: not valid utf-8 text; save the file as UTF-8 "
                "(in Excel: 'CSV UTF-8'), or re-export it with that encoding"
            ) from None


def _first_undecodable(path: Path) -> str:
    """Where the first byte that is not UTF-8 sits (" line N (byte 0x..)"): the text reader decodes
    ahead in chunks, so the CSV reader's own line count can be earlier than the bad byte."""
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return f" line {lineno} (byte 0x{line[exc.start]:02x})"
    return ""


def _next_record(reader: Any, path: Path) -> list[str] | None:
    """The next record of a csv.reader (None at the end); a CSV syntax error names file and line."""
    try:
        return list(next(reader))
    except StopIteration:
        return None
    except csv.Error as exc:
        raise InputFileError(f"{path.name} line {reader.line_num}: not readable as CSV ({exc})") from None


def _parse_line(path: Path, spec: FileSpec, header: list[str], cells: list[str],
                lineno: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """One data line as a typed row, or None and the problems found (file, line and column named)."""
    raw = {name: value.strip() for name, value in zip(header, cells, strict=False)}
    problems: list[str] = []
    if len(cells) > len(header):
        # An unquoted comma (a thousands separator: 1,000) shifts every later cell one column right:
        # loading the row would put values under the wrong columns.
        extra = cells[len(header):]
        raw["_extra_cells"] = ", ".join(repr(v) for v in extra)
        problems.append(
            f"{len(cells)} cells but the header has {len(header)} columns; the extra cells start at "
            f"column {len(header) + 1} ({raw['_extra_cells']}). Quote a value that contains a comma "
            '(write "1,000" or 1000) or remove the extra cells'
        )
    row: dict[str, Any] = {}
    for col, kind, _required, nullable in spec.columns:
        text = raw.get(col, "")
        if text == "":
            if not nullable:
                problems.append(f"column {col} is empty; it needs {_EXPECTED[kind]}")
            row[col] = None
            continue
        try:
            row[col] = _cast(kind, text)
        except ValueError:
            problems.append(f"column {col} = {text!r} is not {_EXPECTED[kind]}")
            continue
        allowed = ALLOWED_VALUES.get((spec.name, col))
        if allowed and row[col] not in allowed:
            problems.append(f"column {col} = {text!r} is not one of {', '.join(allowed)}")
    if problems:
        return None, {"line": lineno, "reason": f"{path.name} line {lineno}: " + "; ".join(problems),
                      "payload": raw}
    row["_source_line"] = lineno
    return row, {}


def _resource(path: Path, spec: FileSpec) -> DltResource:
    key = PRIMARY_KEYS.get(spec.name)

    def rows() -> Iterator[Any]:
        batch: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        for row, problem in read_input_file(path, spec):
            if row is None:
                yield reject(SOURCE, spec.name, f"{path.name}:{problem['line']}", problem["reason"],
                             problem["payload"])
                continue
            if key:
                k = tuple(row[c] for c in key)
                if k in seen:
                    yield reject(SOURCE, spec.name, f"{path.name}:{row['_source_line']}",
                                 f"{path.name} line {row['_source_line']}: duplicate key "
                                 f"({', '.join(key)}) = {k}; keep one row per key", row)
                    continue
                seen.add(k)
            batch.append(row)
            if len(batch) >= 5000:
                yield batch
                batch = []
        if batch:
            yield batch

    columns = {c: {"data_type": {"text": "text", "date": "date", "float": "double", "int": "bigint",
                                 "bool": "bool"}[kind], "nullable": True}
               for c, kind, *_ in spec.columns}
    return dlt.resource(rows, name=spec.name, write_disposition="replace", columns=columns)  # type: ignore[call-overload,no-any-return]


def source(folder: Path) -> Any:
    """One resource per input file present in `folder` (the files replace their tables on each load)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(f"input folder {folder} does not exist; set sources.files.folder in revops.yml")
    missing = [f"{name}.csv" for name in REQUIRED_FILES if not (folder / f"{name}.csv").exists()]
    if missing:
        raise InputFileError(f"input folder {folder}: missing required file(s) {', '.join(missing)}")
    resources = [_resource(folder / f"{name}.csv", spec) for name, spec in SPECS.items()
                 if (folder / f"{name}.csv").exists()]

    @dlt.source(name="inputs", max_table_nesting=0)
    def inputs() -> Any:
        return resources

    return inputs()
