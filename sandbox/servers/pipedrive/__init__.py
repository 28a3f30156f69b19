"""The Pipedrive sandbox server: v1 and v2 REST endpoints over the dataset's `pipedrive` records."""

from sandbox.servers.pipedrive.server import DEFAULT_TOKEN, PipedriveServer

__all__ = ["DEFAULT_TOKEN", "PipedriveServer"]
