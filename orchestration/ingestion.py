"""One asset per CRM object through dagster-dlt, keyed `[<source>, <object>]` (dagster-dbt's default
key for a dbt source table, so lineage connects with no custom code), plus the input files.

The dlt source used at definition time only lists the resources; it gets a client that connects on
first use, so loading the definitions never touches the network. At run time a fresh source with the
run's credentials does the work, then the runner reconciles counts and records the run in `ops`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from connectors import runner
from orchestration.resources import RevopsResource

OWNERS = ["team:revops"]


class _NeverConnected:
    """Stands in for an API client while Dagster only lists the resources of a source."""

    request_count = 0

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("the definition-time client cannot be used to fetch data")


class RevopsDltTranslator(DagsterDltTranslator):
    """Keys `[<source>, <table>]`, the source group, no upstream deps, kinds dlt + the CRM."""

    def __init__(self, source: str) -> None:
        self.source = source

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        name = data.resource.name if data.resource else "unknown"
        return spec.replace_attributes(
            key=dg.AssetKey([self.source, name]),
            deps=[],
            group_name=f"ingest_{self.source}",
            kinds={"dlt", "duckdb", self.source},
            owners=OWNERS,
            description=f"{self.source} `{name}` landed in raw_{self.source}.{name} (merge on the primary key, "
                        "incremental cursor committed with the data).",
            automation_condition=None,
        ).merge_attributes(tags={"revops/writes_warehouse": "true"})


class SyncConfig(dg.Config):  # type: ignore[misc]
    full_refresh: bool = False


def _crm_assets(source: str) -> dg.AssetsDefinition:
    module = runner.connector_module(source)
    listing_source = module.source(_NeverConnected(), objects=None, full_refresh=False)
    listing_pipeline = runner.make_pipeline(source, runner_path_placeholder() / "placeholder.duckdb",
                                            runner_path_placeholder() / "pipelines")

    @dlt_assets(
        dlt_source=listing_source,
        dlt_pipeline=listing_pipeline,
        name=f"{source}_sync",
        dagster_dlt_translator=RevopsDltTranslator(source),
        pool=f"sync_{source}",  # two syncs of one source never overlap
        op_tags={"revops/writes_warehouse": "true"},
    )
    def _assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource, revops: RevopsResource,
                config: SyncConfig) -> Iterator[Any]:
        with revops.runtime(context.log) as rt:
            settings = module.Settings.from_env(rt.env)
            client = module.Client(settings)
            result = runner.SyncResult(source=source, mode="full" if config.full_refresh else "incremental")
            pipeline = runner.make_pipeline(source, rt.warehouse, rt.data_dir / "dlt_pipelines")
            src = module.source(client, objects=None, full_refresh=config.full_refresh,
                                overlap=timedelta(minutes=rt.config.sync.overlap_minutes))
            try:
                yield from dlt.run(context=context, dlt_source=src, dlt_pipeline=pipeline,
                                   dagster_dlt_translator=RevopsDltTranslator(source))
                result.rows = runner._row_counts(pipeline)
                result.reconciliation = runner.reconcile(source, module, client, rt.warehouse, None)
            except Exception as exc:
                result.outcome = "failed"
                result.message = runner._explain(source, runner._unwrap(exc))
                raise
            finally:
                result.requests = int(getattr(client, "request_count", 0))
                from datetime import UTC, datetime

                result.finished_at = datetime.now(UTC)
                runner.record_result(rt.warehouse, result)
            bad = [r for r in result.reconciliation if r["status"] != "ok"]
            context.log.info(f"{source}: reconciliation {len(result.reconciliation) - len(bad)} ok, {len(bad)} mismatched")

    return _assets


def runner_path_placeholder() -> Any:
    """Definition-time pipeline paths (never used to run: runs build their own pipeline)."""
    import tempfile
    from pathlib import Path

    return Path(tempfile.gettempdir()) / "revops-definitions"


def reconciliation_checks(source: str, assets_def: dg.AssetsDefinition) -> list[dg.AssetChecksDefinition]:
    """One check per object: the source's count equals the warehouse's (from the last sync)."""
    checks = []
    for key in assets_def.keys:
        obj = key.path[-1]

        @dg.asset_check(asset=key, name="reconciled_with_source", blocking=False,
                        description=f"The {source} count of `{obj}` equals the warehouse count after the last sync.")
        def _check(revops: RevopsResource, _obj: str = obj) -> dg.AssetCheckResult:
            import duckdb

            path = revops.config.warehouse_path
            with duckdb.connect(str(path), read_only=True) as con:
                row = con.execute(
                    "select source_count, warehouse_count, status, checked_at from ops.reconciliation "
                    "where source = ? and object = ? order by checked_at desc limit 1", [source, _obj]).fetchone()
            if row is None:
                return dg.AssetCheckResult(passed=False, description="no reconciliation recorded yet")
            return dg.AssetCheckResult(passed=row[2] == "ok", metadata={
                "source_count": int(row[0]), "warehouse_count": int(row[1]), "checked_at": str(row[3])})

        checks.append(_check)
    return checks


@dg.asset(key=["inputs", "files"], group_name="ingest_files", kinds={"dlt", "duckdb", "csv"}, owners=OWNERS,
          tags={"revops/writes_warehouse": "true"},
          description="Input CSV files (quotas, targets, HR roster and events, absences, surveys, exchange "
                      "rates) validated and loaded into raw_inputs; bad rows quarantined.")
def input_files(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
    with revops.runtime(context.log) as rt:
        from revops.pipeline import write_config_tables

        write_config_tables(rt)
        result = runner.sync_files(rt.config.resolve(rt.config.sources.files.folder), rt.warehouse,
                                   rt.data_dir / "dlt_pipelines")
    if not result.ok:
        raise dg.Failure(description=result.message)
    return dg.MaterializeResult(metadata={"rows": sum(result.rows.values()),
                                          "rejected": sum(result.rejected.values()),
                                          **{f"rows/{k}": v for k, v in result.rows.items()}})


def build() -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    assets: list[dg.AssetsDefinition] = [input_files]
    checks: list[dg.AssetChecksDefinition] = []
    for source in runner.CRMS:
        a = _crm_assets(source)
        assets.append(a)
        checks.extend(reconciliation_checks(source, a))
    return assets, checks
