"""Connectors: one package per system (salesforce, hubspot, pipedrive, files), each an API client
wrapper plus a dlt source. No Dagster and no dbt in here."""
