"""Who may listen where: the checks made when a screen connects, and its catch-up.

Kept apart from the Socket.IO handlers so they stay thin: each handler asks this module for
the connecting screen's audience (or a refusal) and for the events it missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ioc.errors import Unauthenticated
from ioc.events.audiences import agency_audience, citizen_audience
from ioc.events.log import events_for, latest_seq
from ioc.feedback.people.citizens import ensure_citizen
from ioc.feedback.people.staff_sessions import find_session
from ioc.feedback.states import AGENCY_STAFF, OPS_READERS
from ioc.identity import TokenVerifier
from ioc.realtime.audiences import (
    NAMESPACE_AGENCY,
    NAMESPACE_CITIZEN,
    NAMESPACE_OPS,
    NAMESPACE_PUBLIC,
)
from ioc.realtime.publisher import wire

#: A screen further behind than this reloads the map state instead of replaying.
REPLAY_WINDOW = 1000


class Refused(Exception):
    """The connection is refused; the message says why."""


@dataclass(frozen=True)
class CatchUp:
    events: list[dict[str, Any]]
    resync_from: int | None  # set when the screen must reload the state at this seq


#: The cookie of a staff member's browser session (the screens of the staff pages send it).
STAFF_COOKIE = "ioc_session"
#: The refusal when the database cannot take the connection now: the page retries it after a
#: spread-out pause (many screens reconnect at once after a restart and can drain the pool).
BUSY = "the server is busy; try again"


def connection_auth(auth: Any) -> dict[str, Any]:
    """The ``auth`` a screen sent when connecting, as a dict (empty when it sent none)."""
    return auth if isinstance(auth, dict) else {}


def audience_of_screen(
    session: Session,
    namespace: str,
    auth: dict[str, Any],
    *,
    staff_cookie: str | None,
    verifier: TokenVerifier,
) -> str:
    """The room a connecting screen joins in ``namespace``, from its ``auth`` token (or, for
    staff, the session cookie). Both Socket.IO servers (the Flask one and ``ioc live``) ask this.

    Raises:
        Refused: the screen may not listen there (the message says why).
    """
    if namespace == NAMESPACE_PUBLIC:
        return "public"
    if namespace == NAMESPACE_CITIZEN:
        return citizen_room(session, verifier, auth.get("token"))
    if namespace in (NAMESPACE_OPS, NAMESPACE_AGENCY):
        token = auth.get("token") or staff_cookie
        return staff_audience(session, token, agency=namespace == NAMESPACE_AGENCY)
    raise Refused(f"no such namespace {namespace}")


def staff_audience(session: Session, token: str | None, *, agency: bool) -> str:
    """The room of a signed-in staff member: ``ops``, or ``agency:<code>`` for agency staff.

    Raises:
        Refused: no or unknown token, or a role that does not belong in this namespace.
    """
    record = find_session(session, token=token) if token else None
    if record is None:
        raise Refused("please sign in")
    user = record.user
    if agency:
        if user.role not in AGENCY_STAFF or user.agency is None:
            raise Refused("only agency staff may connect here")
        return agency_audience(user.agency.code)
    if user.role not in OPS_READERS:
        raise Refused("only operations-centre staff may connect here")
    return "ops"


def citizen_room(session: Session, verifier: TokenVerifier, token: str | None) -> str:
    """The room of a signed-in citizen (their own reports' events).

    Raises:
        Refused: no token, or one firebase-admin does not accept.
    """

    if not token:
        raise Refused("please sign in")
    try:
        identity = verifier.verify(token)
    except Unauthenticated as exc:
        raise Refused(exc.message) from None
    citizen = ensure_citizen(
        session, uid=identity.uid, name=identity.name, phone=identity.phone, email=identity.email
    )
    return citizen_audience(citizen.id)


def catch_up(session: Session, audience: str, last_seq: Any) -> CatchUp:
    """The events the screen missed since ``last_seq`` (none when it did not say)."""
    if last_seq is None:
        return CatchUp([], None)
    after = _resume_point(last_seq)
    missed = events_for(session, audience, after_seq=after, limit=REPLAY_WINDOW + 1)
    if len(missed) > REPLAY_WINDOW:
        return CatchUp([], latest_seq(session))
    return CatchUp([wire(event) for event in missed], None)


#: The largest ``seq`` an event can have (a PostgreSQL ``bigint``).
MAX_SEQ = 2**63 - 1


def _resume_point(last_seq: Any) -> int:
    """``last_seq`` as the whole number of an event, from a number or its digits.

    Raises:
        Refused: anything else (text, true/false, a fraction, NaN, infinity, out of range).
    """
    if isinstance(last_seq, bool):
        raise Refused("last_seq must be a number")
    if isinstance(last_seq, str) and last_seq.strip().isdecimal():
        last_seq = int(last_seq)
    if isinstance(last_seq, float) and last_seq.is_integer():
        last_seq = int(last_seq)
    if not isinstance(last_seq, int):
        raise Refused("last_seq must be a number")
    if not 0 <= last_seq <= MAX_SEQ:
        raise Refused("last_seq is out of range")
    return last_seq
