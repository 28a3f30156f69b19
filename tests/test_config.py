"""revops.yml validation: a valid file loads; each kind of invalid file names the key, value and fix."""

from pathlib import Path

import pytest
import yaml

from revops.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "revops.yml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def demo_config() -> dict:
    return yaml.safe_load((ROOT / "revops.yml").read_text())


def test_demo_config_is_valid_and_maps_every_sandbox_stage():
    cfg = load_config(ROOT / "revops.yml")
    assert cfg.company.fiscal_year_start_month == 2
    assert set(cfg.sources.enabled_crms()) == {"salesforce", "hubspot", "pipedrive"}
    rows = cfg.stage_mapping_rows()
    assert {"source": "hubspot", "pipeline": "default", "source_stage": "contractsent",
            "canonical_stage": "negotiation"} in rows


def test_example_template_is_valid():
    cfg = load_config(ROOT / "revops.example.yml")
    assert cfg.sandbox is None


def test_relative_paths_resolve_against_the_config_folder(tmp_path):
    cfg = load_config(write(tmp_path, {"warehouse": {"path": "wh/w.duckdb"}}))
    assert cfg.warehouse_path == (tmp_path / "wh" / "w.duckdb").resolve()


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(ConfigError, match="revops.example.yml"):
        load_config(tmp_path / "nope.yml")


def test_broken_yaml_names_line_and_column(tmp_path):
    with pytest.raises(ConfigError, match=r"line \d+, column \d+"):
        load_config(write(tmp_path, "company:\n  name: [unclosed\n"))


def test_unknown_key_is_named_with_its_parent(tmp_path):
    data = demo_config()
    data["company"]["fiscal_start"] = 3
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, data))
    assert "company.fiscal_start" in str(exc.value)
    assert "unknown key" in str(exc.value)


def test_out_of_range_month_names_key_value_and_bound(tmp_path):
    data = demo_config()
    data["company"]["fiscal_year_start_month"] = 13
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, data))
    text = str(exc.value)
    assert "company.fiscal_year_start_month = 13" in text and "less than or equal to 12" in text


def test_unknown_canonical_stage_lists_the_allowed_ones(tmp_path):
    data = demo_config()
    data["stages"]["hubspot"]["default"]["contractsent"] = "closing"
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, data))
    assert "hubspot.default.contractsent" in str(exc.value)
    assert "qualification, demo, proposal, negotiation, closed_won, closed_lost" in str(exc.value)


def test_enabled_source_without_stage_mapping_is_refused(tmp_path):
    data = demo_config()
    del data["stages"]["pipedrive"]
    with pytest.raises(ConfigError, match="stages.pipedrive"):
        load_config(write(tmp_path, data))


def test_unknown_kpi_in_targets_lists_known_kpis(tmp_path):
    data = demo_config()
    data["kpis"]["targets"].append({"kpi": "happiness", "target": 1})
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, data))
    assert "'happiness'" in str(exc.value) and "win_rate_count" in str(exc.value)


def test_headline_set_is_kept_small(tmp_path):
    data = demo_config()
    data["kpis"]["headline"] = ["opportunities_created"] * 8
    with pytest.raises(ConfigError, match="1 to 7 KPIs"):
        load_config(write(tmp_path, data))


def test_bad_currency_code_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="ISO 4217"):
        load_config(write(tmp_path, {"company": {"corporate_currency": "EURO"}}))


def test_wrong_grain_lists_allowed_values(tmp_path):
    data = demo_config()
    data["kpis"]["targets"] = [{"kpi": "win_rate_count", "grain": "year", "target": 0.3}]
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, data))
    assert "kpis.targets.0.grain = 'year'" in str(exc.value)
    assert "'week', 'month' or 'quarter'" in str(exc.value)


def test_alert_rule_with_unknown_kind_is_refused_under_the_alerts_key(tmp_path):
    data = demo_config()
    data["alerts"]["rules"][0]["kind"] = "sometimes"
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, data))
    assert "alerts.rules.0.kind = 'sometimes'" in str(exc.value)
