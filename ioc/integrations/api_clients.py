"""API keys of the systems that file reports through Open311.

A key is a long random token shown once, when it is created; only its SHA-256 is stored, so a
copy of the database does not let anyone file reports in another system's name.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

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
    now = utcnow()
    stale = now - USAGE_RESOLUTION
    if client.last_used_at is None or client.last_used_at < stale:
        session.execute(
            update(ApiClient)
            .where(
                ApiClient.id == client.id,
                or_(ApiClient.last_used_at.is_(None), ApiClient.last_used_at < stale),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(client, "last_used_at", now)  # written above, not again
    return client
