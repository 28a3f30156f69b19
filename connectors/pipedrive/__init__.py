"""Pipedrive: deals, persons, organizations, activities, pipelines, stages, users, activity types,
deal and organization fields (with the mappings of custom-field hash keys to column names) and deal
flow. Deal and organization custom fields land as columns named after their labels.

Reads the Pipedrive REST API with plain `requests`: v2 (cursor paging, `updated_since`) for the
objects it offers, v1 where v2 has nothing (users, activity types, field metadata, deal flow). Loads
into `raw_pipedrive` with dlt, merging on the primary key, incrementally from cursors kept in dlt
state.

Credentials: a personal API token, from Pipedrive under Settings > Personal preferences > API, set as
`PIPEDRIVE_API_TOKEN`. `PIPEDRIVE_API_BASE_URL` points at a company domain
(`https://<company>.pipedrive.com`) or another server speaking the same API; the default is the
public API. `PIPEDRIVE_DAILY_TOKEN_RESERVE` (default 500) is how many daily API tokens the sync leaves
unused before it stops.
"""

from connectors.pipedrive.client import Client
from connectors.pipedrive.settings import OBJECTS, Settings
from connectors.pipedrive.source import source, source_counts

__all__ = ["OBJECTS", "Client", "Settings", "source", "source_counts"]
