"""The sandbox company generator: a deterministic simulation of a B2B sales company whose data
lives in Salesforce, HubSpot and Pipedrive, rendered as API-shaped records, input CSV files and the
ground-truth KPI values.

    world = generate(seed=42, size="small")
    dataset = render(world)          # records as they stand at world.as_of
    world = step(world, days=7)      # a week later: new records, progress, edits, deletions
"""

from __future__ import annotations

from .settings import SIZES
from .world import World, generate, step

__all__ = ["SIZES", "World", "generate", "render", "step"]


def render(world: World, as_of=None):  # type: ignore[no-untyped-def]
    """The dataset (records, inputs, truth, meta) as it stands at `as_of` (default: the world's)."""
    from .render import render as _render

    return _render(world, as_of)
