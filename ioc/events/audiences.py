"""Who an event is for: the operations centre, the public, one agency, one citizen.

Realtime delivery maps each audience to a Socket.IO namespace and room
(:mod:`ioc.realtime.audiences`); the event log indexes events by audience for resuming.
"""

from __future__ import annotations

AUDIENCE_OPS = "ops"
AUDIENCE_PUBLIC = "public"


def agency_audience(agency_code: str) -> str:
    return f"agency:{agency_code}"


def citizen_audience(user_id: int) -> str:
    return f"citizen:{user_id}"


def citizen_audience_sql(user_id_sql: str) -> str:
    """:func:`citizen_audience` in SQL, for a user id the statement finds (NULL for NULL)."""
    return f"'citizen:' || {user_id_sql}"
