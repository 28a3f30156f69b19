"""Salesforce: users, roles, accounts, contacts, leads, opportunities with their stage and field
history, tasks, events, forecasting quotas and currency rates, into `raw_salesforce`.

API: the REST API (SOQL query/queryAll, describe, limits) and Bulk API 2.0 query jobs for large
reads, through simple-salesforce. Credentials, from the environment: `SALESFORCE_INSTANCE_URL` +
`SALESFORCE_ACCESS_TOKEN` (e.g. from `sf org display`); or `SALESFORCE_USERNAME` +
`SALESFORCE_PASSWORD` + `SALESFORCE_SECURITY_TOKEN` (Setup > Reset My Security Token;
`SALESFORCE_DOMAIN=test` for a sandbox org); or a connected app with the JWT bearer flow
(`SALESFORCE_USERNAME`, `SALESFORCE_CONSUMER_KEY`, `SALESFORCE_PRIVATE_KEY_FILE`) or the client
credentials flow (`SALESFORCE_CONSUMER_KEY`, `SALESFORCE_CONSUMER_SECRET`, `SALESFORCE_DOMAIN` = My
Domain). `SALESFORCE_CA_BUNDLE` (or `REQUESTS_CA_BUNDLE`) sets the trusted CAs.
"""

from connectors.salesforce.client import Client
from connectors.salesforce.settings import OBJECTS, TABLES, Settings
from connectors.salesforce.source import source, source_counts

__all__ = ["OBJECTS", "TABLES", "Client", "Settings", "source", "source_counts"]
