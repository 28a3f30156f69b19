"""The one resource every asset uses: the validated configuration plus the runtime environment."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cached_property

import dagster as dg

from revops.config import RevopsConfig, load_config
from revops.pipeline import Runtime, runtime


class RevopsResource(dg.ConfigurableResource):  # type: ignore[misc]
    """Where `revops.yml` is; credentials come from the environment (or `.env`) at run time."""

    config_path: str = "revops.yml"

    @cached_property
    def config(self) -> RevopsConfig:
        return load_config(self.config_path)

    @contextlib.contextmanager
    def runtime(self, log: object | None = None) -> Iterator[Runtime]:
        """A Runtime; the sandbox servers start for the step when the demo configuration needs them."""
        say = getattr(log, "info", None)
        with runtime(self.config, say) as rt:
            yield rt
