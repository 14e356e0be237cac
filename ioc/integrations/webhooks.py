"""Outbound webhooks: which events a subscription hears, the signed request, and its sender.

Every request carries ``IOC-Webhook-Id`` (the delivery id, the same on every retry),
``IOC-Webhook-Timestamp`` (Unix seconds of this attempt) and ``IOC-Signature:
v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>``. A receiver checks the signature,
refuses timestamps older than five minutes and ignores an id it has already processed, which
makes it safe against replays and against the retries of at-least-once delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any, Protocol

import httpx

from ioc.events.models import Event
from ioc.integrations.outcome import Outcome

log = logging.getLogger(__name__)

SIGNATURE_VERSION = "v1"
_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: 4xx answers that still mean "try again later".
_RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})


def matches(filters: list[str], event_type: str) -> bool:
    """Whether a subscription with ``filters`` hears ``event_type``.

    No filter hears everything; ``report.*`` hears every ``report.`` event; anything else must
    be the exact type.
    """
    if not filters:
        return True
    return any(
        event_type.startswith(f[:-1]) if f.endswith(".*") else event_type == f for f in filters
    )


def envelope(event: Event) -> dict[str, Any]:
    """The JSON document a webhook receives for ``event``.

    ``data`` is the event's own payload, written to be seen by every audience: it never names
    the reporter.
    """
    return {
        "id": event.seq,
        "seq": event.seq,
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }


def body_of(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``IOC-Signature`` header value for ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def headers(*, delivery_id: int, secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "IOC-Webhooks/1",
        "IOC-Webhook-Id": str(delivery_id),
        "IOC-Webhook-Timestamp": str(timestamp),
        "IOC-Signature": signature(secret, timestamp, body),
    }


class WebhookSender(Protocol):
    """POSTs one signed webhook request."""

    def post(self, url: str, *, headers: dict[str, str], body: bytes) -> Outcome: ...


class HttpWebhookSender:
    """Sends webhooks with httpx, with timeouts and without following redirects."""

    def __init__(self, *, timeout: httpx.Timeout = _TIMEOUT) -> None:
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def post(self, url: str, *, headers: dict[str, str], body: bytes) -> Outcome:
        try:
            response = self._client.post(url, headers=headers, content=body)
        except httpx.HTTPError as exc:
            return Outcome.retry(f"{type(exc).__name__}: {exc}")
        status = response.status_code
        if 200 <= status < 300:
            return Outcome.delivered(status)
        error = f"HTTP {status}: {response.text[:200]}"
        # The receiver refused this message for good (bad request, wrong URL, forbidden…).
        if 400 <= status < 500 and status not in _RETRYABLE_CLIENT_ERRORS:
            return Outcome.give_up(error, status)
        return Outcome.retry(error, status)

    def close(self) -> None:
        self._client.close()
