"""The `revops` command line: exit codes and messages an operator can act on."""

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from revops.cli import EXIT_CONFIG, EXIT_CREDENTIALS, EXIT_FAILED, app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
CRM_VARS = ["SALESFORCE_USERNAME", "SALESFORCE_PASSWORD", "SALESFORCE_SECURITY_TOKEN", "SALESFORCE_INSTANCE_URL",
            "SALESFORCE_ACCESS_TOKEN", "HUBSPOT_ACCESS_TOKEN", "PIPEDRIVE_API_TOKEN"]


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch):
    for v in CRM_VARS:
        monkeypatch.delenv(v, raising=False)


def production_config(tmp_path: Path, **sources: bool) -> Path:
    data = yaml.safe_load((ROOT / "revops.yml").read_text())
    data.pop("sandbox")
    for name, on in sources.items():
        data["sources"][name]["enabled"] = on
    data["sources"]["files"]["folder"] = str(tmp_path / "inputs")
    data["warehouse"] = {"path": str(tmp_path / "w.duckdb"), "data_dir": str(tmp_path)}
    path = tmp_path / "revops.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_doctor_with_invalid_config_exits_2_and_names_the_key(tmp_path):
    bad = tmp_path / "revops.yml"
    bad.write_text("company:\n  fiscal_year_start_month: 0\n")
    result = runner.invoke(app, ["doctor", "--config", str(bad)])
    assert result.exit_code == EXIT_CONFIG
    assert "company.fiscal_year_start_month = 0" in result.output


def test_doctor_with_missing_secret_exits_3_and_says_which_variable(tmp_path):
    cfg = production_config(tmp_path, salesforce=False, pipedrive=False, hubspot=True)
    result = runner.invoke(app, ["doctor", "--config", str(cfg)])
    assert result.exit_code == EXIT_CREDENTIALS
    assert "HUBSPOT_ACCESS_TOKEN" in result.output
    assert "private app" in result.output


def test_sync_refuses_an_unknown_source(tmp_path):
    result = runner.invoke(app, ["sync", "--config", str(ROOT / "revops.yml"), "--source", "zoho"])
    assert result.exit_code == EXIT_CONFIG
    assert "unknown source" in result.output


def test_sync_refuses_a_disabled_source(tmp_path):
    cfg = production_config(tmp_path, pipedrive=False)
    result = runner.invoke(app, ["sync", "--config", str(cfg), "--source", "pipedrive"])
    assert result.exit_code == EXIT_CONFIG
    assert "sources.pipedrive.enabled" in result.output


def test_status_without_a_warehouse_exits_1_and_says_what_to_run(tmp_path):
    cfg = production_config(tmp_path)
    result = runner.invoke(app, ["status", "--config", str(cfg)])
    assert result.exit_code == EXIT_FAILED
    assert "revops sync" in result.output


def test_missing_config_file_exits_2(tmp_path):
    result = runner.invoke(app, ["build", "--config", str(tmp_path / "none.yml")])
    assert result.exit_code == EXIT_CONFIG
    assert "not found" in result.output


def sandbox_config(tmp_path: Path, as_of: str | None = None) -> Path:
    data = yaml.safe_load((ROOT / "revops.yml").read_text())
    data["sandbox"] = {"seed": 7, "size": "tiny", **({"as_of": as_of} if as_of else {})}
    data["sources"]["files"]["folder"] = str(tmp_path / "inputs")
    data["warehouse"] = {"path": str(tmp_path / "w.duckdb"), "data_dir": str(tmp_path)}
    path = tmp_path / "revops.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_sandbox_step_moves_the_saved_company_forward_from_the_day_it_was_made(tmp_path):
    import json
    from datetime import date, timedelta

    from sandbox.generator import generate, render, step
    from sandbox.launch import ensure_dataset

    config = sandbox_config(tmp_path)
    folder = tmp_path / "sandbox" / "dataset"
    made = date(2026, 11, 1)
    ensure_dataset(folder, seed=7, size="tiny", as_of=made)
    for days in (2, 3):
        result = runner.invoke(app, ["sandbox", "step", "--days", str(days), "--config", str(config)])
        assert result.exit_code == 0, result.output
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["as_of"][:10] == (made + timedelta(days=5)).isoformat()
    assert meta["generated_as_of"] == made.isoformat()
    # the same company as stepping the world made that day by five days at once
    expected = render(step(generate(seed=7, size="tiny", as_of=made), 5), truth=False)
    saved = (folder / "hubspot" / "deals.jsonl").read_text()
    assert saved.count("\n") == len(list(expected.objects("hubspot", "deals")))


def test_sandbox_step_refuses_a_fixed_as_of_and_names_the_key(tmp_path):
    result = runner.invoke(app, ["sandbox", "step", "--config", str(sandbox_config(tmp_path, as_of="2026-11-01"))])
    assert result.exit_code == EXIT_CONFIG
    assert "sandbox.as_of" in result.output
