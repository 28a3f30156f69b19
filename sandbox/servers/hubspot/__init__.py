"""A local HubSpot: the CRM v3/v4 wire protocol served over the `hubspot` records of a sandbox dataset,
close enough that hubspot-api-client 12 and the HubSpot connector run unmodified against it."""

from sandbox.servers.hubspot.server import AUTH_MESSAGE, DEFAULT_TOKEN, HubSpotServer

__all__ = ["AUTH_MESSAGE", "DEFAULT_TOKEN", "HubSpotServer"]
