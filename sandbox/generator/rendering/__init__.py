"""Render a world as a sandbox dataset: CRM records, input files, ground truth, meta."""

from __future__ import annotations

from datetime import date, datetime

from ...dataset import Dataset
from .. import settings as S
from ..timeutil import date_of
from ..world import World
from .context import Context
from .hubspot import HubspotRenderer
from .inputs import render_inputs
from .pipedrive import PipedriveRenderer
from .salesforce import SalesforceRenderer


def render(world: World, as_of: date | datetime | None = None, truth: bool | None = None) -> Dataset:
    """The records as they stand at `as_of` (default: the world's as_of), the input CSVs, the
    ground truth computed from the world, and meta. `truth=None` computes the truth except for
    worlds rendered lazily ("large"), where it takes minutes and gigabytes: call
    `sandbox.generator.truth.build_truth(world)` for those, or pass `truth=True`."""
    if as_of is not None:
        world = world.at(as_of)
    ctx = Context(world)
    ds = Dataset()
    ds.records["salesforce"] = SalesforceRenderer(ctx).all()
    ds.records["hubspot"] = HubspotRenderer(ctx).all()
    ds.records["pipedrive"] = PipedriveRenderer(ctx).all()
    ds.inputs = render_inputs(world)
    if truth is None:
        truth = not S.SIZES[world.size].lazy_records
    if truth:
        from ..truth import build_truth

        ds.truth = build_truth(world)
    ds.meta = {
        "as_of": world.as_of_datetime.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": world.seed,
        "size": world.size,
        "generator_version": S.GENERATOR_VERSION,
        "fiscal_year_start_month": world.fiscal_year_start_month,
        "corporate_currency": world.corporate_currency,
        "span_start": date_of(world.start).isoformat(),
        "horizon": date_of(world.horizon).isoformat(),
        "truth": "computed" if truth else "not computed (sandbox.generator.truth.build_truth(world))",
    }
    if world.scenario:  # only then, so the meta of the unchanged company stays as it was
        ds.meta["scenario"] = world.scenario
        ds.meta["scenario_start"] = str(world.scenario_start)
    return ds
