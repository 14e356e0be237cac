"""Domain events written to the outbox in the caller's transaction.

An event row exists only if the change that caused it committed; delivery (Socket.IO, push,
webhooks) reads committed rows afterwards, so nothing is announced that did not happen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.db import send_with_commit, utcnow
from ioc.events.marks import PUBLISHED, mark_of, passed_through
from ioc.events.models import Event, EventAudience
from ioc.events.outbox import note_event_written
from ioc.telemetry.context import current_request_id


def record_event(
    session: Session,
    type: str,
    *,
    payload: dict[str, Any],
    audiences: list[str],
    report_id: int | None = None,
) -> Event:
    """Add an event to the outbox of the session's transaction (never commits).

    No lock is taken: the event's ``seq`` comes from the database sequence, and the publisher
    hands events to screens in ``seq`` order only once no lower number can still commit
    (:func:`ioc.events.outbox.publishing_turn`). The commit wakes this process's publisher.
    """
    note_event_written(session)
    event = Event(
        type=type,
        payload=payload,
        audiences=audiences,
        report_id=report_id,
        request_id=current_request_id(),
        audience_rows=[EventAudience(audience=a) for a in dict.fromkeys(audiences)],
    )
    session.add(event)
    session.flush()
    return event


#: An event and its audience rows in one statement, for :func:`record_event_at_commit`.
_INSERT_AT_COMMIT = (
    "WITH new_event AS (INSERT INTO event "
    "(type, occurred_at, report_id, payload, audiences, request_id) VALUES "
    "(%(type)s, %(occurred_at)s, %(report_id)s, %(payload)s::jsonb, %(audiences)s::jsonb, "
    "%(request_id)s) RETURNING seq) "
    "INSERT INTO event_audience (audience, seq) "
    "SELECT audience, new_event.seq FROM new_event, unnest(%(rooms)s::text[]) AS audience"
)


@dataclass(frozen=True)
class FoundBySql:
    """What an event held for the COMMIT takes from rows an earlier held statement of the
    transaction writes (a report whose id is not known yet): its report's id, and one more
    audience (NULL: none), each as an SQL expression."""

    report_id: str
    audience: str | None = None


def _insert_found_at_commit(found: FoundBySql) -> str:
    """:data:`_INSERT_AT_COMMIT` with the report's id and one more audience found in SQL."""
    return (
        f"WITH extra AS (SELECT {found.audience or 'NULL'}::text AS audience), "
        "new_event AS (INSERT INTO event "
        "(type, occurred_at, report_id, payload, audiences, request_id) "
        f"SELECT %(type)s, %(occurred_at)s, {found.report_id}, %(payload)s::jsonb, "
        "%(audiences)s::jsonb || coalesce((SELECT jsonb_agg(audience) FROM extra "
        "WHERE audience IS NOT NULL), '[]'::jsonb), %(request_id)s RETURNING seq) "
        "INSERT INTO event_audience (audience, seq) "
        "SELECT rooms.audience, new_event.seq FROM new_event, "
        "(SELECT unnest(%(rooms)s::text[]) AS audience "
        "UNION SELECT audience FROM extra WHERE audience IS NOT NULL) AS rooms"
    )


def record_event_at_commit(
    session: Session,
    type: str,
    *,
    payload: dict[str, Any],
    audiences: list[str],
    report_id: int | None = None,
    found: FoundBySql | None = None,
) -> None:
    """:func:`record_event`, with the rows written by the transaction's COMMIT where the
    database allows (:func:`ioc.db.send_with_commit`): the event costs no round trip of its
    own, and it takes its ``seq`` as the transaction commits, so the publisher hardly ever
    waits for a writer of a lower one. Nothing in the transaction can read the event
    afterwards; a caller that needs it (its ``seq``) uses :func:`record_event`.

    With ``found``, its report (and one more audience) is found in SQL from rows held for
    the COMMIT before it: it can only be held too, and ``report_id`` is ignored."""
    parameters = {
        "type": type,
        "occurred_at": utcnow(),
        "report_id": report_id,
        "payload": json.dumps(payload),
        "audiences": json.dumps(audiences),
        "request_id": current_request_id(),
        "rooms": list(dict.fromkeys(audiences)),
    }
    if found is not None:
        del parameters["report_id"]
        if not send_with_commit(session, _insert_found_at_commit(found), parameters):
            raise ValueError("an event found in SQL goes with the COMMIT of held rows only")
        note_event_written(session)
        return
    if send_with_commit(session, _INSERT_AT_COMMIT, parameters):
        note_event_written(session)
        return
    record_event(session, type, payload=payload, audiences=audiences, report_id=report_id)


def events_for(session: Session, audience: str, *, after_seq: int, limit: int) -> list[Event]:
    """The audience's published events after ``after_seq``, oldest first, at most ``limit``.

    Only published ones: a committed event above the publisher's horizon may still have a
    lower ``seq`` committing after it, and a screen resuming past it would never see that one.
    """
    return list(
        session.scalars(
            select(Event)
            .join(EventAudience, EventAudience.seq == Event.seq)
            .where(
                EventAudience.audience == audience,
                EventAudience.seq > after_seq,
                EventAudience.seq <= mark_of(PUBLISHED),
            )
            .order_by(EventAudience.seq)
            .limit(limit)
        )
    )


def latest_seq(session: Session) -> int:
    """The newest published ``seq``: a snapshot read after it holds every event up to it."""
    return passed_through(session, PUBLISHED)


def newest_seq(session: Session) -> int:
    """The newest committed ``seq``, published or not: what changed the data, for validators
    (a snapshot that screens resume from uses :func:`latest_seq` instead)."""
    return session.scalar(select(func.max(Event.seq))) or 0
