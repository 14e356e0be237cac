"""The OA API as the channel uses it: sending a text to a user, and fetching the photos a user
sent (from the URLs Zalo gives), with timeouts and a size limit.

Zalo answers application errors with HTTP 200 and ``error`` ≠ 0 (e.g. -216, an expired access
token): such a message is retried by the worker and becomes a dead letter after
``IOC_DELIVERY_MAX_ATTEMPTS`` tries, for an operator to retry once the OA is fixed.
"""

from __future__ import annotations

import logging
from typing import Protocol

import httpx

from ioc.config import Settings
from ioc.integrations.outcome import Outcome

log = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
#: Zalo's limit on a text message.
MAX_MESSAGE_CHARS = 2000
_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_FETCH_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class PhotoUnavailable(Exception):
    """A photo could not be fetched (refused, too large, too slow, not HTTP)."""


class ZaloSender(Protocol):
    """Sends one text message to one Zalo user of the OA."""

    def send_text(self, user_id: str, text: str) -> Outcome: ...


class PhotoFetcher(Protocol):
    """Fetches a photo a user sent; raises :class:`PhotoUnavailable`."""

    def fetch(self, url: str) -> bytes: ...


class OaMessageSender:
    """Sends customer-service messages (``POST {base}/v3.0/oa/message/cs``) with httpx."""

    def __init__(
        self, *, api_url: str, access_token: str, timeout: httpx.Timeout = _TIMEOUT
    ) -> None:
        self._url = api_url.rstrip("/") + SEND_PATH
        self._token = access_token
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send_text(self, user_id: str, text: str) -> Outcome:
        body = {"recipient": {"user_id": user_id}, "message": {"text": text[:MAX_MESSAGE_CHARS]}}
        try:
            response = self._client.post(
                self._url, json=body, headers={"access_token": self._token}
            )
        except httpx.HTTPError as exc:
            return Outcome.retry(f"{type(exc).__name__}: {exc}")
        status = response.status_code
        if status >= 300:
            return Outcome.retry(f"HTTP {status}: {response.text[:200]}", status)
        try:
            answer = response.json()
        except ValueError:
            return Outcome.retry(f"HTTP {status}: not JSON: {response.text[:200]}", status)
        error = answer.get("error", 0) if isinstance(answer, dict) else None
        if error == 0:
            return Outcome.delivered(status)
        message = answer.get("message") if isinstance(answer, dict) else answer
        return Outcome.retry(f"Zalo error {error}: {message}", status)

    def close(self) -> None:
        self._client.close()


class HttpPhotoFetcher:
    """Fetches photos with httpx, refusing anything above ``max_bytes`` while it streams."""

    def __init__(self, *, max_bytes: int, timeout: httpx.Timeout = _FETCH_TIMEOUT) -> None:
        self._max_bytes = max_bytes
        self._client = httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=3)

    def fetch(self, url: str) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise PhotoUnavailable(f"not an HTTP URL: {url[:100]}")
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise PhotoUnavailable(f"HTTP {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self._max_bytes:
                    raise PhotoUnavailable(f"larger than {self._max_bytes} bytes")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data.extend(chunk)
                    if len(data) > self._max_bytes:
                        raise PhotoUnavailable(f"larger than {self._max_bytes} bytes")
                return bytes(data)
        except httpx.HTTPError as exc:
            raise PhotoUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self._client.close()


def zalo_sender(settings: Settings) -> OaMessageSender | None:
    """The OA message sender a deployment's settings describe; None while the channel is off."""
    if not settings.zalo_enabled:
        return None
    return OaMessageSender(api_url=settings.zalo_api_url, access_token=settings.zalo_access_token)
