"""An agency's team as its console shows it: the active officers and managers, by name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.states import AGENCY_MANAGERS, AGENCY_STAFF


def list_agency_team(session: Session, *, agency_id: int) -> list[User]:
    """The agency's active staff (officers and managers), managers first, then by name; the
    people a manager can give a report to. Never more than one agency's accounts."""
    rows = session.scalars(
        select(User).where(
            User.agency_id == agency_id,
            User.is_active.is_(True),
            User.role.in_(sorted(AGENCY_STAFF)),
        )
    ).all()
    return sorted(
        rows,
        key=lambda u: (u.role not in AGENCY_MANAGERS, (u.display_name or u.username or "").lower()),
    )
