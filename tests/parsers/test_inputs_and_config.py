"""Properties of the two readers of user-written files: any CSV text for an input file yields parsed
rows or quarantine entries with a reason (or one InputFileError for the whole file), and any YAML
document of sections and values gives a configuration or one ConfigError naming the file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from connectors.files import SPECS, InputFileError, read_input_file
from revops.config import ConfigError, RevopsConfig, load_config
from tests.parsers.strategies import PROFILE, near_values

cells = st.one_of(near_values, st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=10),
                  st.sampled_from(["revenue", "meetings", "voluntary", "hire", "week", "company", "EUR"]))


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, str]:
    """(file stem, CSV text): a header of the spec's columns (some missing, some extra, shuffled) and
    rows of arbitrary cells, sometimes ragged."""
    name = draw(st.sampled_from(sorted(SPECS)))
    columns = [c for c, *_ in SPECS[name].columns]
    header = draw(st.lists(st.one_of(st.sampled_from(columns), st.text(max_size=5)), max_size=len(columns) + 2))
    if draw(st.booleans()):
        header = columns + header[:1]
    rows = draw(st.lists(st.lists(cells, min_size=max(len(header) - 1, 0), max_size=len(header) + 1), max_size=5))

    def line(values: list[str]) -> str:
        return ",".join('"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n\r') else v for v in values)

    return name, "\n".join([line(header), *(line(r) for r in rows)]) + "\n"


@PROFILE
@given(csv_files())
def test_any_input_csv_gives_rows_or_quarantined_lines_with_reasons(case: tuple[str, str]) -> None:
    name, text = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        try:
            results = list(read_input_file(path, SPECS[name]))
        except InputFileError as exc:
            assert path.name in str(exc) and "missing column" in str(exc)
            return
    for row, problem in results:
        if row is None:
            assert problem["reason"].startswith(f"{path.name} line {problem['line']}:")
        else:
            assert problem == {} and row["_source_line"] >= 2


SECTION_KEYS: dict[str, list[str]] = {
    "company": ["name", "corporate_currency", "fiscal_year_start_month", "timezone"],
    "sources": ["salesforce", "hubspot", "pipedrive", "files"],
    "sync": ["overlap_minutes"],
    "kpis": ["headline", "targets", "amber_share", "actions"],
    "segments": ["smb_max_employees", "mid_market_max_employees"],
    "forecast": ["simulations", "backtest_periods", "seed"],
    "team_health": ["min_survey_respondents", "ramp_share"],
    "schedules": ["enabled", "sync_cron", "timezone"],
    "sandbox": ["seed", "size", "as_of"],
    "stages": ["salesforce", "hubspot", "pipedrive"],
    "warehouse": ["path", "data_dir"],
}
yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                         st.sampled_from(["EUR", "usd", "small", "huge", "win_rate", "closed_won", "2026-11-26"]))
yaml_values = st.recursive(yaml_scalars, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(st.one_of(st.sampled_from(
        ["enabled", "objects", "default", "Closed Won", "kpi", "target", "grain"]), st.text(max_size=5)), c,
        max_size=3)), max_leaves=8)


@st.composite
def config_documents(draw: st.DrawFn) -> Any:
    sections = draw(st.lists(st.sampled_from(sorted(SECTION_KEYS) + ["unknown_section"]), unique=True, max_size=4))
    doc: dict[str, Any] = {}
    for section in sections:
        keys = SECTION_KEYS.get(section, ["x"])
        doc[section] = draw(st.one_of(yaml_values, st.dictionaries(
            st.one_of(st.sampled_from(keys), st.text(max_size=4)), yaml_values, max_size=3)))
    return draw(st.one_of(st.just(doc), yaml_values))


@PROFILE
@given(config_documents())
def test_any_config_document_loads_or_is_one_config_error_naming_the_file(doc: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "revops.yml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        try:
            config = load_config(path)
        except ConfigError as exc:
            assert str(path) in str(exc)
            return
    assert isinstance(config, RevopsConfig)
