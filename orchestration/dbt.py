"""The dbt models as Dagster assets (dagster-dbt); dbt tests surface as asset checks.

The manifest is prepared in a build step (`revops prepare`, run by `make install` and by `make dev`),
never when the definitions are imported."""

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.resources import RevopsResource
from revops.pipeline import dbt_env, dbt_project_dir, dbt_vars

DBT_PROJECT_DIR = dbt_project_dir()
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
LAYER_GROUPS = {"staging": "warehouse_staging", "intermediate": "warehouse_intermediate",
                "marts": "warehouse_marts", "kpi": "kpi"}


def prepare_manifest(target_dir: Path | None = None) -> Path:
    """`dbt parse` to write target/manifest.json (the build step the definitions rely on)."""
    from dbt.cli.main import dbtRunner

    target = target_dir or DBT_PROJECT_DIR / "target"
    os.environ.setdefault("REVOPS_WAREHOUSE_PATH", str(Path("data/warehouse.duckdb").resolve()))
    res = dbtRunner().invoke(["parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                              str(DBT_PROJECT_DIR), "--target-path", str(target), "--quiet"])
    if not res.success:
        raise RuntimeError(f"dbt parse failed: {res.exception}")
    return target / "manifest.json"


class RevopsDbtTranslator(DagsterDbtTranslator):
    """Groups by layer; dbt sources keep dagster-dbt's default key `[<source>, <table>]`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        for part in fqn[1:-1]:
            if part in LAYER_GROUPS:
                return LAYER_GROUPS[part]
        return "warehouse"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data"]


def build() -> list[dg.AssetsDefinition]:
    if not MANIFEST_PATH.exists():
        return []

    @dbt_assets(
        manifest=MANIFEST_PATH,
        dagster_dbt_translator=RevopsDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
        name="dbt_warehouse",
        op_tags={"revops/writes_warehouse": "true"},
        pool="warehouse",
    )
    def dbt_warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, revops: RevopsResource) -> Iterator[Any]:
        """Staging, intermediate, marts and KPI models, built and tested by dbt."""
        with revops.runtime(context.log) as rt:
            os.environ.update(dbt_env(rt))
            yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars(rt))], context=context).stream()

    return [dbt_warehouse]


def resource() -> DbtCliResource:
    import sys

    return DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR),
                          dbt_executable=str(Path(sys.executable).parent / "dbt"))
