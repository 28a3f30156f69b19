"""Bad input beyond the CRM APIs: a malformed revops.yml, malformed input CSV files, a stage the mapping
does not know, a currency without a rate. Each is a clear error naming the file (and key, line or
column) or a quarantined, counted row; never a crash and never a silent drop.

The unmapped stage and the missing rate are caught in the warehouse build (tests/warehouse:
`test_an_unmapped_stage_fails_the_build_naming_source_pipeline_and_stage`,
`test_dbt_build_passes_every_model_and_test_with_only_the_missing_rate_warning`); here they are
checked at the configuration and input-file level. A gap found later goes in as `xfail(strict=True)`
with its reason, so it turns into a failure the day it is fixed and the marker can go."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from connectors.runner import SyncResult, sync_files
from revops.config import ConfigError, load_config
from sandbox.generator import generate, render

ROOT = Path(__file__).resolve().parents[2]
RATES = "rate_date,currency,rate_to_corporate\n2026-01-01,USD,0.92\n2026-01-01,GBP,1.17\n"


def config_file(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "revops.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


# -- revops.yml ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "said"), [
    ("- company\n- sources\n", "top level must be a mapping"),
    ("just some words\n", "top level must be a mapping"),
    ("sources: yes\n", "sources = True"),
    ("company:\n", "company = None"),
    ("forecast:\n  simulations: many\n", "forecast.simulations = 'many'"),
    ("company:\n\tname: Acme\n", "line 2, column 1"),
    ("company:\n  name: 'unterminated\n", "not valid YAML"),
    ("sync:\n  overlap_minutes: -5\n", "sync.overlap_minutes = -5"),
    ("sandbox:\n  size: huge\n", "sandbox.size = 'huge'"),
    ("kpis:\n  headline: [win_rate, not_a_kpi]\n", "not_a_kpi"),
])
def test_a_malformed_config_is_refused_naming_the_file_and_what_is_wrong(tmp_path: Path, text: str,
                                                                        said: str) -> None:
    path = config_file(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(path) in str(exc.value) and said in str(exc.value), str(exc.value)


def test_an_empty_config_means_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, ""))
    assert config.company.corporate_currency == "EUR" and config.sources.enabled_crms() == []


def test_an_impossible_date_in_the_config_is_a_config_error(tmp_path: Path) -> None:
    path = config_file(tmp_path, "sandbox:\n  as_of: 2026-02-30\n")
    with pytest.raises(ConfigError, match="as_of") as exc:
        load_config(path)
    assert str(path) in str(exc.value) and "sandbox.as_of = '2026-02-30'" in str(exc.value), str(exc.value)
    assert "YYYY-MM-DD" in str(exc.value)


def test_a_real_date_in_the_config_still_reads_as_a_date(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, "sandbox:\n  as_of: 2026-02-28\n"))
    assert config.sandbox is not None and config.sandbox.as_of == date(2026, 2, 28)


def test_a_config_that_is_not_utf8_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = config_file(tmp_path, "company:\n  name: Soci\xe9t\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8") as exc:
        load_config(path)
    assert str(path) in str(exc.value) and "line 2" in str(exc.value), str(exc.value)


def test_a_config_path_that_is_a_folder_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "revops.yml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="revops.yml") as exc:
        load_config(folder)
    assert "is a folder" in str(exc.value), str(exc.value)


def test_a_section_written_twice_is_refused_not_silently_dropped(tmp_path: Path) -> None:
    path = config_file(tmp_path, "company:\n  name: Acme\ncompany:\n  corporate_currency: USD\n")
    with pytest.raises(ConfigError, match="company") as exc:
        load_config(path)
    assert str(path) in str(exc.value) and "line 3" in str(exc.value) and "line 1" in str(exc.value)


def test_a_key_written_twice_inside_a_section_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'name' is written twice"):
        load_config(config_file(tmp_path, "company:\n  name: Acme\n  name: Other\n"))


def test_every_stage_the_sandbox_company_uses_is_mapped_in_the_demo_config() -> None:
    """An unmapped stage can then only come from a real CRM, where the build names it."""
    config = load_config(ROOT / "revops.yml")
    mapped = {(row["source"], row["source_stage"]) for row in config.stage_mapping_rows()}
    ds = render(generate(seed=42, size="tiny"), truth=False)
    used = {("salesforce", str(s["ApiName"])) for s in ds.objects("salesforce", "OpportunityStage")}
    used |= {("hubspot", str(s["id"])) for p in ds.objects("hubspot", "pipelines_deals") for s in p["stages"]}
    used |= {("pipedrive", str(s["name"])) for s in ds.objects("pipedrive", "stages")}
    assert used and used <= mapped, sorted(used - mapped)


def test_a_stage_mapped_to_an_unknown_canonical_stage_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "revops.yml").read_text().replace("Demo Scheduled: demo", "Demo Scheduled: demoed")
    with pytest.raises(ConfigError, match="Demo Scheduled"):
        load_config(config_file(tmp_path, text))


# -- input CSV files -------------------------------------------------------------------------------------
def load_inputs(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[SyncResult, Path]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    warehouse = tmp_path / "warehouse.duckdb"
    return sync_files(folder, warehouse, tmp_path / "pipelines"), warehouse


def rejected(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select record_id, reason from ops.rejected_records where source = 'files'").fetchall())


def test_rows_that_do_not_parse_are_quarantined_with_file_line_and_column(tmp_path: Path) -> None:
    result, warehouse = load_inputs(tmp_path, {
        "exchange_rates.csv": RATES + "31/12/2026,USD,0.9\n2026-01-02,USD,\n2026-01-03,USD,abc\n"
                                      "2026-01-04,USD,nan\n2026-01-01,USD,0.93\n",
        "absences.csv": "employee_id,start_date,end_date,absence_type,planned\nE1,2026-01-05,2026-01-06,sick,maybe\n",
        "surveys.csv": "survey_id,survey_date,team,enps_score\nS1,2026-01-01,SMB North,7.5\n",
        "targets.csv": "kpi,grain,scope_type,scope_id,target\nwin_rate,fortnight,company,all,0.3\n",
    })
    assert result.outcome == "success", result.message
    assert result.rejected == {"exchange_rates": 5, "absences": 1, "surveys": 1, "targets": 1}
    assert result.rows["exchange_rates"] == 2
    reasons = rejected(warehouse)
    assert "rate_date = '31/12/2026' is not an ISO date" in reasons["exchange_rates.csv:4"]
    assert "rate_to_corporate is empty" in reasons["exchange_rates.csv:5"]
    assert "'abc' is not a number" in reasons["exchange_rates.csv:6"]
    assert "'nan' is not a number" in reasons["exchange_rates.csv:7"]
    assert "duplicate key" in reasons["exchange_rates.csv:8"]
    assert "planned = 'maybe'" in reasons["absences.csv:2"] and "7.5" in reasons["surveys.csv:2"]
    assert "grain = 'fortnight' is not one of week, month, quarter" in reasons["targets.csv:2"]


def test_a_file_without_a_required_column_fails_naming_file_and_column(tmp_path: Path) -> None:
    result, _ = load_inputs(tmp_path, {"exchange_rates.csv": "rate_date,currency\n2026-01-01,USD\n"})
    assert result.outcome == "failed"
    assert "exchange_rates.csv: missing column(s) rate_to_corporate" in result.message


def test_an_empty_file_fails_naming_it(tmp_path: Path) -> None:
    result, _ = load_inputs(tmp_path, {"exchange_rates.csv": RATES, "quotas.csv": ""})
    assert result.outcome == "failed" and "quotas.csv: missing column(s)" in result.message, result.message


def test_a_file_that_is_not_utf8_fails_naming_it_and_the_encoding(tmp_path: Path) -> None:
    roster = "employee_id,email,full_name,role,team,hire_date,exit_date\nE1,jose@x.example,Jos\xe9,ae,T,2024-01-01,\n"
    result, _ = load_inputs(tmp_path, {"exchange_rates.csv": RATES, "hr_roster.csv": roster.encode("latin-1")})
    assert result.outcome == "failed"
    assert "hr_roster" in result.message and "utf-8" in result.message, result.message


def test_the_required_rates_file_missing_fails_naming_it(tmp_path: Path) -> None:
    result, _ = load_inputs(tmp_path, {"quotas.csv": "rep_email,period_start,period_end,quota_amount\n"})
    assert result.outcome == "failed" and "exchange_rates.csv" in result.message, result.message


def test_a_rate_row_without_its_currency_is_quarantined_not_loaded_as_a_rate_for_nothing(tmp_path: Path) -> None:
    result, warehouse = load_inputs(tmp_path, {"exchange_rates.csv": RATES + "2026-02-01,,0.9\n"})
    assert result.rejected == {"exchange_rates": 1}
    assert "column currency is empty" in rejected(warehouse)["exchange_rates.csv:4"]


def test_a_row_with_more_cells_than_the_header_is_quarantined(tmp_path: Path) -> None:
    quotas = ("rep_email,period_start,period_end,quota_type,quota_amount,currency\n"
              "ana@x.example,2026-02-01,2026-04-30,revenue,1,000,EUR\n")
    result, warehouse = load_inputs(tmp_path, {"exchange_rates.csv": RATES, "quotas.csv": quotas})
    assert result.rejected == {"quotas": 1}
    reason = rejected(warehouse)["quotas.csv:2"]
    assert reason.startswith("quotas.csv line 2:") and "column 7" in reason and "'EUR'" in reason, reason
