"""Who may see who filed a report: the one home of that rule.

A reporter's name, phone number and e-mail are personal data. The operations centre's staff
need them to call back or ask for more information; agencies answer through the IOC and never
see them; viewers (leadership reading the operations consoles) see them only where the province
grants it (``IOC_VIEWERS_SEE_REPORTERS``). Every time someone is shown a reporter, the audit log
says who saw whose report.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.feedback.report_models import Report
from ioc.feedback.states import IOC_STAFF, Role


def may_see_reporter(actor: User, *, viewers_see_reporters: bool) -> bool:
    """Whether ``actor`` may be shown who filed a report (any report they can read)."""
    if actor.role in IOC_STAFF:
        return True
    return actor.role == Role.VIEWER and viewers_see_reporters


def reporter_shown_to(
    session: Session, *, report: Report, actor: User, viewers_see_reporters: bool
) -> User | None:
    """The report's reporter if ``actor`` may see them (the read is audited), else ``None``.

    Never commits: the audit entry joins the caller's transaction.
    """
    if report.reporter is None or not may_see_reporter(
        actor, viewers_see_reporters=viewers_see_reporters
    ):
        return None
    audit.record_reporter_read(session, actor_id=actor.id, report_ref=report.ref)
    return report.reporter
