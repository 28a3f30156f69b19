"""The public tables (schemas marts and kpi) are documented: grain, every column, units.

BI users and data teams read these descriptions in `dbt docs` (make docs); the manifest from
`dbt parse` holds them without touching a warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from warehouse_dbt import DbtRun, run_dbt

PUBLIC_SCHEMAS = ("marts", "kpi")
GRAIN = re.compile(r"grain:|one row per", re.IGNORECASE)

# Column-name patterns whose description must name a unit, and the words that count as one.
UNIT_RULES: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"(^|_)(amount|revenue)(_|$)|_corporate$"), ("currency",)),
    (re.compile(r"(^|_)(probability|share)(_|$)"), ("0-1", "0–1", "share")),
    (re.compile(r"(^|_)days(_|$)"), ("day",)),
    (re.compile(r"_minutes$"), ("minute",)),
]


@pytest.fixture(scope="module")
def public_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The manifest nodes of the public models, by name, from one `dbt parse`."""
    folder = tmp_path_factory.mktemp("parse")
    run = run_dbt("parse", folder / "unused.duckdb", folder, {})
    assert run.success, run.exception
    manifest = json.loads((folder / "target" / "manifest.json").read_text(encoding="utf-8"))
    return {node["name"]: node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["schema"] in PUBLIC_SCHEMAS}


def test_the_contract_tables_are_among_the_public_models(public_models: dict[str, dict[str, Any]]) -> None:
    assert {"dim_reps", "dim_accounts", "fct_deals", "fct_pipeline_daily", "kpi_values",
            "kpi_tracking"} <= set(public_models)


def test_every_public_model_has_a_description_stating_its_grain(public_models: dict[str, dict[str, Any]]) -> None:
    missing = sorted(name for name, node in public_models.items() if not GRAIN.search(node["description"] or ""))
    assert missing == [], f"models without 'Grain:' or 'one row per' in their YAML description: {missing}"


def test_every_column_of_the_public_models_has_a_description(public_models: dict[str, dict[str, Any]]) -> None:
    undescribed = sorted(f"{name}.{column}" for name, node in public_models.items()
                         for column, props in node["columns"].items() if not (props["description"] or "").strip())
    assert undescribed == [], f"columns without a description: {undescribed}"


def test_amounts_rates_and_durations_name_their_unit(public_models: dict[str, dict[str, Any]]) -> None:
    without_unit = []
    for name, node in public_models.items():
        for column, props in node["columns"].items():
            description = (props["description"] or "").lower()
            for pattern, words in UNIT_RULES:
                if pattern.search(column) and not any(w in description for w in words):
                    without_unit.append(f"{name}.{column} (expected one of {words})")
    assert without_unit == []


def test_the_documented_columns_are_exactly_the_built_columns(
        public_models: dict[str, dict[str, Any]], built: tuple[Path, DbtRun]) -> None:
    with duckdb.connect(str(built[0]), read_only=True) as con:
        built_columns = {name: [r[0] for r in con.execute(
            """select column_name from information_schema.columns
               where table_schema = ? and table_name = ? order by ordinal_position""",
            [node["schema"], name]).fetchall()] for name, node in public_models.items()}
    differences = {name: {"undocumented": [c for c in built_columns[name] if c not in node["columns"]],
                          "not built": [c for c in node["columns"] if c not in built_columns[name]]}
                   for name, node in public_models.items()}
    assert {n: d for n, d in differences.items() if d["undocumented"] or d["not built"]} == {}


@pytest.mark.slow
def test_dbt_docs_generate_catalogues_every_public_table(
        public_models: dict[str, dict[str, Any]], built: tuple[Path, DbtRun], tmp_path: Path) -> None:
    run = run_dbt("docs generate", built[0], tmp_path, {})
    assert run.success, run.exception
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text(encoding="utf-8"))
    catalogued = {node["metadata"]["name"] for node in catalog["nodes"].values()
                  if node["metadata"]["schema"] in PUBLIC_SCHEMAS}
    assert catalogued == set(public_models)


@pytest.mark.slow
def test_dbt_docs_generate_works_before_anything_was_built(tmp_path: Path) -> None:
    run = run_dbt("docs generate", tmp_path / "empty.duckdb", tmp_path, {})
    assert run.success, run.exception
    assert (tmp_path / "target" / "index.html").exists()
