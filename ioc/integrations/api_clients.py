"""API keys of the systems that file reports through Open311.

A key is a long random token shown once, when it is created; only its SHA-256 is stored, so a
copy of the database does not let anyone file reports in another system's name.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ioc.db import utcnow
from ioc.errors import Conflict, Forbidden, InvalidInput, NotFound
from ioc.integrations.models import ApiClient

#: Marks IOC Open311 keys, so one pasted in the wrong place is recognisable.
KEY_PREFIX = "ioc311_"
_PREFIX_SHOWN = 12
#: ``last_used_at`` is a "seen lately" mark: written at most once a minute per key, so the
#: requests of one busy key never queue on its row.
USAGE_RESOLUTION = timedelta(minutes=1)
#: How long a process trusts a key it checked without reading its row again: a key revoked
#: in another process stops working within this delay (at once in the revoking process).
KEY_RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class NewKey:
    client: ApiClient
    key: str  # shown once; never stored


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_client(session: Session, *, name: str) -> NewKey:
    """Register an integrating system and make its key.

    Raises:
        InvalidInput: an empty name or one over 100 characters. Conflict: the name is taken.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("a name of 1 to 100 characters", details={"fields": {"name": name}})
    if session.scalar(select(ApiClient.id).where(ApiClient.name == name)) is not None:
        raise Conflict("an API client of that name exists", details={"name": name})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(name=name, key_hash=key_hash(key), key_prefix=key[:_PREFIX_SHOWN])
    session.add(client)
    session.flush()
    return NewKey(client=client, key=key)


def list_api_clients(session: Session) -> list[ApiClient]:
    return list(session.scalars(select(ApiClient).order_by(ApiClient.name)))


def revoke_api_client(session: Session, *, name: str) -> ApiClient:
    """Stop accepting the system's key (its reports stay).

    Raises:
        NotFound: no client of that name.
    """
    client = session.scalar(select(ApiClient).where(ApiClient.name == name))
    if client is None:
        raise NotFound("no API client of that name", details={"name": name})
    client.is_active = False
    session.flush()
    _known_keys.forget(client.key_hash)
    return client


def authenticate_api_key(session: Session, key: str | None) -> ApiClient:
    """The active client holding ``key``; notes when it was last used (to the minute).

    Most requests only read the row. When the mark is a minute old, one conditional update
    moves it; requests racing it re-check the condition after it commits and write nothing.

    Raises:
        Forbidden: no key, an unknown key or a revoked one (one answer for all three).
    """
    client = None
    if key:
        client = session.scalar(select(ApiClient).where(ApiClient.key_hash == key_hash(key)))
    if client is None or not client.is_active:
        raise Forbidden("missing or invalid api_key")
    if client.last_used_at is None or client.last_used_at < utcnow() - USAGE_RESOLUTION:
        # Written by the update, not again by a flush.
        set_committed_value(client, "last_used_at", _note_use(session, client.id))
    return client


def _note_use(session: Session, client_id: int) -> datetime:
    """Move the client's usage mark to now unless another request moved it within the
    minute (requests racing this one re-check the condition after it commits and write
    nothing)."""
    now = utcnow()
    stale = now - USAGE_RESOLUTION
    session.execute(
        update(ApiClient)
        .where(
            ApiClient.id == client_id,
            or_(ApiClient.last_used_at.is_(None), ApiClient.last_used_at < stale),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return now


@dataclass
class _KnownKey:
    client_id: int
    last_used_at: datetime | None
    checked_at: float


class _KnownKeys:
    """Keys this process checked lately (by hash): a busy integrator's requests skip the
    key lookup, and its usage mark is still moved once a minute."""

    def __init__(self) -> None:
        self._keys: dict[str, _KnownKey] = {}
        self._lock = threading.Lock()

    def fresh(self, digest: str) -> _KnownKey | None:
        known = self._keys.get(digest)
        if known is None or time.monotonic() - known.checked_at >= KEY_RECHECK_SECONDS:
            return None
        return known

    def remember(self, digest: str, known: _KnownKey) -> None:
        with self._lock:
            self._keys[digest] = known

    def forget(self, digest: str) -> None:
        with self._lock:
            self._keys.pop(digest, None)


_known_keys = _KnownKeys()


def verify_api_key(
    unit_of_work: Callable[[], AbstractContextManager[Session]], key: str | None
) -> int:
    """The id of the active client holding ``key``, noting its use as
    :func:`authenticate_api_key` does; a key checked in the last few seconds
    (:data:`KEY_RECHECK_SECONDS`) whose use was noted within the minute is trusted without
    opening a session (``unit_of_work`` opens one when needed, and commits it).

    Raises:
        Forbidden: no key, an unknown key or a revoked one (one answer for all three).
    """
    if not key:
        raise Forbidden("missing or invalid api_key")
    digest = key_hash(key)
    known = _known_keys.fresh(digest)
    if known is None:
        with unit_of_work() as session:
            try:
                client = authenticate_api_key(session, key)
            except Forbidden:
                _known_keys.forget(digest)
                raise
            known = _KnownKey(client.id, client.last_used_at, time.monotonic())
        _known_keys.remember(digest, known)
    elif known.last_used_at is None or known.last_used_at < utcnow() - USAGE_RESOLUTION:
        with unit_of_work() as session:
            known.last_used_at = _note_use(session, known.client_id)
    return known.client_id
