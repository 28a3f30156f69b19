"""The sandbox Salesforce org (REST, Bulk API 2.0, SOAP and OAuth logins) served from a Dataset."""

from sandbox.servers.salesforce.auth import SalesforceCredentials
from sandbox.servers.salesforce.schema import load_describe_overrides
from sandbox.servers.salesforce.server import API_VERSIONS, SalesforceServer

__all__ = ["API_VERSIONS", "SalesforceCredentials", "SalesforceServer", "load_describe_overrides"]
