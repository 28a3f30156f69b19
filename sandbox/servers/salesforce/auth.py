"""Sessions and logins of the sandbox Salesforce org: SOAP `login`, OAuth 2.0 token grants.

Grants: `password`, `client_credentials` (HTTP Basic or form fields) and the JWT bearer flow
(`urn:ietf:params:oauth:grant-type:jwt-bearer`: header, issuer, subject, audience and expiry are
checked; the RS256 signature too when a public key is configured).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.servers.common import Request, Response


@dataclass
class SalesforceCredentials:
    """What the sandbox org accepts. The defaults are public sandbox values, not secrets."""

    username: str = "revops@sandbox.example.com"
    password: str = "sandbox-password"
    security_token: str = "SANDBOXTOKEN"
    consumer_key: str = "sandbox-consumer-key"
    consumer_secret: str = "sandbox-consumer-secret"
    jwt_public_key_pem: str | None = None  # set to check JWT signatures
    org_id: str = "00D000000000001AAA"
    user_id: str = "005000000000001AAA"
    allow_login_without_token: bool = False  # as for a trusted IP range


class SessionStore:
    """Issued session ids; `expire_all` forgets them (and the static access token)."""

    def __init__(self, org_id: str, static_token: str | None) -> None:
        self.org_id = org_id
        self.static_token = static_token
        self._sessions: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(40)}"
        with self._lock:
            self._sessions[token] = time.time()
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            return token in self._sessions or (self.static_token is not None and token == self.static_token)

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()
            self.static_token = None

    def new_static_token(self) -> str:
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(40)}"
        with self._lock:
            self.static_token = token
        return token


def bearer_token(request: Request) -> str | None:
    """The session id from `Authorization: Bearer <sid>` (or the older `OAuth <sid>`)."""
    header = request.headers.get("authorization", "")
    for scheme in ("Bearer ", "OAuth "):
        if header.startswith(scheme):
            return header[len(scheme) :].strip()
    return None


# -- SOAP ------------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def soap_login(
    request: Request, creds: SalesforceCredentials, sessions: SessionStore, base_url: str, version: str
) -> Response:
    """Answer a partner-API `login` call with a session id and a server URL on this server."""
    try:
        root = ET.fromstring(request.body)
    except ET.ParseError:
        return _soap_fault("INVALID_LOGIN", "Invalid SOAP request: the body is not XML.")
    values = {_local(el.tag): (el.text or "") for el in root.iter()}
    username, password = values.get("username"), values.get("password")
    accepted = {creds.password + creds.security_token}
    if creds.allow_login_without_token or "organizationId" in values:
        accepted.add(creds.password)
    if username != creds.username or password not in accepted:
        return _soap_fault("INVALID_LOGIN", "Invalid username, password, security token; or user locked out.")
    sid = sessions.issue()
    server_url = f"{base_url}/services/Soap/u/{version}/{creds.org_id[:15]}"
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><loginResponse><result>
<metadataServerUrl>{base_url}/services/Soap/m/{version}/{creds.org_id[:15]}</metadataServerUrl>
<passwordExpired>false</passwordExpired><sandbox>true</sandbox>
<serverUrl>{server_url}</serverUrl><sessionId>{sid}</sessionId><userId>{creds.user_id}</userId>
<userInfo><organizationId>{creds.org_id}</organizationId><userEmail>{escape(creds.username)}</userEmail>
<userName>{escape(creds.username)}</userName><sessionSecondsValid>7200</sessionSecondsValid></userInfo>
</result></loginResponse></soapenv:Body></soapenv:Envelope>"""
    return Response(200, body, content_type="text/xml; charset=utf-8")


def _soap_fault(code: str, message: str) -> Response:
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring>
<detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode>
<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage></sf:LoginFault></detail>
</soapenv:Fault></soapenv:Body></soapenv:Envelope>"""
    return Response(500, body, content_type="text/xml; charset=utf-8")


# -- OAuth 2.0 -------------------------------------------------------------------------------------
def oauth_token(
    request: Request, creds: SalesforceCredentials, sessions: SessionStore, base_url: str
) -> Response:
    """`POST /services/oauth2/token` for the password, client-credentials and JWT bearer grants."""
    form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    grant = form.get("grant_type")
    if grant == "password":
        if form.get("client_id") != creds.consumer_key or form.get("client_secret") != creds.consumer_secret:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        password = form.get("password") or ""
        if form.get("username") != creds.username or password not in (
            creds.password,
            creds.password + creds.security_token,
        ):
            return _oauth_error("invalid_grant", "authentication failure")
    elif grant == "client_credentials":
        key, secret = _basic_auth(request) or (form.get("client_id"), form.get("client_secret"))
        if key != creds.consumer_key or secret != creds.consumer_secret:
            return _oauth_error("invalid_client", "invalid client credentials")
    elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        problem = check_jwt(form.get("assertion") or "", creds)
        if problem:
            return _oauth_error("invalid_grant", problem)
    else:
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    sid = sessions.issue()
    issued = str(int(time.time() * 1000))
    identity = f"{base_url}/id/{creds.org_id}/{creds.user_id}"
    signature = base64.b64encode(hashlib.sha256(f"{identity}{issued}".encode()).digest()).decode()
    return Response(
        200,
        {
            "access_token": sid,
            "instance_url": base_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued,
            "signature": signature,
            "scope": "api",
        },
    )


def _oauth_error(error: str, description: str) -> Response:
    return Response(400, {"error": error, "error_description": description})


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return key, secret


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def check_jwt(assertion: str, creds: SalesforceCredentials) -> str | None:
    """Why the JWT bearer assertion is refused, or None when it is acceptable."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return "invalid assertion: expected header.payload.signature"
    try:
        header: Any = json.loads(_b64url(parts[0]))
        payload: Any = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, binascii.Error):
        return "invalid assertion: header or payload is not base64url JSON"
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return "invalid assertion: header and payload must be JSON objects"
    if header.get("alg") != "RS256":
        return "invalid assertion: algorithm must be RS256"
    if payload.get("iss") != creds.consumer_key:
        return "invalid_client_id: the issuer is not a known consumer key"
    if payload.get("sub") != creds.username:
        return "the subject is not a user of this org"
    aud = str(payload.get("aud", ""))
    if not (aud.startswith("https://") and aud.rstrip("/").endswith(".salesforce.com")):
        return "audience is invalid"
    try:
        expires = float(payload["exp"])
    except (KeyError, TypeError, ValueError):
        return "expiration time is missing or not a number"
    if expires < time.time():
        return "expired authorization code"
    if creds.jwt_public_key_pem:
        key = serialization.load_pem_public_key(creds.jwt_public_key_pem.encode())
        if not isinstance(key, rsa.RSAPublicKey):
            return "configured public key is not an RSA key"
        try:
            key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "invalid assertion: signature does not verify"
    return None
