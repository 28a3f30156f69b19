"""What the build does with incomplete configuration or data, and the seeds' agreement with the app."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from warehouse_dbt import PROJECT_DIR, run_dbt
from warehouse_raw_fixture import AS_OF, write_raw_fixture

from revops.kpis import CATALOGUE

VARIABLES = {"as_of_date": AS_OF, "fiscal_year_start_month": 2}


def test_an_unmapped_stage_fails_the_build_naming_source_pipeline_and_stage(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    write_raw_fixture(str(warehouse))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw_inputs.config_stage_mapping where source_stage = 'presentationscheduled'")
    run = run_dbt("build", warehouse, tmp_path, VARIABLES,
                  ["--select", "+assert_every_used_deal_stage_is_mapped"])
    assert not run.success
    message = run.failed()["assert_every_used_deal_stage_is_mapped"]
    assert "hubspot pipeline 'Sales Pipeline' stage 'Presentationscheduled' (id presentationscheduled)" in message
    assert "revops.yml" in message


def test_the_stage_mapping_matches_stage_labels_and_ids_case_insensitively(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    write_raw_fixture(str(warehouse))
    with duckdb.connect(str(warehouse)) as con:
        # a HubSpot stage mapped by its label, a Pipedrive pipeline named in another case
        con.execute("""update raw_inputs.config_stage_mapping set source_stage = 'PRESENTATIONSCHEDULED'
                       where source_stage = 'presentationscheduled'""")
        con.execute("""update raw_inputs.config_stage_mapping set pipeline = 'subsidiary SALES'
                       where source = 'pipedrive'""")
    run = run_dbt("build", warehouse, tmp_path, VARIABLES, ["--select", "+assert_every_used_deal_stage_is_mapped"])
    assert run.success, run.failed()


@pytest.mark.slow
def test_a_warehouse_without_any_crm_data_still_builds(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    run = run_dbt("build", warehouse, tmp_path, VARIABLES)
    assert run.success, run.failed()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_deals").fetchone() == (0,)
        created = con.execute("""select value from kpi.kpi_values where kpi = 'opportunities_created'
                                 and grain = 'quarter' and scope_type = 'company'""").fetchall()
        assert created and all(v == (0.0,) for v in created)


def test_kpi_definitions_seed_matches_the_application_catalogue() -> None:
    with open(PROJECT_DIR / "seeds" / "kpi_definitions.csv", encoding="utf-8") as fh:
        seed = {row["kpi"]: row for row in csv.DictReader(fh)}
    assert set(seed) == set(CATALOGUE)
    for name, k in CATALOGUE.items():
        row = seed[name]
        assert (row["kpi_label"], row["unit"], row["direction"], row["red_action"], row["amber_action"]) == (
            k.label, k.unit, k.direction, k.red_action, k.amber_action), name


def test_every_kpi_of_the_docs_has_a_definition_row() -> None:
    docs = (PROJECT_DIR.parent / "docs" / "kpis.md").read_text(encoding="utf-8")
    with open(PROJECT_DIR / "seeds" / "kpi_definitions.csv", encoding="utf-8") as fh:
        seed = {row["kpi"] for row in csv.DictReader(fh)}
    named = [name for name in seed if f"`{name}`" in docs]
    for name in ("opportunities_created", "win_rate_count", "pipeline_coverage", "sales_velocity",
                 "mql_to_sql_conversion", "gross_retention"):
        assert name in named
