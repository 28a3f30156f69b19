"""Typed connector errors, mapped from HTTP statuses and client-library exceptions.

Callers handle them differently: an expired session is renewed, a rate limit is waited out, a
transient fault is retried, bad credentials stop the source with a message the operator can act on."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class: `str(err)` reads "<source> <object>: <message>. <hint>"."""

    retryable = False

    def __init__(self, source: str, obj: str | None, message: str, hint: str = "") -> None:
        self.source = source
        self.obj = obj
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.source} {self.obj}" if self.obj else self.source
        text = f"{where}: {self.message.rstrip('.')}"
        return f"{text}. {self.hint}" if self.hint else text


class ConfigError(ConnectorError):
    """A setting or credential is missing or malformed."""


class AuthError(ConnectorError):
    """The credentials were refused (not retried)."""


class RateLimitError(ConnectorError):
    """The API asked us to slow down; `retry_after` seconds if it said so."""

    retryable = True

    def __init__(self, source: str, obj: str | None, message: str, hint: str = "",
                 retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(source, obj, message, hint)


class TransientError(ConnectorError):
    """5xx, timeouts, dropped connections, truncated or unparseable bodies: retried."""

    retryable = True


class BudgetExhausted(ConnectorError):
    """The daily API budget is nearly spent: the sync stops cleanly after landing what it fetched."""


class RequestError(ConnectorError):
    """Any other refusal (4xx): a bug or a permission problem, not retried."""
