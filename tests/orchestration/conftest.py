"""Shared fixtures for the Dagster tests: a dbt manifest prepared once (with the project's own prepare
step, into a temporary folder), the demo configuration in a temporary folder and its definitions, and
an environment without CRM credentials so that runs go to the tiny sandbox company on 127.0.0.1."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from orchestration.dbt import prepare_manifest
from orchestration.definitions import build_definitions
from tests.orchestration.orchestration_fixtures import CRM_VARS, write_config


@pytest.fixture(scope="session")
def no_crm_credentials() -> Iterator[None]:
    """The sandbox serves the CRMs only when no credentials are set."""
    mp = pytest.MonkeyPatch()
    for name in CRM_VARS:
        mp.delenv(name, raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dbt manifest, prepared by the same step `revops prepare` runs."""
    return prepare_manifest(tmp_path_factory.mktemp("dbt") / "target")


@pytest.fixture(scope="session")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_config(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_defs(demo_config: Path, manifest: Path) -> dg.Definitions:
    """The definitions for the demo configuration (every source on) with the dbt models."""
    return build_definitions(demo_config, manifest)
