"""The audit log of staff actions: recording outside the workflow, and reading it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.report_models import AuditEntry

MAX_PAGE = 200


#: The length of ``audit_entry.target_ref``.
TARGET_REF_LENGTH = 64


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_ref: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry in the caller's transaction (never commits).

    A ``target_ref`` longer than the column (a webhook named by its URL) is cut to fit: the
    whole name is in ``before``/``after``, and the change must not fail for its audit line.
    """
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_ref=target_ref[:TARGET_REF_LENGTH] if target_ref else target_ref,
            before=before,
            after=after,
        )
    )


def record_reporter_read(session: Session, *, actor_id: int, report_ref: str) -> None:
    """Note that a staff member was shown who filed a report (personal data; never commits)."""
    record(
        session,
        actor_id=actor_id,
        action="read_reporter",
        target_type="report",
        target_ref=report_ref,
    )


def list_entries(
    session: Session,
    *,
    ref: str | None = None,
    username: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[tuple[AuditEntry, str | None]]:
    """Newest first: (entry, actor username); filter by target ref or actor."""
    query = select(AuditEntry, User.username).outerjoin(User, User.id == AuditEntry.actor_id)
    if ref:
        query = query.where(AuditEntry.target_ref == ref)
    if username:
        query = query.where(User.username == username)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    rows = session.execute(query.order_by(AuditEntry.id.desc()).limit(min(limit, MAX_PAGE)))
    return [(entry, name) for entry, name in rows]
