"""Landing assets: one asset per CRM object through dagster-dlt, keyed `[<source>, <object>]`, and one
per input table keyed `["inputs", <table>]`.

`[<source>, <table>]` is dagster-dbt's default key for a dbt source table, so the lineage from a raw
table to the staging model that reads it connects with no custom code.

The asset specs come from dagster-dlt (`build_dlt_asset_specs`) and a dlt source that only lists its
resources: it holds a client that refuses to connect, so loading the definitions never touches the
network. A run goes through `revops.pipeline.sync`, the function `revops sync` calls, so a scheduled
sync and a manual one load, reconcile and record in `ops` the same way."""

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltTranslator, build_dlt_asset_specs
from dagster_dlt.translator import DltResourceTranslatorData

from connectors import runner
from connectors.files.settings import COLUMNS as INPUT_FILE_COLUMNS
from connectors.files.settings import REQUIRED_FILES
from orchestration.resources import WAREHOUSE_POOL, RevopsResource, last_reconciliation, warehouse_columns
from revops.config import RevopsConfig

OWNERS = ["team:revops"]
# A CRM call fails for passing reasons (rate limits, timeouts, a maintenance window): retry with backoff.
SYNC_RETRY = dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
# Written from revops.yml before every sync (`revops.pipeline.write_config_tables`).
CONFIG_TABLES = ("config_stage_mapping", "config_kpi_targets", "config_kpi_actions", "config_headline_kpis",
                 "config_kpi_catalogue", "config_settings")


class _NeverConnected:
    """Stands in for an API client while Dagster only lists the resources of a source."""

    request_count = 0

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("the definition-time client cannot fetch data; runs build their own client")


class RevopsDltTranslator(DagsterDltTranslator):
    """Keys `[<source>, <table>]`, one group per source, no upstream deps, kinds dlt + duckdb + the CRM."""

    def __init__(self, source: str) -> None:
        self.source = source

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        name = data.resource.name if data.resource else "unknown"
        return spec.replace_attributes(
            key=dg.AssetKey([self.source, name]),
            deps=[],
            group_name=group_name(self.source),
            kinds={"dlt", "duckdb", self.source},
            owners=OWNERS,
            description=f"{self.source} `{name}` landed in raw_{self.source}.{name} (merged on the primary "
                        "key; the incremental cursor is committed with the data).",
            automation_condition=None,
        )


class SyncRunConfig(dg.Config):
    """Launch-time options of a CRM sync."""

    full_refresh: bool = False


def group_name(source: str) -> str:
    """The asset group of a source's landing tables (`ingest_salesforce`, …, `ingest_inputs`)."""
    return f"ingest_{source}"


def _definition_pipeline_dir() -> Path:
    # dlt wants a pipeline object to describe the destination; runs never use this one.
    return Path(tempfile.gettempdir()) / "revops-definitions"


def _table_metadata(warehouse: Path, schema: str, table: str) -> dict[str, Any]:
    """Fully qualified name and column schema of a landed table, for the asset page."""
    meta: dict[str, Any] = {"dagster/table_name": f"{schema}.{table}"}
    cols = warehouse_columns(warehouse, schema, table)
    if cols:
        meta["dagster/column_schema"] = dg.TableSchema(columns=[dg.TableColumn(name=c, type=t) for c, t in cols])
    return meta


def crm_assets(source: str, objects: Sequence[str] | None = None) -> dg.AssetsDefinition:
    """The landing assets of one CRM: one per object, subsettable, retried, in the `warehouse` pool."""
    module = runner.connector_module(source)
    listing = module.source(_NeverConnected(), objects=objects, full_refresh=False)
    pipeline = runner.make_pipeline(source, _definition_pipeline_dir() / "listing.duckdb",
                                    _definition_pipeline_dir() / "pipelines")
    specs = build_dlt_asset_specs(listing, pipeline, RevopsDltTranslator(source))

    # The specs come from dagster-dlt; the run itself goes through revops.pipeline.sync (see the
    # module docstring), which is why this is a multi_asset rather than `@dlt_assets`.
    @dg.multi_asset(name=f"{source}_sync", specs=specs, can_subset=True, pool=WAREHOUSE_POOL,
                    retry_policy=SYNC_RETRY)
    def _sync(context: dg.AssetExecutionContext, revops: RevopsResource, config: SyncRunConfig) -> Iterator[Any]:
        from revops import pipeline as steps

        selected = [k.path[-1] for k in context.selected_asset_keys]
        # the whole configured source unless a subset was asked for
        wanted = selected if context.is_subset else (list(objects) if objects else None)
        with revops.runtime(context.log) as rt:
            (result,) = steps.sync(rt, [source], full_refresh=config.full_refresh, objects=wanted,
                                   progress=context.log.info)
            if not result.ok:
                raise dg.Failure(description=result.message, metadata={"sync_run_id": result.run_id})
            reconciled = {r["object"]: r for r in result.reconciliation}
            for key in context.selected_asset_keys:
                obj = key.path[-1]
                meta: dict[str, Any] = {
                    "sync_run_id": result.run_id, "mode": result.mode, "outcome": result.outcome,
                    "rows_loaded": result.rows.get(obj, 0), "rows_rejected": result.rejected.get(obj, 0),
                    **_table_metadata(rt.warehouse, f"raw_{source}", obj),
                }
                if obj in reconciled:
                    meta["source_count"] = reconciled[obj]["source_count"]
                    meta["dagster/row_count"] = reconciled[obj]["warehouse_count"]
                if result.message:
                    meta["message"] = result.message
                yield dg.MaterializeResult(asset_key=key, metadata=meta)

    return _sync


