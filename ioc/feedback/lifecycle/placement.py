"""Placing a message that arrived without a usable location (an e-mail with no geotagged
photo): the operator reads it, puts it on the map and it files like any other report."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, Forbidden, NotFound
from ioc.feedback.citizen_models import InboundMessage, InboundStatus
from ioc.feedback.intake.filing import Intake
from ioc.feedback.lifecycle.inbound import file_held
from ioc.feedback.models import User
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import IOC_STAFF


def get_inbound(session: Session, message_id: int) -> InboundMessage:
    """Raises: NotFound: no such message."""
    record = session.get(InboundMessage, message_id)
    if record is None:
        raise NotFound("no such message")
    return record


def place_message(
    session: Session,
    intake: Intake,
    *,
    message_id: int,
    actor: User,
    lon: float,
    lat: float,
    category_code: str,
    attributes: dict[str, Any] | None = None,
) -> Report:
    """File a held message at ``lon``/``lat`` under ``category_code`` (with the category's
    ``attributes`` the operator filled in); it is routed as an app
    report would be, and keeps its channel, sender and arrival time.

    Raises:
        Forbidden: not an IOC role. NotFound: no such message. Conflict: the message is
        already a report. InvalidInput: unknown category, bad or missing attributes, or a place
        outside the served area.
    """
    if actor.role not in IOC_STAFF:
        raise Forbidden("your role cannot do this")
    record = get_inbound(session, message_id)
    if record.status != InboundStatus.NEEDS_LOCATION:
        raise Conflict("this message is already a report", details={"status": record.status})
    report = file_held(
        session,
        intake,
        record,
        lon=lon,
        lat=lat,
        category_code=category_code,
        attributes=attributes,
    )
    record.status, record.report_id, record.placed_by_id = (
        InboundStatus.PLACED,
        report.id,
        actor.id,
    )
    report.history.append(
        ReportHistory(
            occurred_at=utcnow(),
            actor_id=actor.id,
            action="placed",
            note=f"{lon:.6f}, {lat:.6f}",
            is_public=False,
        )
    )
    session.flush()
    return report
