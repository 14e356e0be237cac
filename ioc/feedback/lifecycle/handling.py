"""What staff use cases share: finding a report a staff member may see, checked texts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.errors import InvalidInput, NotFound
from ioc.feedback.lifecycle.workflow import can_see
from ioc.feedback.models import Agency, User
from ioc.feedback.report_models import ExtensionRequest, Report

MAX_TEXT_CHARS = 4000


def get_report_for_staff(session: Session, *, ref: str, actor: User) -> Report:
    """Raises: NotFound for an unknown ref or another agency's report (same answer)."""
    report = session.scalar(select(Report).where(Report.ref == ref))
    if report is None or not can_see(actor, report):
        raise NotFound("report not found")
    return report


def list_active_agencies(session: Session) -> list[Agency]:
    return list(
        session.scalars(select(Agency).where(Agency.is_active.is_(True)).order_by(Agency.code))
    )


def find_agency(session: Session, code: str, *, field: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code, Agency.is_active.is_(True)))
    if agency is None:
        raise InvalidInput("unknown agency", details={"fields": {field: code}})
    return agency


def required_text(text: str | None, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"{field} is required", details={"fields": {field: "is required"}})
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"{field} is too long", details={"fields": {field: f"at most {MAX_TEXT_CHARS}"}}
        )
    return text


def pending_extension(session: Session, report: Report) -> ExtensionRequest | None:
    """The request waiting for a decision on the running clock. One made before the clock
    last started (the agency returned or resolved the report since) has lapsed: it asked to
    move a deadline that no longer runs."""
    return session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.report_id == report.id,
            ExtensionRequest.decision.is_(None),
            ExtensionRequest.requested_at >= report.clock_started_at,
        )
    )
