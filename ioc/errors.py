"""The IOC exception tree. Each error has a stable snake_case ``code`` and an HTTP status,
mapped to a JSON body in one place (the app's error handler)."""

from __future__ import annotations

from typing import Any


class IocError(Exception):
    code = "ioc_error"
    status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(IocError):
    """The request or file is malformed; ``details`` names the field(s) and reasons."""

    code = "invalid_input"
    status = 422


class NotFound(IocError):
    code = "not_found"
    status = 404


class Conflict(IocError):
    code = "conflict"
    status = 409


class Forbidden(IocError):
    code = "forbidden"
    status = 403


class Unauthenticated(IocError):
    """The caller did not prove who they are (no, malformed, expired or foreign token)."""

    code = "unauthenticated"
    status = 401


class MalformedRequest(IocError):
    """The body cannot even be read (broken JSON), so no field can be named."""

    code = "malformed_request"
    status = 400


class InvalidCursor(MalformedRequest):
    """A list's ``cursor`` is not one the list gave out (malformed, altered or another list's)."""

    code = "invalid_cursor"


class UnsupportedMediaType(IocError):
    """The body is in a format the route does not read (a form sent to a JSON route)."""

    code = "unsupported_media_type"
    status = 415


class ChannelUnavailable(NotFound):
    """A citizen channel (e.g. the Zalo OA webhook) that this deployment has not configured:
    for the sender, as if the address did not exist (it is no server failure)."""

    code = "channel_unavailable"


class Unavailable(IocError):
    """The server cannot take the request now (database unreachable or busy, a statement that
    ran too long, too many requests at once): nothing was stored; ask again after
    ``retry_after`` seconds."""

    code = "unavailable"
    status = 503

    def __init__(
        self,
        message: str,
        *,
        code: str = "unavailable",
        retry_after: int = 1,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.code = code
        self.retry_after = retry_after
