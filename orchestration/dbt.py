"""The dbt models as Dagster assets (dagster-dbt); dbt tests surface as asset checks.

The manifest is prepared in a build step (`revops prepare`, run by `make dev`), never when the
definitions load: without a manifest there are simply no dbt assets. `REVOPS_DBT_MANIFEST` points at a
manifest elsewhere (the tests build one in a temporary folder)."""

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.resources import WAREHOUSE_POOL, RevopsResource
from revops.pipeline import dbt_env, dbt_project_dir, dbt_vars

DBT_PROJECT_DIR = dbt_project_dir()
# dbt folder (the first one that matches in a model's fqn) -> asset group
LAYER_GROUPS = {"staging": "warehouse_staging", "intermediate": "warehouse_intermediate",
                "marts": "warehouse_marts", "kpi": "kpi"}


def manifest_path() -> Path:
    """Where the definitions look for the manifest: $REVOPS_DBT_MANIFEST or dbt_project/target/."""
    configured = os.environ.get("REVOPS_DBT_MANIFEST")
    return Path(configured) if configured else DBT_PROJECT_DIR / "target" / "manifest.json"


def prepare_manifest(target_dir: Path | None = None) -> Path:
    """`dbt parse` into `target_dir` (default dbt_project/target); returns the manifest's path."""
    from dbt.cli.main import dbtRunner

    target = target_dir or DBT_PROJECT_DIR / "target"
    # parsing needs a profile that resolves; it does not open the warehouse
    os.environ.setdefault("REVOPS_WAREHOUSE_PATH", str(Path("data/warehouse.duckdb").resolve()))
    res = dbtRunner().invoke(["parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                              str(DBT_PROJECT_DIR), "--target-path", str(target), "--quiet"])
    if not res.success:
        raise RuntimeError(f"dbt parse of {DBT_PROJECT_DIR} failed: {res.exception}; run "
                           f"`dbt parse --project-dir {DBT_PROJECT_DIR} --profiles-dir {DBT_PROJECT_DIR}` "
                           "to see the failing file")
    return target / "manifest.json"


class RevopsDbtTranslator(DagsterDbtTranslator):
    """Groups by layer; dbt sources keep dagster-dbt's default key `[<source>, <table>]`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        for part in fqn[1:-1]:
            if part in LAYER_GROUPS:
                return LAYER_GROUPS[part]
        # seeds are small lookup tables that land beside the staging views
        return "warehouse_staging"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data"]


TRANSLATOR = RevopsDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the dbt subprocess, restored afterwards (runs may share a process)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build(manifest: Path) -> list[dg.AssetsDefinition]:
    """The dbt assets from `manifest`, or none when it has not been prepared."""
    if not manifest.exists():
        return []

    @dbt_assets(manifest=manifest, dagster_dbt_translator=TRANSLATOR, name="dbt_warehouse", pool=WAREHOUSE_POOL)
    def dbt_warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, revops: RevopsResource) -> Iterator[Any]:
        """Staging, intermediate, marts and KPI models, built and tested by dbt."""
        with revops.runtime(context.log) as rt:
            # A run may build the models in several subsets (the forecast is computed between the marts
            # and the KPI models that read it back). "buildable" runs a test with the subset that
            # builds its last parent, not with the first (a relationships test on kpi_values also
            # has the seed it points to as a parent).
            env = {**dbt_env(rt), "DBT_LOG_PATH": str(rt.data_dir / "dbt_logs"),
                   "DBT_INDIRECT_SELECTION": os.environ.get("DBT_INDIRECT_SELECTION", "buildable")}
            with _environ(env):
                # one target folder beside the warehouse (as `revops build`); steps never overlap (pool)
                yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars(rt))], context=context,
                                   target_path=rt.data_dir / "dbt_target").stream()

    return [dbt_warehouse]


def resource() -> DbtCliResource:
    """dbt from this environment (the one beside the running Python), on the project's profiles."""
    return DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                          dbt_executable=str(Path(sys.executable).parent / "dbt"))
