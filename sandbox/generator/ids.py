"""Identifiers in each CRM's own form: Salesforce 18-character ids, Pipedrive 40-hex field keys."""

from __future__ import annotations

import hashlib
from functools import lru_cache

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
SF_PREFIX = {
    "User": "005", "UserRole": "00E", "Account": "001", "Contact": "003", "Lead": "00Q",
    "Opportunity": "006", "OpportunityHistory": "008", "OpportunityFieldHistory": "017",
    "Task": "00T", "Event": "00U", "OpportunityStage": "01J", "ForecastingQuota": "0J9",
    "CurrencyType": "02N", "DatedConversionRate": "04w", "Period": "026", "ForecastingType": "0Db",
    "Profile": "00e",
}
_POD = "5g"


@lru_cache(maxsize=1 << 20)
def sf_id(obj: str, n: int) -> str:
    """The 18-character Salesforce id of the n-th record of an object (stable, with checksum)."""
    body = []
    value = int(n) + 1
    for _ in range(10):
        body.append(_B62[value % 62])
        value //= 62
    base = SF_PREFIX[obj] + _POD + "".join(reversed(body))
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(base[chunk * 5:chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _SUFFIX[bits]
    return base + suffix


def hex_key(label: str) -> str:
    """A 40-hex-character Pipedrive custom field key, stable for a label."""
    return hashlib.sha1(f"brightwave:{label}".encode()).hexdigest()
