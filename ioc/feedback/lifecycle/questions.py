"""Asking the citizen for more information (yêu cầu bổ sung thông tin): the report's clock
pauses until they answer (see :mod:`ioc.feedback.sla.pauses`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict
from ioc.feedback.lifecycle.handling import required_text
from ioc.feedback.lifecycle.workflow import Action, check, perform
from ioc.feedback.models import User
from ioc.feedback.report_models import Report
from ioc.feedback.sla.pauses import pause_clock
from ioc.feedback.states import HANDLING_STATES, Role


def ask_citizen(session: Session, *, report: Report, actor: User, question: str) -> None:
    """Ask the reporter for more information; the report's clock pauses (public question).

    Raises:
        Conflict: the clock is already paused, or the report has no reporter to ask.
    """
    check(actor, report, Action.ASK_CITIZEN)
    if Role(actor.role).needs_agency and report.status not in HANDLING_STATES:
        # A report the agency returned is the IOC's again, and so is its clock.
        raise Conflict("the report is back with the IOC", details={"status": report.status})
    if report.paused_at is not None:
        raise Conflict("the report is already waiting for the citizen")
    if report.reporter_id is None:
        raise Conflict("the report has no reporter to ask")
    perform(session, report, actor, Action.ASK_CITIZEN, note=required_text(question, "question"))
    pause_clock(report, at=utcnow())