def input_specs() -> list[dg.AssetSpec]:
    """One spec per input file table; optional files may be absent, so their tables may be skipped."""
    return [dg.AssetSpec(["inputs", name], group_name=group_name("inputs"), kinds={"dlt", "duckdb", "csv"},
                         owners=OWNERS, skippable=name not in REQUIRED_FILES,
                         description=f"`{name}.csv` from the input folder, validated column by column and "
                                     f"loaded into raw_inputs.{name}; rows that do not parse are quarantined.")
            for name in INPUT_FILE_COLUMNS]


@dg.multi_asset(name="input_files", specs=input_specs(), pool=WAREHOUSE_POOL,
                description="Input CSV files (quotas, targets, HR roster and events, absences, surveys, "
                            "exchange rates) loaded into raw_inputs.")
def input_files(context: dg.AssetExecutionContext, revops: RevopsResource) -> Iterator[dg.MaterializeResult]:
    """Load the input CSV files into raw_inputs; a missing required file or column fails the step."""
    from revops import pipeline as steps

    with revops.runtime(context.log) as rt:
        (result,) = steps.sync(rt, ["files"], progress=context.log.info)
        if not result.ok:
            raise dg.Failure(description=result.message)
        for key in context.selected_asset_keys:
            name = key.path[-1]
            if name not in result.rows and name not in result.rejected:
                continue  # an optional file that is not in the folder
            yield dg.MaterializeResult(asset_key=key, metadata={
                "rows_loaded": result.rows.get(name, 0), "rows_rejected": result.rejected.get(name, 0),
                "dagster/row_count": result.rows.get(name, 0),
                **_table_metadata(rt.warehouse, "raw_inputs", name)})


@dg.multi_asset(name="revops_config_tables", pool=WAREHOUSE_POOL,
                specs=[dg.AssetSpec(["inputs", name], group_name=group_name("inputs"), kinds={"duckdb", "yaml"},
                                    owners=OWNERS,
                                    description=f"raw_inputs.{name}: written from revops.yml before each sync.")
                       for name in CONFIG_TABLES])
def config_tables(context: dg.AssetExecutionContext, revops: RevopsResource) -> Iterator[dg.MaterializeResult]:
    """Stage mapping, KPI targets, actions, headline KPIs, catalogue and settings from revops.yml."""
    from revops import pipeline as steps

    with revops.runtime(context.log) as rt:
        steps.write_config_tables(rt)
        for key in context.selected_asset_keys:
            yield dg.MaterializeResult(asset_key=key, metadata=_table_metadata(rt.warehouse, "raw_inputs",
                                                                               key.path[-1]))


def reconciliation_check(source: str, key: dg.AssetKey) -> dg.AssetChecksDefinition:
    """After the last sync, the count the CRM reports for the object equals the rows in the warehouse."""
    obj = key.path[-1]

    @dg.asset_check(asset=key, name="reconciled_with_source", blocking=False, pool=WAREHOUSE_POOL,
                    description=f"The count {source} reports for `{obj}` equals the rows in raw_{source}.{obj} "
                                "after the last sync.")
    def _check(revops: RevopsResource) -> dg.AssetCheckResult:
        return last_reconciliation(revops.config.warehouse_path, source, obj)

    return _check


def reconciliation_checks(source: str, assets_def: dg.AssetsDefinition) -> list[dg.AssetChecksDefinition]:
    """One reconciliation check per object of a CRM."""
    return [reconciliation_check(source, key) for key in assets_def.keys]


def build(cfg: RevopsConfig) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """Landing assets of the enabled sources and their reconciliation checks."""
    assets: list[dg.AssetsDefinition] = []
    checks: list[dg.AssetChecksDefinition] = []
    for source in cfg.sources.enabled_crms():
        a = crm_assets(source, getattr(cfg.sources, source).objects)
        assets.append(a)
        checks.extend(reconciliation_checks(source, a))
    if cfg.sources.files.enabled:
        assets.append(input_files)
    assets.append(config_tables)
    return assets, checks
