"""`revops dev` without the UI: the launcher prepares DAGSTER_HOME under the data folder with the
repository's dagster.yaml, starts the sandbox when no credentials are set, and hands its URLs and tokens
to the process it runs (here a probe that calls the sandbox instead of `dagster dev`)."""

import json
import socket
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.dev import dagster_dev_command, dagster_home, dev_environment, prepare_home, run_dev
from revops.config import load_config
from tests.orchestration.orchestration_fixtures import AS_OF, ROOT, write_config

# What the Dagster processes would see: the environment, the folder they start in, and whether the
# HubSpot sandbox answers with the token they were given.
PROBE = r"""
import json, os, sys, urllib.request
env = os.environ
request = urllib.request.Request(env["HUBSPOT_API_BASE_URL"].rstrip("/") + "/crm/v3/owners",
                                 headers={"Authorization": "Bearer " + env["HUBSPOT_ACCESS_TOKEN"]})
with urllib.request.urlopen(request, timeout=10) as response:
    status = response.status
keys = ("DAGSTER_HOME", "REVOPS_CONFIG", "REVOPS_AS_OF", "HUBSPOT_API_BASE_URL", "PIPEDRIVE_API_BASE_URL",
        "SALESFORCE_INSTANCE_URL", "REQUESTS_CA_BUNDLE")
with open(sys.argv[1], "w") as out:
    json.dump({"env": {k: env.get(k) for k in keys}, "cwd": os.getcwd(), "hubspot_status": status}, out)
"""


def port_is_open(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) == 0


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory, no_crm_credentials: None) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("dev")
    mp = pytest.MonkeyPatch()
    mp.delenv("DAGSTER_HOME", raising=False)
    config = write_config(folder)
    said: list[str] = []
    code = run_dev(load_config(config), config, prepare=False, say=said.append,
                   command=[sys.executable, "-c", PROBE, str(folder / "seen.json")])
    mp.undo()
    yield {"code": code, "seen": json.loads((folder / "seen.json").read_text()), "said": said, "folder": folder,
           "config": config}


def test_the_dagster_processes_reach_the_sandbox_with_the_urls_and_tokens_they_are_given(probed: dict) -> None:
    assert probed["code"] == 0
    assert probed["seen"]["hubspot_status"] == 200
    env = probed["seen"]["env"]
    for name in ("HUBSPOT_API_BASE_URL", "PIPEDRIVE_API_BASE_URL", "SALESFORCE_INSTANCE_URL"):
        assert urllib.parse.urlsplit(env[name]).hostname == "127.0.0.1"
    assert Path(env["REQUESTS_CA_BUNDLE"]).exists()
    # runs date their KPIs like the sandbox company, not like the machine's clock
    assert env["REVOPS_AS_OF"] == AS_OF.isoformat()


def test_the_sandbox_stops_when_the_ui_process_exits(probed: dict) -> None:
    assert not port_is_open(probed["seen"]["env"]["HUBSPOT_API_BASE_URL"])


def test_dagster_home_is_under_the_data_folder_with_the_repository_dagster_yaml(probed: dict) -> None:
    home = probed["folder"] / "data" / "dagster_home"
    env = probed["seen"]["env"]
    assert Path(env["DAGSTER_HOME"]) == home.resolve()
    assert Path(probed["seen"]["cwd"]) == home.resolve()
    assert (home / "dagster.yaml").read_text() == (ROOT / "dagster.yaml").read_text()
    assert Path(env["REVOPS_CONFIG"]) == probed["config"].resolve()


def test_an_edited_dagster_yaml_in_the_home_is_kept_and_reported(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("telemetry:\n  enabled: false\n")
    home = tmp_path / "home"
    assert prepare_home(home, template) is None
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    notice = prepare_home(home, template)
    assert notice is not None and "keeping it" in notice
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"


def test_an_explicit_dagster_home_wins_over_the_environment_and_the_default(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path))
    assert dagster_home(cfg, None, {}) == (tmp_path / "data" / "dagster_home").resolve()
    assert dagster_home(cfg, None, {"DAGSTER_HOME": str(tmp_path / "env")}) == (tmp_path / "env").resolve()
    assert dagster_home(cfg, tmp_path / "flag", {"DAGSTER_HOME": str(tmp_path / "env")}) == (tmp_path / "flag").resolve()


def test_with_real_credentials_no_sandbox_date_is_pinned(tmp_path: Path) -> None:
    env = dev_environment({"HUBSPOT_ACCESS_TOKEN": "real"}, home=tmp_path, config_file=tmp_path / "revops.yml")
    assert "REVOPS_AS_OF" not in env and env["HUBSPOT_ACCESS_TOKEN"] == "real"


def test_the_ui_listens_on_localhost_only_with_the_project_definitions() -> None:
    command = dagster_dev_command(3123)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "3123"
    assert command[-2:] == ["-m", "orchestration.definitions"]
    assert command[command.index("--working-directory") + 1] == str(ROOT)
