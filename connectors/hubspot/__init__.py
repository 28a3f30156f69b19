"""HubSpot: deals, companies, contacts, owners and teams, deal pipelines and stages, calls, meetings,
e-mails, notes, tasks, their associations, and the history of deal stages and contact lifecycle stages.

Reads the CRM v3/v4 REST API through hubspot-api-client into `raw_hubspot` with dlt: incremental
through CRM search on the last-modified property, archived records flagged `is_deleted`, property
values cast by the types the properties API reports (a new property becomes a new column).

Credentials: create a private app in HubSpot (Settings > Integrations > Private Apps) with read scopes
for contacts, companies, deals, owners and schemas (engagements are covered by the contacts scope),
and set `HUBSPOT_ACCESS_TOKEN` to its access token. `HUBSPOT_API_BASE_URL` points the connector
elsewhere (the sandbox); `HUBSPOT_API_BUDGET_RESERVE` is how many daily requests to leave unused.
"""

from connectors.hubspot.client import Client
from connectors.hubspot.settings import OBJECTS, Settings
from connectors.hubspot.source import source, source_counts

__all__ = ["OBJECTS", "Client", "Settings", "source", "source_counts"]
