"""What one attempt to deliver a message outside achieved, whatever the channel."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """The result of one send.

    ``permanent`` failures are never retried (the destination said it will never accept the
    message); ``unregistered`` means the push token no longer exists and should be forgotten;
    ``stale`` means the message was too old to send at all.
    """

    ok: bool
    status: int | None = None
    error: str | None = None
    permanent: bool = False
    unregistered: bool = False
    stale: bool = False

    @classmethod
    def too_old(cls, error: str) -> Outcome:
        return cls(ok=False, error=error, permanent=True, stale=True)

    @classmethod
    def delivered(cls, status: int | None = None) -> Outcome:
        return cls(ok=True, status=status)

    @classmethod
    def retry(cls, error: str, status: int | None = None) -> Outcome:
        return cls(ok=False, status=status, error=error)

    @classmethod
    def give_up(
        cls, error: str, status: int | None = None, *, unregistered: bool = False
    ) -> Outcome:
        return cls(ok=False, status=status, error=error, permanent=True, unregistered=unregistered)
