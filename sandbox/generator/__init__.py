"""The sandbox company generator: a deterministic simulation of a B2B sales company whose data
lives in Salesforce, HubSpot and Pipedrive, rendered as API-shaped records, input CSV files and the
ground-truth KPI values.

    world = generate(seed=42, size="small")
    dataset = render(world)          # records as they stand at world.as_of
    world = step(world, days=7)      # a week later: new records, progress, edits, deletions
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from .settings import SIZES
from .world import World, generate, step

if TYPE_CHECKING:
    from ..dataset import Dataset

__all__ = ["SIZES", "World", "generate", "render", "step", "truth"]


def render(world: World, as_of: date | datetime | None = None, truth: bool | None = None) -> Dataset:
    """The dataset as it stands at `as_of` (default: the world's as_of): CRM records, input CSVs
    (`dataset.inputs`), ground truth CSVs (`dataset.truth`) and meta. The truth is skipped with
    `truth=False`, and by default for "large" worlds (minutes and gigabytes; `truth=True` forces it)."""
    from .rendering import render as _render

    return _render(world, as_of, truth=truth)


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name == "truth":  # `sandbox.generator.truth` without importing pandas-heavy code eagerly
        import importlib

        return importlib.import_module(".truth", __name__)
    raise AttributeError(name)
