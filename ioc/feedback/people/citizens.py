"""Citizen accounts, created on first sign-in from the Firebase identity."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.states import Role
from ioc.telemetry.metrics import after_commit

#: The token claims that :func:`ensure_citizen` writes: uid, name, phone, e-mail.
Claims = tuple[str, str | None, str | None, str | None]


def ensure_citizen(
    session: Session, *, uid: str, name: str | None, phone: str | None, email: str | None
) -> User:
    """The citizen with this Firebase uid, created (or refreshed) from the token's claims."""
    citizen = session.scalar(select(User).where(User.firebase_uid == uid))
    if citizen is None:
        citizen = _first_sign_in(session, uid)
    # Later sign-ins may carry a name or phone the first one lacked; never blank them out.
    citizen.display_name = name or citizen.display_name
    citizen.phone = phone or citizen.phone
    citizen.email = email or citizen.email
    session.flush()
    return citizen


def _first_sign_in(session: Session, uid: str) -> User:
    """A new account for ``uid``, or the one a concurrent first request of the same citizen
    (the app sends several at start-up) committed while this one was inserting."""
    try:
        with session.begin_nested():
            citizen = User(role=Role.CITIZEN, firebase_uid=uid)
            session.add(citizen)
            session.flush()
        return citizen
    except IntegrityError:
        # The unique uid made this insert wait for the other transaction, which committed.
        existing = session.scalar(select(User).where(User.firebase_uid == uid))
        if existing is None:
            raise
        return existing


def find_citizen(session: Session, *, uid: str) -> User | None:
    """The citizen with this Firebase uid, if they have signed in before (never creates one)."""
    return session.scalar(select(User).where(User.firebase_uid == uid, User.role == Role.CITIZEN))


class CitizenAccounts:
    """The account ids of citizens this process signed in lately, by the claims of their
    token: a citizen's next requests within ``ttl_seconds`` skip the account lookup.

    An account is never deleted and its uid never changes, so a remembered id stays right;
    what a hit skips is refreshing the name, phone and e-mail, and those are the claims it
    was remembered with (a token with other claims looks the account up again). An id is
    remembered only once the transaction that found or created the account commits.
    """

    #: Beyond this many citizens the memory starts afresh (a bound, not an eviction policy).
    MAX_REMEMBERED = 10_000

    def __init__(self, *, ttl_seconds: float = 60.0) -> None:
        self._ttl = ttl_seconds
        self._known: dict[Claims, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def account_id(
        self, session: Session, *, uid: str, name: str | None, phone: str | None, email: str | None
    ) -> int:
        """The id of the citizen with this uid, created or refreshed as :func:`ensure_citizen`
        does when this process has not seen these claims lately."""
        claims: Claims = (uid, name, phone, email)
        known = self._known.get(claims)
        if known is not None and time.monotonic() - known[1] < self._ttl:
            return known[0]
        citizen_id = ensure_citizen(session, uid=uid, name=name, phone=phone, email=email).id
        after_commit(session, lambda: self._remember(claims, citizen_id))
        return citizen_id

    def _remember(self, claims: Claims, citizen_id: int) -> None:
        with self._lock:
            if len(self._known) >= self.MAX_REMEMBERED:
                self._known.clear()
            self._known[claims] = (citizen_id, time.monotonic())
