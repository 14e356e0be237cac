"""Citizen accounts, created on first sign-in from the Firebase identity."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.states import Role


def ensure_citizen(
    session: Session, *, uid: str, name: str | None, phone: str | None, email: str | None
) -> User:
    """The citizen with this Firebase uid, created (or refreshed) from the token's claims."""
    citizen = session.scalar(select(User).where(User.firebase_uid == uid))
    if citizen is None:
        citizen = User(role=Role.CITIZEN, firebase_uid=uid)
        session.add(citizen)
    # Later sign-ins may carry a name or phone the first one lacked; never blank them out.
    citizen.display_name = name or citizen.display_name
    citizen.phone = phone or citizen.phone
    citizen.email = email or citizen.email
    session.flush()
    return citizen


def find_citizen(session: Session, *, uid: str) -> User | None:
    """The citizen with this Firebase uid, if they have signed in before (never creates one)."""
    return session.scalar(select(User).where(User.firebase_uid == uid, User.role == Role.CITIZEN))
