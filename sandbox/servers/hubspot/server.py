"""`HubSpotServer`: the HubSpot CRM v3/v4 wire protocol over the records of a sandbox dataset.

Serves what hubspot-api-client 12 calls: object lists, reads, batch reads and search, owners, deal
pipelines, properties and v4 associations, with private-app Bearer auth, HubSpot's error envelope,
the app rate limit (the base `Faults` window), a separate per-second limit on search, a daily budget,
and the `X-HubSpot-RateLimit-*` headers.
"""

from __future__ import annotations

from sandbox.servers.hubspot.base import AUTH_MESSAGE, DEFAULT_TOKEN
from sandbox.servers.hubspot.metadata import MetadataRoutes
from sandbox.servers.hubspot.objects import ObjectRoutes

__all__ = ["AUTH_MESSAGE", "DEFAULT_TOKEN", "HubSpotServer"]


class HubSpotServer(ObjectRoutes, MetadataRoutes):
    """A local HubSpot: `HubSpotServer(dataset).start()`, then `HubSpot(access_token=DEFAULT_TOKEN,
    host=server.base_url)`. Constructor settings (token, limits, search cap) are described on
    `HubSpotBase`."""

    def __enter__(self) -> HubSpotServer:
        self.start()
        return self

    # -- routes ---------------------------------------------------------------------------------------
    def register_routes(self) -> None:
        obj = r"/crm/v3/objects/(?P<type>[^/]+)"
        self.route("GET", obj, self.list_objects)
        self.route("POST", obj + r"/batch/read", self.batch_read)
        self.route("POST", obj + r"/search", self.search)
        self.route("GET", obj + r"/(?P<id>[^/]+)", self.get_object)
        self.route("GET", r"/crm/v3/owners/?", self.list_owners)
        self.route("GET", r"/crm/v3/owners/(?P<id>[^/]+)", self.get_owner)
        self.route("GET", r"/crm/v3/pipelines/(?P<type>[^/]+)", self.list_pipelines)
        self.route("GET", r"/crm/v3/pipelines/(?P<type>[^/]+)/(?P<pid>[^/]+)", self.get_pipeline)
        self.route("GET", r"/crm/v3/pipelines/(?P<type>[^/]+)/(?P<pid>[^/]+)/stages", self.list_stages)
        self.route("GET", r"/crm/v3/properties/(?P<type>[^/]+)", self.list_properties)
        self.route("GET", r"/crm/v3/properties/(?P<type>[^/]+)/(?P<name>[^/]+)", self.get_property)
        self.route(
            "POST", r"/crm/v4/associations/(?P<from>[^/]+)/(?P<to>[^/]+)/batch/read", self.batch_associations
        )
        self.route(
            "GET",
            r"/crm/v4/objects/(?P<type>[^/]+)/(?P<id>[^/]+)/associations/(?P<to>[^/]+)",
            self.record_associations,
        )
        self.route("GET", r"/account-info/v3/details", self.account_details)
